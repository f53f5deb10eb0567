#include "config/hours_section.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace ccengine::config::internal {

std::vector<absl::CivilDay> ReadDates(DocumentReader& reader, const config::Node* n,
                                      const std::string& pointer) {
  std::vector<absl::CivilDay> out;
  if (n == nullptr || !reader.Expect(*n, pointer, config::Node::Kind::kArray)) return out;
  for (size_t i = 0; i < n->items.size(); ++i) {
    const std::string path = Index(pointer, i);
    std::string text;
    if (!reader.String(&n->items[i], path, &text)) continue;
    absl::StatusOr<absl::CivilDay> day = ParseDate(text);
    if (day.ok()) {
      out.push_back(*day);
    } else {
      reader.Error(n->items[i], path, std::string(day.status().message()));
    }
  }
  return out;
}

namespace {

// [["08:00", "20:00"], …]
std::vector<TimeWindow> ReadWindows(DocumentReader& reader, const config::Node& node,
                                    const std::string& pointer) {
  std::vector<TimeWindow> out;
  if (!reader.Expect(node, pointer, config::Node::Kind::kArray)) return out;
  for (size_t i = 0; i < node.items.size(); ++i) {
    const config::Node& pair = node.items[i];
    const std::string path = Index(pointer, i);
    if (pair.kind != config::Node::Kind::kArray || pair.items.size() != 2) {
      reader.Error(
          pair, path,
          "expected an [\"open\", \"close\"] pair such as [\"08:00\", \"20:00\"]");
      continue;
    }
    int32_t ends[2] = {0, 0};
    bool ok = true;
    for (size_t k = 0; k < 2; ++k) {
      std::string text;
      if (!reader.String(&pair.items[k], Index(path, k), &text)) {
        ok = false;
        continue;
      }
      absl::StatusOr<int32_t> t = ParseTimeOfDay(text);
      if (!t.ok()) {
        reader.Error(pair.items[k], Index(path, k), std::string(t.status().message()));
        ok = false;
        continue;
      }
      ends[k] = *t;
    }
    if (ok) out.push_back(TimeWindow{ends[0], ends[1]});
  }
  return out;
}

}  // namespace

HoursOfOperation ReadHoursSection(DocumentReader& reader, const config::Node& node,
                                  const std::string& pointer,
                                  int32_t default_utc_offset_s) {
  HoursOfOperation h;
  DocumentReader::Fields f(reader, node, pointer,
                           {"utc_offset_s", "weekly", "holidays", "special"});
  if (!f.ok()) return h;
  h.utc_offset_s = default_utc_offset_s;
  reader.Integer(f.Get("utc_offset_s"), f.Path("utc_offset_s"), -14 * 3600, 14 * 3600,
                 &h.utc_offset_s);
  if (const config::Node* weekly = f.Get("weekly");
      weekly != nullptr &&
      reader.Expect(*weekly, f.Path("weekly"), config::Node::Kind::kObject)) {
    for (const auto& [day, windows] : weekly->members) {
      const std::optional<int> d = ParseWeekday(day);
      if (!d.has_value()) {
        reader.Error(
            windows, Child(f.Path("weekly"), day),
            fmt::format(
                "unknown weekday \"{}\" (known: mon, tue, wed, thu, fri, sat, sun)",
                day));
        continue;
      }
      h.weekly[static_cast<size_t>(*d)] =
          ReadWindows(reader, windows, Child(f.Path("weekly"), day));
    }
  }
  h.holidays = ReadDates(reader, f.Get("holidays"), f.Path("holidays"));
  if (const config::Node* special = f.Get("special");
      special != nullptr &&
      reader.Expect(*special, f.Path("special"), config::Node::Kind::kObject)) {
    for (const auto& [date, windows] : special->members) {
      const std::string path = Child(f.Path("special"), date);
      absl::StatusOr<absl::CivilDay> day = ParseDate(date);
      if (!day.ok()) {
        reader.Error(windows, path, std::string(day.status().message()));
        continue;
      }
      h.special.push_back(SpecialHours{*day, ReadWindows(reader, windows, path)});
    }
  }
  return h;
}

}  // namespace ccengine::config::internal
