// -----------------------------------------------------------------------------
// File: tests/config/fuzz/expression_fuzz.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for the filter expression compiler
// (ccengine/config/expression.h): compiles arbitrary bytes against a fixed
// schema. A failure must be InvalidArgument with at least one diagnostic inside
// the text. A success is evaluated against three bindings (all unset, and two
// contacts); a ConditionList holding it between two fixed conditions must pick
// as trying each in turn does; and its DebugString must compile to the same
// DebugString and the same results — unless the canonical form (which
// parenthesizes every comparison) runs past the length or nesting limit, which
// must then be the error. Built and run by tools/fuzz.sh expression SECONDS.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh expression 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/config/expression.h"
#include "fuzz_check.h"

namespace ccengine::config {
namespace {

Schema MakeSchema() {
  Schema schema;
  for (const auto& [name, type] : std::vector<std::pair<std::string_view, ValueType>>{
           {"contact.channel", ValueType::kString},
           {"contact.text", ValueType::kString},
           {"customer.tier", ValueType::kString},
           {"customer.vip", ValueType::kBool},
           {"customer.tags", ValueType::kStringList},
           {"ivr.choice", ValueType::kString},
           {"time.hour", ValueType::kNumber},
           {"contact.priority", ValueType::kNumber}}) {
    FUZZ_CHECK(schema.Add(name, type).ok(), "the fixed schema");
  }
  return schema;
}

Expression MustCompile(std::string_view text, const Schema& schema) {
  absl::StatusOr<Expression> e = Compile(text, schema);
  FUZZ_CHECK(e.ok(), "a fixed condition does not compile");
  return *std::move(e);
}

struct Fixture {
  Schema schema = MakeSchema();
  std::vector<Bindings> contacts;
  // A condition with an equality guard and one without, for ConditionList.
  Expression before = MustCompile("contact.channel == 'chat' AND customer.vip", schema);
  Expression after = MustCompile("time.hour > 0 OR customer.tags HAS 'vip'", schema);

  Fixture() {
    const AttributeId channel = *schema.Find("contact.channel");
    const AttributeId text = *schema.Find("contact.text");
    const AttributeId tier = *schema.Find("customer.tier");
    const AttributeId vip = *schema.Find("customer.vip");
    const AttributeId tags = *schema.Find("customer.tags");
    const AttributeId choice = *schema.Find("ivr.choice");
    const AttributeId hour = *schema.Find("time.hour");
    const AttributeId priority = *schema.Find("contact.priority");
    contacts.assign(3, Bindings(schema));  // contacts[0]: all unset
    contacts[1].SetString(channel, "voice");
    contacts[1].SetString(text, "家里着火了，紧急！Fire");
    contacts[1].SetString(tier, "gold");
    contacts[1].SetBool(vip, true);
    contacts[1].SetStringList(tags, {"vip", "elderly"});
    contacts[1].SetString(choice, "1");
    contacts[1].SetNumber(hour, 22);
    contacts[1].SetNumber(priority, 2.5);
    contacts[2].SetString(channel, "chat");
    contacts[2].SetString(text, "");
    contacts[2].SetBool(vip, false);
    contacts[2].SetStringList(tags, {});
    contacts[2].SetNumber(hour, -3);
  }
};

bool IsLimitError(const absl::Status& status) {
  const std::string message(status.message());
  return message.find("nested deeper than") != std::string::npos ||
         message.find("bytes; the limit is") != std::string::npos;
}

}  // namespace
}  // namespace ccengine::config

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace config = ccengine::config;
  static const config::Fixture* const fixture = new config::Fixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<config::Diagnostic> diagnostics;
  const absl::StatusOr<config::Expression> e =
      config::Compile(text, fixture->schema, &diagnostics);
  if (!e.ok()) {
    FUZZ_CHECK(e.status().code() == absl::StatusCode::kInvalidArgument, "error code");
    FUZZ_CHECK(!diagnostics.empty(), "an error without a diagnostic");
    for (const config::Diagnostic& d : diagnostics) {
      FUZZ_CHECK(d.offset <= size, "a diagnostic past the end of the text");
      FUZZ_CHECK(!d.message.empty(), "an empty diagnostic");
    }
    return 0;
  }
  FUZZ_CHECK(e->text() == text, "text() is not the compiled text");
  std::vector<bool> results;
  for (const config::Bindings& contact : fixture->contacts)
    results.push_back(e->Evaluate(contact));
  // Between a guarded condition and an unguarded one in a condition list, it
  // is picked exactly when trying each in turn would pick it.
  const config::ConditionList list({fixture->before, *e, fixture->after});
  for (size_t i = 0; i < fixture->contacts.size(); ++i) {
    const config::Bindings& contact = fixture->contacts[i];
    const int expected = fixture->before.Evaluate(contact)  ? 0
                         : results[i]                       ? 1
                         : fixture->after.Evaluate(contact) ? 2
                                                            : -1;
    FUZZ_CHECK(list.FirstMatch(contact) == expected, "ConditionList picks another");
  }
  const std::string canonical = e->DebugString();
  const absl::StatusOr<config::Expression> again =
      config::Compile(canonical, fixture->schema);
  if (!again.ok()) {
    FUZZ_CHECK(config::IsLimitError(again.status()), "DebugString does not compile");
    return 0;
  }
  FUZZ_CHECK(again->DebugString() == canonical, "DebugString is not canonical");
  for (size_t i = 0; i < fixture->contacts.size(); ++i) {
    FUZZ_CHECK(again->Evaluate(fixture->contacts[i]) == results[i],
               "DebugString evaluates differently");
  }
  return 0;
}
