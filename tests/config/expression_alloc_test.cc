// Evaluating a compiled expression or a condition list allocates nothing: this
// executable replaces the global operator new to count allocations and
// evaluates a non-trivial expression and a list many times against several
// bindings.

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ccengine/config/expression.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// GCC sees the free() of a pointer from operator new in the replacements below
// and warns; they are a matched pair (malloc/free) by construction.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's temporary buffer, for one): every
// form the library may pair with the deletes below must come from malloc.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace ccengine::config {
namespace {

TEST(ExpressionAllocTest, EvaluationAllocatesNothing) {
  Schema schema;
  const AttributeId channel = *schema.Add("contact.channel", ValueType::kString);
  const AttributeId text = *schema.Add("contact.text", ValueType::kString);
  const AttributeId hour = *schema.Add("time.hour", ValueType::kNumber);
  const AttributeId vip = *schema.Add("customer.vip", ValueType::kBool);
  const AttributeId tags = *schema.Add("customer.tags", ValueType::kStringList);
  absl::StatusOr<Expression> e = Compile(
      "contact.channel IN ['voice', 'chat', 'video'] AND (contact.text CONTAINS '紧急' "
      "OR "
      "contact.text CONTAINS 'FIRE' OR customer.tags HAS 'elderly') AND NOT (time.hour < "
      "8 "
      "OR time.hour >= 22) OR (NOT customer.vip == false AND 'vip' IN customer.tags)",
      schema);
  ASSERT_TRUE(e.ok()) << e.status();

  std::vector<Bindings> contacts(4, Bindings(schema));
  contacts[0].SetString(channel, "voice");
  contacts[0].SetString(text, "there is a long description here and then: fire!");
  contacts[0].SetNumber(hour, 10);
  contacts[1].SetString(channel, "chat");
  contacts[1].SetString(text, "家里着火了，紧急");
  contacts[1].SetNumber(hour, 23);
  contacts[1].SetBool(vip, true);
  contacts[1].SetStringList(tags, {"vip", "elderly"});
  contacts[2].SetString(channel, "email");
  contacts[2].SetStringList(tags, {"elderly"});
  // contacts[3]: everything unset.

  const long before = g_allocations.load();
  int satisfied = 0;
  for (int i = 0; i < 100'000; ++i) {
    satisfied += e->Evaluate(contacts[i % contacts.size()]) ? 1 : 0;
  }
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(satisfied, 50'000);  // contacts 0 and 1

  // Nor does a condition list, through its guard index and its chain.
  std::vector<Expression> conditions;
  for (const char* text :
       {"contact.channel == 'email'",
        "contact.channel IN ['chat', 'video'] AND customer.vip", "time.hour >= 22",
        "contact.text CONTAINS 'fire'", "contact.channel == 'voice'"}) {
    conditions.push_back(*Compile(text, schema));
  }
  const ConditionList list(conditions);
  const long before_list = g_allocations.load();
  int sum = 0;
  for (int i = 0; i < 100'000; ++i) sum += list.FirstMatch(contacts[i % contacts.size()]);
  EXPECT_EQ(g_allocations.load() - before_list, 0);
  EXPECT_EQ(sum, 25'000 * (3 + 1 + 0 - 1));  // contacts 0..3 match 3, 1, 0, none

  // The counter does count: compiling allocates.
  const long before_compile = g_allocations.load();
  ASSERT_TRUE(Compile("time.hour > 3", schema).ok());
  EXPECT_GT(g_allocations.load(), before_compile);
}

}  // namespace
}  // namespace ccengine::config
