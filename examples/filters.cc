// The filter expression language on its own: describe a contact's attributes,
// compile a hotline's filters once, and pick the first that holds for each
// caller — what an entry flow does with its rules.
//
//   ./filters
//
// Prints how many filters the list indexes, then, per caller, the filter
// chosen (or "none": the flow's default).

#include <cstdio>
#include <string>
#include <vector>

#include "ccengine/ccengine.h"

int main() {
  namespace config = ccengine::config;
  config::Schema schema;
  const auto channel = *schema.Add("contact.channel", config::ValueType::kString);
  const auto text = *schema.Add("contact.text", config::ValueType::kString);
  const auto choice = *schema.Add("ivr.choice", config::ValueType::kString);
  const auto tags = *schema.Add("customer.tags", config::ValueType::kStringList);

  const std::vector<std::string> texts = {
      "contact.text CONTAINS '火灾' OR contact.text CONTAINS 'fire'",
      "ivr.choice == '2' AND contact.channel IN ['voice', 'video']",
      "customer.tags HAS 'elderly'",
      "ivr.choice IN ['1', '3']",
  };
  std::vector<config::Expression> filters;
  for (const std::string& t : texts) {
    absl::StatusOr<config::Expression> e = config::Compile(t, schema);
    if (!e.ok()) {  // e.g. an unknown attribute, with its place and a suggestion
      std::fprintf(stderr, "%s\n", std::string(e.status().message()).c_str());
      return 1;
    }
    filters.push_back(*std::move(e));
  }
  // The filters in order; the ones with an equality part are indexed by it,
  // the others tried for every caller.
  const config::ConditionList flow(filters);
  std::printf("%zu of %zu filters indexed\n", flow.indexed(), flow.size());

  struct Caller {
    const char* channel;
    const char* text;
    const char* choice;
    std::vector<std::string> tags;
  };
  const std::vector<Caller> callers = {
      {"voice", "楼道里有烟，可能是火灾", "1", {}},
      {"voice", "", "2", {"elderly"}},
      {"chat", "", "2", {"elderly"}},
      {"voice", "", "3", {}},
      {"email", "invoice question", "", {}},
  };
  config::Bindings values(schema);  // refilled per caller
  for (const Caller& c : callers) {
    values.UnsetAll();
    values.SetString(channel, c.channel);
    values.SetString(text, c.text);
    if (*c.choice != '\0') values.SetString(choice, c.choice);
    values.SetStringList(tags, c.tags);
    const int first = flow.FirstMatch(values);
    std::printf("%s caller, choice '%s': %s\n", c.channel, c.choice,
                first < 0 ? "none" : texts[static_cast<size_t>(first)].c_str());
  }
  return 0;
}
