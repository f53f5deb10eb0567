#include "knowledge_eval.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace ccengine::bench {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot read {}", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Each non-empty line of the file as JSON.
absl::StatusOr<std::vector<nlohmann::json>> ReadJsonLines(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::vector<nlohmann::json> out;
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    nlohmann::json value =
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object()) {
      return absl::InvalidArgumentError(
          fmt::format("{}:{}: not a JSON object", path, number));
    }
    out.push_back(std::move(value));
  }
  return out;
}

// "YYYY-MM-DD" as midnight UTC, plus `days`.
absl::StatusOr<absl::Time> Day(const nlohmann::json& value, int days) {
  absl::Time t;
  std::string error;
  if (!value.is_string() || !absl::ParseTime("%Y-%m-%d", value.get<std::string>(),
                                             absl::UTCTimeZone(), &t, &error)) {
    return absl::InvalidArgumentError(fmt::format("bad date {}", value.dump()));
  }
  return t + absl::Hours(24 * days);
}

std::string Str(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

absl::StatusOr<EvalSet> LoadEvalSet(const std::string& dir) {
  EvalSet set;
  absl::StatusOr<std::vector<nlohmann::json>> articles =
      ReadJsonLines(dir + "/articles.jsonl");
  if (!articles.ok()) return articles.status();
  for (const nlohmann::json& a : *articles) {
    knowledge::Article article;
    article.id = Str(a, "id");
    article.title = Str(a, "title");
    article.body = Str(a, "body");
    article.language = Str(a, "language");
    for (const auto& tag : a.value("tags", nlohmann::json::array())) {
      article.tags.push_back(tag.get<std::string>());
    }
    if (const std::string department = Str(a, "department"); !department.empty()) {
      article.departments.push_back(department);
    }
    if (a.contains("valid_from") && !a["valid_from"].is_null()) {
      absl::StatusOr<absl::Time> t = Day(a["valid_from"], 0);
      if (!t.ok()) return t.status();
      article.valid_from = *t;
    }
    if (a.contains("valid_to") && !a["valid_to"].is_null()) {
      absl::StatusOr<absl::Time> t = Day(a["valid_to"], 1);  // the last valid day
      if (!t.ok()) return t.status();
      article.valid_to = *t;
    }
    set.articles.push_back(std::move(article));
  }
  for (const auto& [file, target] :
       {std::pair<std::string, std::vector<EvalQuery>*>{"queries.jsonl", &set.queries},
        {"unanswerable.jsonl", &set.unanswerable}}) {
    absl::StatusOr<std::vector<nlohmann::json>> lines = ReadJsonLines(dir + "/" + file);
    if (!lines.ok()) return lines.status();
    for (const nlohmann::json& q : *lines) {
      target->push_back(EvalQuery{Str(q, "query"), Str(q, "article"), Str(q, "kind")});
    }
  }
  absl::StatusOr<std::string> synonyms = ReadFile(dir + "/synonyms.txt");
  if (!synonyms.ok()) return synonyms.status();
  set.synonyms = *std::move(synonyms);
  return set;
}

absl::StatusOr<std::map<std::string, Retrieval>> Measure(
    const std::vector<EvalQuery>& queries, const Ranker& ranker) {
  std::map<std::string, Retrieval> out;
  for (const EvalQuery& q : queries) {
    absl::StatusOr<std::vector<std::string>> ranked = ranker(q.query);
    if (!ranked.ok()) {
      return absl::Status(ranked.status().code(),
                          fmt::format("query \"{}\": {}", q.query,
                                      std::string(ranked.status().message())));
    }
    size_t rank = 0;  // 1-based; 0: not in the first 10
    for (size_t i = 0; i < ranked->size() && i < 10; ++i) {
      if ((*ranked)[i] == q.article) {
        rank = i + 1;
        break;
      }
    }
    for (const std::string& key : {q.kind, std::string("all")}) {
      Retrieval& r = out[key];
      ++r.queries;
      r.recall1 += rank == 1 ? 1 : 0;
      r.recall5 += rank >= 1 && rank <= 5 ? 1 : 0;
      r.mrr10 += rank >= 1 ? 1.0 / static_cast<double>(rank) : 0;
    }
  }
  for (auto& [kind, r] : out) {
    const auto n = static_cast<double>(r.queries);
    r.recall1 /= n;
    r.recall5 /= n;
    r.mrr10 /= n;
  }
  return out;
}

}  // namespace ccengine::bench
