// -----------------------------------------------------------------------------
// File: ccengine/core/internal/value_fields.h
// -----------------------------------------------------------------------------
//
// The fields of core's small value types, in a fixed order, for any reader or
// writer with the methods of src/common/byte_io.h (`Id`, `Unsigned`, `Bool`):
// one function per type serves both directions. Shared by the journal's
// command encoding and the engine's state (Engine::SaveState), so that a
// skill or a capacity is written one way. Not API.
//
// Thread safety: plain function templates.

#ifndef CCENGINE_CORE_INTERNAL_VALUE_FIELDS_H_
#define CCENGINE_CORE_INTERNAL_VALUE_FIELDS_H_

namespace ccengine::internal {

// A SkillLevel (or SkillRequirement): skill id, level.
template <typename Io, typename S>
void SkillFields(Io& io, S& s) {
  io.Id(s.skill);
  io.Unsigned(s.level);
}

// A Capacity: per channel the most contacts and the load of one, the budget,
// per channel whether it is exclusive.
template <typename Io, typename C>
void CapacityFields(Io& io, C& c) {
  for (auto& v : c.max_per_channel) io.Unsigned(v);
  for (auto& v : c.load_per_contact) io.Unsigned(v);
  io.Unsigned(c.load_budget);
  for (auto& v : c.exclusive) io.Bool(v);
}

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_VALUE_FIELDS_H_
