#include "config/capacity_section.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ccengine/core/types.h"
#include "fmt/format.h"

namespace ccengine::config::internal {

void ReadCapacitySection(DocumentReader& reader, const config::Node& node,
                         const std::string& pointer, Capacity* out) {
  if (!reader.Expect(node, pointer, config::Node::Kind::kObject)) return;
  const bool full = node.Find("max_per_channel") != nullptr ||
                    node.Find("load_per_contact") != nullptr ||
                    node.Find("load_budget") != nullptr ||
                    node.Find("exclusive") != nullptr;
  const auto per_channel = [&](const config::Node& map, const std::string& path,
                               auto* values, int64_t hi) {
    if (!reader.Expect(map, path, config::Node::Kind::kObject)) return;
    for (const auto& [name, value] : map.members) {
      const std::optional<Channel> channel = ParseChannel(name);
      const std::string where = Child(path, name);
      if (!channel.has_value()) {
        std::vector<std::string_view> known(kAllChannels.size());
        for (size_t k = 0; k < kAllChannels.size(); ++k)
          known[k] = ChannelName(kAllChannels[k]);
        reader.Error(value, where,
                     fmt::format("unknown channel \"{}\"{}", name,
                                 reader.Suggest(value, name, known)));
        continue;
      }
      auto& slot = (*values)[static_cast<size_t>(*channel)];
      if constexpr (std::is_same_v<std::decay_t<decltype(slot)>, bool>) {
        reader.Bool(&value, where, &slot);
      } else {
        reader.Integer(&value, where, 0, hi, &slot);
      }
    }
  };
  if (!full) {
    out->max_per_channel.fill(0);
    per_channel(node, pointer, &out->max_per_channel, 255);
    return;
  }
  DocumentReader::Fields f(
      reader, node, pointer,
      {"max_per_channel", "load_per_contact", "load_budget", "exclusive"});
  if (const config::Node* m = f.Get("max_per_channel")) {
    out->max_per_channel.fill(0);
    per_channel(*m, f.Path("max_per_channel"), &out->max_per_channel, 255);
  }
  if (const config::Node* l = f.Get("load_per_contact")) {
    per_channel(*l, f.Path("load_per_contact"), &out->load_per_contact, 65535);
  }
  if (const config::Node* e = f.Get("exclusive")) {
    per_channel(*e, f.Path("exclusive"), &out->exclusive, 1);
  }
  reader.Integer(f.Get("load_budget"), f.Path("load_budget"), 0, 65535,
                 &out->load_budget);
}

}  // namespace ccengine::config::internal
