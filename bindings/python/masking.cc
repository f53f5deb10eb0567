#include "masking.h"

#include "absl/status/status.h"

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

void CheckUnmask(const PyEngine* engine, uint32_t actor,
                 compliance::AccessSubject subject) {
  if (engine == nullptr || engine->access() == nullptr) {
    RaiseStatus(absl::PermissionDeniedError(
        "an unmasked read needs pii.unmask, and no access control is attached to judge "
        "and record it (Engine.attach_access)"));
  }
  const uint32_t who = actor != 0 ? actor : engine->actor();
  Check(engine->access()->Check(who, compliance::Permission::kPiiUnmask, subject,
                                engine->engine().Now()));
}

}  // namespace ccengine::python
