// What Python hands back: the masker in force, and the permission checks of
// unmasked reads and erasures.

#include "masking.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace ccengine::python {

const compliance::Masker& MaskerFor(const PyEngine* engine) {
  static const compliance::Masker* const detectors_only = new compliance::Masker();
  if (engine == nullptr) return *detectors_only;
  if (engine->access() != nullptr) return engine->access()->policy().masker();
  // The routing file's version in force names the personal fields; it stays
  // in the engine's versions for the rest of this call (a reload is a call
  // of its own).
  if (engine->routing() != nullptr) {
    return engine->routing()->current()->access_policy().masker();
  }
  return *detectors_only;
}

void CheckPersonalData(const PyEngine* engine, uint32_t actor,
                       compliance::Permission permission,
                       const compliance::AccessSubject& subject) {
  const std::string_view name = compliance::PermissionName(permission);
  if (engine == nullptr || engine->access() == nullptr) {
    RaiseStatus(absl::PermissionDeniedError(fmt::format(
        "{} needs {}, and no access control is attached to judge and record it "
        "(Engine.attach_access)",
        permission == compliance::Permission::kPiiErase ? "an erasure"
                                                        : "an unmasked read",
        name)));
  }
  const uint32_t who = actor != 0 ? actor : engine->actor();
  Check(engine->access()->Check(who, permission, subject, engine->engine().Now()));
}

uint32_t ActorNumber(const PyEngine* engine, const std::string& name) {
  if (name.empty() || engine == nullptr || engine->access() == nullptr) return 0;
  absl::StatusOr<uint32_t> found = engine->access()->FindActor(name);
  if (!found.ok()) {
    RaiseStatus(absl::UnauthenticatedError(fmt::format("unknown actor '{}'", name)));
  }
  return *found;
}

}  // namespace ccengine::python
