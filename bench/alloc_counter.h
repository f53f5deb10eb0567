// -----------------------------------------------------------------------------
// File: bench/alloc_counter.h
// -----------------------------------------------------------------------------
//
// A counting replacement of the global `operator new` / `operator delete`
// family, for the benchmark programs that report memory and allocations:
// every allocation made through C++ `new` anywhere in the program (the
// engine, Abseil's containers, libstdc++) goes through `std::malloc` /
// `std::aligned_alloc` and updates three counters: allocations, frees and
// live bytes. Live bytes are `malloc_usable_size` of each block, so they
// include the allocator's rounding (what the process really pays, minus
// malloc's 8-byte chunk header), not only what was asked for.
//
// Use it by including this header from exactly ONE translation unit of a
// program (each bench/*_bench.cc is its own program), then read a
// `ccbench::alloc::Snapshot` before and after the code of interest.
//
// Finding where the allocations come from: run a program with
// CCBENCH_TRACE_ALLOCS=1 and every allocation made inside a `TraceScope`
// (the benchmarks put one around each timed engine call) prints a stack
// (backtrace_symbols_fd) to stderr. Symbolize with addr2line -Cfe <program>.
//
// Thread safety: the counters are relaxed atomics; snapshots taken while
// other threads allocate are approximate.
//
// Example:
//   auto before = ccbench::alloc::Take();
//   engine->AddAgent(config);
//   auto after = ccbench::alloc::Take();
//   int64_t bytes = after.live_bytes - before.live_bytes;

#ifndef CCENGINE_BENCH_ALLOC_COUNTER_H_
#define CCENGINE_BENCH_ALLOC_COUNTER_H_

#include <execinfo.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace ccbench::alloc {

inline std::atomic<int64_t> g_allocs{0};
inline std::atomic<int64_t> g_frees{0};
inline std::atomic<int64_t> g_live_bytes{0};

struct Snapshot {
  int64_t allocs;
  int64_t frees;
  int64_t live_bytes;
};

inline Snapshot Take() {
  return {g_allocs.load(std::memory_order_relaxed),
          g_frees.load(std::memory_order_relaxed),
          g_live_bytes.load(std::memory_order_relaxed)};
}

inline bool TraceEnabled() {
  static const bool on = std::getenv("CCBENCH_TRACE_ALLOCS") != nullptr;
  return on;
}
inline thread_local bool t_trace = false;

// While alive (and CCBENCH_TRACE_ALLOCS is set), allocations on this thread
// print their stack.
class TraceScope {
 public:
  TraceScope() : on_(TraceEnabled()) {
    if (on_) t_trace = true;
  }
  ~TraceScope() {
    if (on_) t_trace = false;
  }
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  bool on_;
};

inline void PrintStack(std::size_t n) {
  t_trace = false;  // backtrace() may allocate the first time
  void* frames[32];
  int depth = backtrace(frames, 32);
  char line[64];
  int len = std::snprintf(line, sizeof line,
                          "--- allocation of %zu bytes in a traced scope\n", n);
  if (len > 0) (void)!write(2, line, static_cast<std::size_t>(len));
  backtrace_symbols_fd(frames, depth, 2);
  t_trace = true;
}

inline void* Counted(void* p, std::size_t n = 0) {
  if (p == nullptr) return nullptr;
  if (t_trace) PrintStack(n);
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)),
                         std::memory_order_relaxed);
  return p;
}

inline void Release(void* p) {
  if (p == nullptr) return;
  g_frees.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)),
                         std::memory_order_relaxed);
  std::free(p);
}

inline void* Allocate(std::size_t n) {
  void* p = Counted(std::malloc(n == 0 ? 1 : n), n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

inline void* AllocateAligned(std::size_t n, std::align_val_t al) {
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  std::size_t size = (n + a - 1) / a * a;  // aligned_alloc wants a multiple
  void* p = Counted(std::aligned_alloc(a, size == 0 ? a : size), n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace ccbench::alloc

// The replaceable global allocation functions ([new.delete]). Defined here,
// not inline: the header is included by one translation unit per program.
void* operator new(std::size_t n) { return ccbench::alloc::Allocate(n); }
void* operator new[](std::size_t n) { return ccbench::alloc::Allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return ccbench::alloc::Counted(std::malloc(n == 0 ? 1 : n));
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return ccbench::alloc::Counted(std::malloc(n == 0 ? 1 : n));
}
void* operator new(std::size_t n, std::align_val_t al) {
  return ccbench::alloc::AllocateAligned(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al) {
  return ccbench::alloc::AllocateAligned(n, al);
}
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return ccbench::alloc::AllocateAligned(n, al);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return ccbench::alloc::AllocateAligned(n, al);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { ccbench::alloc::Release(p); }
void operator delete[](void* p) noexcept { ccbench::alloc::Release(p); }
void operator delete(void* p, std::size_t) noexcept { ccbench::alloc::Release(p); }
void operator delete[](void* p, std::size_t) noexcept { ccbench::alloc::Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept {
  ccbench::alloc::Release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  ccbench::alloc::Release(p);
}
void operator delete(void* p, std::align_val_t) noexcept { ccbench::alloc::Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { ccbench::alloc::Release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  ccbench::alloc::Release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  ccbench::alloc::Release(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  ccbench::alloc::Release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  ccbench::alloc::Release(p);
}

#endif  // CCENGINE_BENCH_ALLOC_COUNTER_H_
