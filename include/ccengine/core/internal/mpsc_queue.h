// -----------------------------------------------------------------------------
// File: ccengine/core/internal/mpsc_queue.h
// -----------------------------------------------------------------------------
//
// `ccengine::internal::MpscQueue<T>` is the engine's intake queue: a bounded,
// fixed-capacity FIFO that many producer threads (telephony, chat and ticket
// adapters) push commands into without taking a lock, and that one router
// thread drains.
//
// Algorithm: Dmitry Vyukov's bounded queue ("Bounded MPMC queue",
// 1024cores.net), specialised to a single consumer. The buffer is a
// power-of-two ring of cells; each cell carries a sequence number `seq`.
//   * Cell i starts with seq == i.
//   * A producer reads tail `pos`; if cell[pos & mask].seq == pos the cell is
//     free for this lap and the producer claims it with a CAS tail: pos ->
//     pos+1, constructs the element in the cell's raw storage and publishes it
//     with seq = pos + 1 (release). If seq < pos the cell still holds the
//     element from the previous lap: the queue is full. If seq > pos another
//     producer claimed it first: reload tail and retry.
//   * The single consumer reads cell[head & mask]; seq == head + 1 means the
//     element is ready: it moves it out, destroys it and frees the cell for
//     the next lap with seq = head + capacity (release). Since there is one
//     consumer, `head` needs no CAS; it is an atomic only so that
//     `ApproxSize()` may read it from any thread (its loads and stores are
//     plain `mov`s on x86).
// Cells are aligned to a cache line (64 bytes) so neighbouring producers do
// not false-share; tail (written by producers), head (written by the
// consumer) and the read-only fields each sit on their own cache line.
//
// Guarantees:
//   * Order: elements leave in the order their slots were claimed (the order
//     of successful tail CASes). That order is consistent with each
//     producer's program order, so the queue is FIFO per producer; pushes
//     from different producers that overlap in time may come out in either
//     order.
//   * Progress: producers are lock-free, not wait-free: a failed CAS means
//     another producer succeeded, so some push always completes, but one
//     producer may retry indefinitely under contention. No call ever blocks
//     or spins waiting for another thread; `TryPush`, `TryEmplace`, `TryPop`
//     and `Drain` all return instead.
//   * Full: `TryPush`/`TryEmplace` return false and leave the argument
//     untouched (it is moved from only when the call returns true). Nothing
//     is dropped silently; retry, shed load or report back-pressure.
//   * Empty: `TryPop` returns false and leaves `out` untouched; `Drain`
//     returns the number of elements it handed to `f`.
//   * Memory: each successful pop happens-after the push that produced the
//     element (release/acquire on the cell's seq), so everything the
//     producer wrote before pushing is visible to the consumer.
//
// Limits:
//   * Capacity is fixed at construction, rounded up to a power of two, at
//     least 2 (with one cell, a published element's seq would equal the
//     "free for the next lap" value and a producer could overwrite it).
//     The buffer is allocated once; nothing allocates after construction.
//   * A producer pre-empted between its CAS and its publish hides the
//     elements claimed after it: the consumer sees the queue as empty at that
//     cell until the producer resumes, and, one lap later, producers see it as
//     full. "Full" and "empty" are therefore momentary reports, not
//     linearizable size checks; the consumer is never blocked, only told to
//     try again.
//   * A cell is an 8-byte sequence number plus T, rounded up to whole cache
//     lines (128 bytes for an 80-byte command), so memory is capacity * that.
//     Keep T small (a command, not a payload) and capacity to what the router
//     drains in a few milliseconds.
//   * T must be nothrow move constructible and nothrow destructible.
//     `TryEmplace(args...)` requires T to be nothrow constructible from
//     `args...`, because a slot, once claimed, cannot be given back; build a
//     T first and `TryPush` it when its constructor can throw. (Same rule as
//     rigtorp::MPMCQueue's emplace.)
//   * Sequence numbers are `size_t`; they wrap after 2^64 pushes on 64-bit
//     targets (never in practice), and the signed difference used to compare
//     them stays correct across a wrap as long as capacity < 2^63.
//
// Thread safety: `TryPush()` and `TryEmplace()` may be called from any
// number of threads concurrently. `TryPop()` and `Drain()` must be called from
// one thread at a time (the router); calling them concurrently from two
// threads is a data race. `capacity()`, `ApproxSize()` and `ApproxEmpty()` may
// be called from any thread. Construction and destruction must not overlap
// any other call.
//
// Example:
//   MpscQueue<Command> intake(4096);
//   // any adapter thread:
//   if (!intake.TryPush(std::move(cmd))) { /* back-pressure: cmd is intact */ }
//   // router thread:
//   intake.Drain([&](Command&& c) { router.Apply(std::move(c)); }, 256);

#ifndef CCENGINE_CORE_INTERNAL_MPSC_QUEUE_H_
#define CCENGINE_CORE_INTERNAL_MPSC_QUEUE_H_

#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace ccengine::internal {

// The destructive interference size on every x86-64 and most AArch64 parts.
// `std::hardware_destructive_interference_size` is not used: GCC 12 warns
// (-Winterference-size) when it appears in a header, because its value may
// change with -mtune and would silently change this class's layout (ABI).
inline constexpr std::size_t kCacheLineSize = 64;

template <typename T>
class MpscQueue {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "MpscQueue<T>: T must be nothrow move constructible (a claimed "
                "slot cannot be given back if constructing T throws)");
  static_assert(std::is_nothrow_destructible_v<T>,
                "MpscQueue<T>: T must be nothrow destructible");
  static_assert(!std::is_reference_v<T> && !std::is_const_v<T>,
                "MpscQueue<T>: T must be a non-const object type");

 public:
  // Largest capacity accepted; a larger request is a programmer error.
  static constexpr std::size_t kMaxCapacity = std::size_t{1}
                                              << (sizeof(std::size_t) * 8 - 2);

  // Creates an empty queue holding up to `capacity` elements, rounded up to a
  // power of two and at least 2. Allocates the whole buffer now (may throw
  // std::bad_alloc like any allocation). Requires capacity <= kMaxCapacity.
  explicit MpscQueue(std::size_t capacity)
      : capacity_(RoundCapacity(capacity)),
        mask_(capacity_ - 1),
        cells_(new Cell[capacity_]) {
    for (std::size_t i = 0; i < capacity_; ++i) {
      cells_[i].seq.store(i, std::memory_order_relaxed);
    }
    // Publication to other threads goes through whatever hands them `this`
    // (thread creation, a mutex, ...), which orders these stores.
  }

  MpscQueue(const MpscQueue&) = delete;
  MpscQueue& operator=(const MpscQueue&) = delete;
  MpscQueue(MpscQueue&&) = delete;
  MpscQueue& operator=(MpscQueue&&) = delete;

  // Destroys the elements still queued. No other call may be in flight.
  ~MpscQueue() {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      if (cell.seq.load(std::memory_order_acquire) != pos + 1) break;
      cell.Ptr()->~T();
      ++pos;
    }
  }

  // Moves `value` into the queue. Returns false, leaving `value` untouched,
  // when no cell is free at the tail. Any thread.
  bool TryPush(T&& value) noexcept { return TryEmplace(std::move(value)); }

  // Constructs a T from `args...` directly in the queue's storage. Returns
  // false, without touching `args...`, when no cell is free. Any thread.
  template <class... Args>
  bool TryEmplace(Args&&... args) noexcept {
    static_assert(std::is_nothrow_constructible_v<T, Args&&...>,
                  "MpscQueue<T>::TryEmplace: T must be nothrow constructible "
                  "from these arguments; construct a T and TryPush it");
    std::size_t pos = tail_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[pos & mask_];
      const std::size_t seq = cell->seq.load(std::memory_order_acquire);
      const auto dif =
          static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
      if (dif == 0) {
        // Free for this lap; claim it. On failure `pos` gets the new tail.
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed,
                                        std::memory_order_relaxed)) {
          break;
        }
      } else if (dif < 0) {
        return false;  // Still holds the previous lap's element: full.
      } else {
        pos = tail_.load(std::memory_order_relaxed);  // Lost a race.
      }
    }
    ::new (static_cast<void*>(cell->storage)) T(std::forward<Args>(args)...);
    cell->seq.store(pos + 1, std::memory_order_release);
    return true;
  }

  // Moves the oldest element into `out` and returns true, or returns false,
  // leaving `out` untouched, when none is ready. Consumer thread only.
  // If T's move assignment throws, the element is still consumed.
  bool TryPop(T& out) noexcept(std::is_nothrow_move_assignable_v<T>) {
    const std::size_t pos = head_.load(std::memory_order_relaxed);
    Cell& cell = cells_[pos & mask_];
    if (cell.seq.load(std::memory_order_acquire) != pos + 1) return false;
    ConsumeGuard guard{this, &cell, pos};
    out = std::move(*cell.Ptr());
    return true;
  }

  // Pops up to `max_items` elements, oldest first, calling `f(T&&)` on each
  // (on the calling thread), and returns how many it popped. Stops early when
  // the queue is (momentarily) empty. Consumer thread only. `f` may push to
  // this queue but must not pop from it. If `f` throws, the element it was
  // given is consumed and the exception propagates; the queue stays
  // consistent.
  template <class F>
  std::size_t Drain(F&& f, std::size_t max_items) {
    std::size_t n = 0;
    while (n < max_items) {
      const std::size_t pos = head_.load(std::memory_order_relaxed);
      Cell& cell = cells_[pos & mask_];
      if (cell.seq.load(std::memory_order_acquire) != pos + 1) break;
      ConsumeGuard guard{this, &cell, pos};
      ++n;
      f(std::move(*cell.Ptr()));
    }
    return n;
  }

  // The number of elements the queue can hold (a power of two, >= 2).
  std::size_t capacity() const noexcept { return capacity_; }

  // Elements claimed by producers and not yet popped, clamped to
  // [0, capacity()]. A snapshot that may be stale by the time it returns; it
  // counts elements whose push is still in flight. Any thread.
  std::size_t ApproxSize() const noexcept {
    // Read head first: tail only grows and was already >= head then.
    const std::size_t head = head_.load(std::memory_order_acquire);
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    const auto dif =
        static_cast<std::ptrdiff_t>(tail) - static_cast<std::ptrdiff_t>(head);
    if (dif <= 0) return 0;
    return static_cast<std::size_t>(dif) < capacity_ ? static_cast<std::size_t>(dif)
                                                     : capacity_;
  }

  // ApproxSize() == 0, with the same caveats. Any thread.
  bool ApproxEmpty() const noexcept { return ApproxSize() == 0; }

 private:
  struct alignas(kCacheLineSize) Cell {
    std::atomic<std::size_t> seq;
    alignas(T) unsigned char storage[sizeof(T)];

    T* Ptr() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
  };
  static_assert(std::atomic<std::size_t>::is_always_lock_free,
                "MpscQueue needs lock-free size_t atomics");

  // Destroys the element in `cell` and hands the cell to the next lap, also
  // when the consumer's move or callback throws.
  struct ConsumeGuard {
    MpscQueue* queue;
    Cell* cell;
    std::size_t pos;
    ~ConsumeGuard() {
      cell->Ptr()->~T();
      cell->seq.store(pos + queue->capacity_, std::memory_order_release);
      queue->head_.store(pos + 1, std::memory_order_release);
    }
  };

  static std::size_t RoundCapacity(std::size_t capacity) noexcept {
    assert(capacity <= kMaxCapacity && "MpscQueue: capacity too large");
    if (capacity > kMaxCapacity) capacity = kMaxCapacity;
    return capacity < 2 ? 2 : std::bit_ceil(capacity);
  }

  // Read-only after construction; shared by all threads.
  alignas(kCacheLineSize) const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<Cell[]> cells_;

  // Written by producers (CAS).
  alignas(kCacheLineSize) std::atomic<std::size_t> tail_{0};

  // Written by the consumer only. The class's alignment rounds its size up
  // to a whole line, so the next object never shares head_'s line.
  alignas(kCacheLineSize) std::atomic<std::size_t> head_{0};
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_MPSC_QUEUE_H_
