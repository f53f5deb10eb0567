// -----------------------------------------------------------------------------
// File: ccengine/core/internal/id_index.h
// -----------------------------------------------------------------------------
//
// `IdIndex` maps a caller's 64-bit id (`AgentId`, `ContactId`) to the slot of
// its record. Every command that names an agent or a contact starts with this
// lookup, so it is on the hot path of every call.
//
// Small ids go into a direct table: one bounds check and one load, no
// hashing. Embedders that number their agents and contacts from 0 (or reuse
// the ids of finished contacts, as the simulator does) only ever touch it.
// Any other id goes into a hash map. The direct table grows by doubling, and
// only while it stays within `kDirectSlack` × (entries + `kDirectFloor`)
// slots, so its memory is O(entries) whatever ids the caller picks; an id
// beyond that bound lives in the hash map (the two never hold the same id).
//
// Thread safety: thread-compatible (the router owns every instance).

#ifndef CCENGINE_CORE_INTERNAL_ID_INDEX_H_
#define CCENGINE_CORE_INTERNAL_ID_INDEX_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ccengine::internal {

class IdIndex {
 public:
  static constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();
  static constexpr size_t kDirectFloor = 1024;
  static constexpr size_t kDirectSlack = 4;

  // The slot of `id`, or kAbsent.
  uint32_t Find(uint64_t id) const {
    if (id < direct_.size()) return direct_[id];
    if (sparse_.empty()) return kAbsent;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kAbsent : it->second;
  }
  bool contains(uint64_t id) const { return Find(id) != kAbsent; }
  size_t size() const { return size_; }

  // `id` must be absent and `slot` != kAbsent.
  void emplace(uint64_t id, uint32_t slot) {
    if (id >= direct_.size()) {
      size_t bound = kDirectSlack * (size_ + 1 + kDirectFloor);
      if (id >= bound) {
        sparse_.emplace(id, slot);
        ++size_;
        return;
      }
      Grow(std::min(bound, std::max<size_t>({id + 1, 2 * direct_.size(), 64})));
    }
    direct_[id] = slot;
    ++size_;
  }

  void erase(uint64_t id) {
    if (id < direct_.size()) {
      if (direct_[id] == kAbsent) return;
      direct_[id] = kAbsent;
    } else if (sparse_.erase(id) == 0) {
      return;
    }
    --size_;
  }

 private:
  // Ids of the hash map that now fit move into the direct table.
  void Grow(size_t n) {
    direct_.resize(n, kAbsent);
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first < n) {
        direct_[it->first] = it->second;
        sparse_.erase(it++);
      } else {
        ++it;
      }
    }
  }

  std::vector<uint32_t> direct_;
  absl::flat_hash_map<uint64_t, uint32_t> sparse_;
  size_t size_ = 0;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_ID_INDEX_H_
