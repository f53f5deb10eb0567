// CCENGINE_TEST_SANITIZED: defined to 1 when this translation unit is built
// with AddressSanitizer or ThreadSanitizer (GCC's __SANITIZE_*__ macros,
// clang's __has_feature). Long randomized suites run fewer steps then: every
// step costs many times more under a sanitizer. scripts/test.sh runs them at
// full size too, in its release build.
#ifndef CCENGINE_TESTS_TESTING_SANITIZED_H_
#define CCENGINE_TESTS_TESTING_SANITIZED_H_

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CCENGINE_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CCENGINE_TEST_SANITIZED 1
#endif
#endif

#endif  // CCENGINE_TESTS_TESTING_SANITIZED_H_
