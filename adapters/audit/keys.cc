#include "ccengine/audit/keys.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace ccengine::audit {
namespace {

std::shared_ptr<void> Own(EVP_PKEY* key) {
  return {key, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }};
}

EVP_PKEY* Get(const std::shared_ptr<void>& key) {
  return static_cast<EVP_PKEY*>(key.get());
}

absl::Status CryptoError(std::string_view what) {
  const unsigned long code =
      ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  char text[256] = "no detail";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return absl::InternalError(fmt::format("libcrypto: {}: {}", what, text));
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return absl::ErrnoToStatus(err, fmt::format("cannot read key file {}", path));
  }
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > 64 * 1024) {
      return absl::InvalidArgumentError(fmt::format("key file {} is over 64 KiB", path));
    }
  }
  return text;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size =
      BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  return {data, static_cast<size_t>(size)};
}

Bio MemoryBio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

}  // namespace

absl::StatusOr<VerifyKey> VerifyKey::FromRaw(std::string_view raw) {
  if (raw.size() != kPublicKeyBytes) {
    return absl::InvalidArgumentError("an Ed25519 public key is 32 bytes");
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()),
      raw.size());
  if (key == nullptr) return CryptoError("EVP_PKEY_new_raw_public_key");
  VerifyKey out;
  out.key_ = Own(key);
  std::memcpy(out.raw_.data(), raw.data(), kPublicKeyBytes);
  return out;
}

absl::StatusOr<VerifyKey> VerifyKey::FromPem(std::string_view pem) {
  if (pem.size() > 64 * 1024) return absl::InvalidArgumentError("a PEM key over 64 KiB");
  Bio bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not an Ed25519 public key in PEM");
  }
  std::shared_ptr<void> owned = Own(key);
  VerifyKey out;
  size_t size = kPublicKeyBytes;
  if (EVP_PKEY_get_raw_public_key(key, out.raw_.data(), &size) != 1 ||
      size != kPublicKeyBytes) {
    return CryptoError("EVP_PKEY_get_raw_public_key");
  }
  out.key_ = std::move(owned);
  return out;
}

absl::StatusOr<VerifyKey> VerifyKey::ReadPemFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<VerifyKey> key = FromPem(*text);
  if (!key.ok())
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", path, std::string(key.status().message())));
  return key;
}

std::string VerifyKey::PublicPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), Get(key_));
  return BioText(bio.get());
}

bool VerifyKey::Verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kSignatureBytes || key_ == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, Get(key_)) == 1 &&
      EVP_DigestVerify(
          ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

absl::StatusOr<SigningKey> SigningKey::FromKey(std::shared_ptr<void> key) {
  SigningKey out;
  size_t size = kPublicKeyBytes;
  std::array<uint8_t, kPublicKeyBytes> raw{};
  if (EVP_PKEY_get_raw_public_key(Get(key), raw.data(), &size) != 1 ||
      size != kPublicKeyBytes) {
    return CryptoError("EVP_PKEY_get_raw_public_key");
  }
  absl::StatusOr<VerifyKey> public_key =
      VerifyKey::FromRaw({reinterpret_cast<const char*>(raw.data()), raw.size()});
  if (!public_key.ok()) return public_key.status();
  out.key_ = std::move(key);
  out.public_ = *std::move(public_key);
  return out;
}

absl::StatusOr<SigningKey> SigningKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return CryptoError("EVP_PKEY_Q_keygen");
  return FromKey(Own(key));
}

absl::StatusOr<SigningKey> SigningKey::FromPem(std::string_view pem) {
  if (pem.size() > 64 * 1024) return absl::InvalidArgumentError("a PEM key over 64 KiB");
  Bio bio = MemoryBio(pem);
  // No passphrase callback: an encrypted key is refused rather than prompted for.
  EVP_PKEY* key = PEM_read_bio_PrivateKey(
      bio.get(), nullptr, [](char*, int, int, void*) { return -1; }, nullptr);
  ERR_clear_error();
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not an Ed25519 private key in PEM");
  }
  return FromKey(Own(key));
}

absl::StatusOr<SigningKey> SigningKey::ReadPemFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<SigningKey> key = FromPem(*text);
  if (!key.ok())
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", path, std::string(key.status().message())));
  return key;
}

std::string SigningKey::PrivatePem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), Get(key_), nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio.get());
}

absl::StatusOr<std::string> SigningKey::Sign(std::string_view message) const {
  std::string signature(kSignatureBytes, '\0');
  size_t size = signature.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr &&
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, Get(key_)) == 1 &&
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || size != kSignatureBytes) return CryptoError("EVP_DigestSign");
  return signature;
}

}  // namespace ccengine::audit
