// -----------------------------------------------------------------------------
// File: src/sim/quaternary_heap.h
// -----------------------------------------------------------------------------
//
// A min-heap with four children per node, for the simulator's event list:
// `top()` is the least element under `Less`, as `std::priority_queue<T,
// std::vector<T>, Inverse<Less>>` would give it. With strict weak ordering and
// no two elements equivalent (the simulator's events carry a unique sequence
// number) the order of pops is exactly that of any other correct heap.
//
// Why not std::priority_queue: with ~100 pending events a binary heap is ~7
// levels deep, and each level of a pop costs a compare whose outcome is a
// coin toss and a move. Four children halve the depth; the children of a
// node share a cache line or two.
//
// Thread safety: none (one owner).

#ifndef CCENGINE_SRC_SIM_QUATERNARY_HEAP_H_
#define CCENGINE_SRC_SIM_QUATERNARY_HEAP_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace ccengine::internal {

template <typename T, typename Less>
class QuaternaryHeap {
 public:
  bool empty() const { return v_.empty(); }
  size_t size() const { return v_.size(); }
  const T& top() const { return v_.front(); }  // not empty

  void push(T x) {
    size_t i = v_.size();
    v_.push_back(x);
    while (i > 0) {  // sift up: the new element passes its parents
      const size_t parent = (i - 1) / 4;
      if (!less_(x, v_[parent])) break;
      v_[i] = std::move(v_[parent]);
      i = parent;
    }
    v_[i] = std::move(x);
  }

  void pop() {  // not empty
    T last = std::move(v_.back());
    v_.pop_back();
    const size_t n = v_.size();
    if (n == 0) return;
    size_t i = 0;  // the hole, moved down until `last` fits in it
    while (true) {
      const size_t first = 4 * i + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t end = first + 4 < n ? first + 4 : n;
      for (size_t k = first + 1; k < end; ++k) {
        best = less_(v_[k], v_[best]) ? k : best;
      }
      if (!less_(v_[best], last)) break;
      v_[i] = std::move(v_[best]);
      i = best;
    }
    v_[i] = std::move(last);
  }

  void clear() { v_.clear(); }

 private:
  std::vector<T> v_;
  [[no_unique_address]] Less less_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_SRC_SIM_QUATERNARY_HEAP_H_
