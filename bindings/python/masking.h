// -----------------------------------------------------------------------------
// File: bindings/python/masking.h
// -----------------------------------------------------------------------------
//
// Personal data leaving through Python: what the module hands back (a
// contact's customer id and attributes, a ticket's text, customer, address
// and fields, free-text reasons) is masked by the masker of the engine's
// access policy: the attached access control's, else the routing file's the
// engine was made from, else the detectors alone. A read asked for unmasked needs pii.unmask over what it reads,
// checked by the engine's access control, which also passes the read to its
// decision sink (the audit trail).
//
// Thread safety: as PyEngine; called with the GIL held.

#ifndef CCENGINE_BINDINGS_PYTHON_MASKING_H_
#define CCENGINE_BINDINGS_PYTHON_MASKING_H_

#include <cstdint>
#include <string>

#include "ccengine/compliance/access.h"
#include "ccengine/compliance/pii.h"
#include "engine_binding.h"

namespace ccengine::python {

// The masker of the attached access control's policy, else of the routing
// file `engine` was made from (its version in force), else the detectors
// alone (also for a null `engine`). Valid until the engine's routing file
// is reloaded or its access control replaced.
const compliance::Masker& MaskerFor(const PyEngine* engine);

// Raises unless actor `actor` (0: the engine's Engine.actor) holds
// `permission` (pii.unmask, pii.erase) over `subject` now: PermissionDenied
// when `engine` is null or has no access control attached (nothing could
// grant or record the use), else the access control's refusal.
void CheckPersonalData(const PyEngine* engine, uint32_t actor,
                       compliance::Permission permission,
                       const compliance::AccessSubject& subject);

// The number of the actor named `name` in the engine's access control; 0
// (Engine.actor) for "" or when `engine` is null or has none attached.
// Raises Unauthenticated for a name the access control does not know.
uint32_t ActorNumber(const PyEngine* engine, const std::string& name);

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_MASKING_H_
