// -----------------------------------------------------------------------------
// File: ccengine/version.h
// -----------------------------------------------------------------------------
//
// The library's version, for products that log what they link.
//
// Thread safety: constants only.

#ifndef CCENGINE_VERSION_H_
#define CCENGINE_VERSION_H_

namespace ccengine {

inline constexpr int kVersionMajor = 0;
inline constexpr int kVersionMinor = 1;
inline constexpr int kVersionPatch = 0;
inline constexpr const char* kVersionString = "0.1.0";

}  // namespace ccengine

#endif  // CCENGINE_VERSION_H_
