// -----------------------------------------------------------------------------
// File: ccengine/audit/keys.h
// -----------------------------------------------------------------------------
//
// The Ed25519 keys (RFC 8032, OpenSSL's libcrypto) that sign the audit log's
// checkpoints. The private key stays with the process that writes the log;
// the public key goes to whoever verifies it (an auditor, a monitoring job)
// and is the only thing they must trust. Keys are read and written as PEM
// (PKCS #8 for the private key, SubjectPublicKeyInfo for the public one), the
// form `openssl genpkey -algorithm ed25519` writes and `openssl pkey` reads.
//
// Errors: InvalidArgument for text that is not an Ed25519 key in PEM
// ("not an Ed25519 private key in PEM"); NotFound / PermissionDenied naming
// the file when a key file cannot be read; Internal when libcrypto fails.
//
// Thread safety: keys are immutable after creation; copies share the
// underlying key, and Sign / Verify may be called from any thread.
//
// Example:
//   absl::StatusOr<SigningKey> key = SigningKey::Generate();
//   std::string pem = key->PrivatePem();           // keep it secret
//   std::string pub = key->verify_key().PublicPem();  // give it to auditors

#ifndef CCENGINE_ADAPTERS_AUDIT_INCLUDE_CCENGINE_AUDIT_KEYS_H_
#define CCENGINE_ADAPTERS_AUDIT_INCLUDE_CCENGINE_AUDIT_KEYS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ccengine::audit {

inline constexpr size_t kSignatureBytes = 64;
inline constexpr size_t kPublicKeyBytes = 32;

// The public half: checks signatures.
class VerifyKey {
 public:
  static absl::StatusOr<VerifyKey> FromPem(std::string_view pem);
  static absl::StatusOr<VerifyKey> ReadPemFile(const std::string& path);
  // The raw 32-byte public key (the form the log's header names).
  static absl::StatusOr<VerifyKey> FromRaw(std::string_view raw);

  std::string PublicPem() const;
  const std::array<uint8_t, kPublicKeyBytes>& raw() const { return raw_; }
  // True when `signature` (64 bytes) is this key's signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  VerifyKey() = default;
  std::shared_ptr<void> key_;  // EVP_PKEY
  std::array<uint8_t, kPublicKeyBytes> raw_{};
  friend class SigningKey;
};

// The private half: signs.
class SigningKey {
 public:
  static absl::StatusOr<SigningKey> Generate();
  static absl::StatusOr<SigningKey> FromPem(std::string_view pem);
  static absl::StatusOr<SigningKey> ReadPemFile(const std::string& path);

  std::string PrivatePem() const;
  const VerifyKey& verify_key() const { return public_; }
  // The 64-byte signature of `message`.
  absl::StatusOr<std::string> Sign(std::string_view message) const;

 private:
  SigningKey() = default;
  static absl::StatusOr<SigningKey> FromKey(std::shared_ptr<void> key);
  std::shared_ptr<void> key_;  // EVP_PKEY
  VerifyKey public_;
};

}  // namespace ccengine::audit

#endif  // CCENGINE_ADAPTERS_AUDIT_INCLUDE_CCENGINE_AUDIT_KEYS_H_
