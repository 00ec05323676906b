#include "platform/linux/cryptsetup_luks_reader.h"

#include <libcryptsetup.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <memory>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

// Collects libcryptsetup's messages for one call so they can go into the Status.
void CollectLog(int level, const char* msg, void* usrptr) {
  if (usrptr == nullptr || msg == nullptr || level == CRYPT_LOG_DEBUG) return;
  auto* sink = static_cast<std::string*>(usrptr);
  if (sink->size() < 1024) *sink += std::string(TrimWhitespace(msg)) + "; ";
}

// Silences the library-wide default logger, which would print to stderr before a
// per-device callback can be installed.
void DropLog(int, const char*, void*) {}

struct CryptFree {
  void operator()(crypt_device* cd) const { crypt_free(cd); }
};
using CryptPtr = std::unique_ptr<crypt_device, CryptFree>;

Status FromCryptError(int rc, const std::string& what, const std::string& log) {
  std::string context = what;
  if (!log.empty()) context += " (" + log.substr(0, log.size() - 2) + ")";
  int err = rc < 0 ? -rc : rc;
  if (err == EINVAL) return InvalidArgumentError(what + ": no LUKS header");
  return ErrnoToStatus(err, context);
}

std::vector<int> KeyslotsOfToken(const char* json_text) {
  std::vector<int> out;
  boost::system::error_code ec;
  auto value = boost::json::parse(json_text == nullptr ? "" : json_text, ec);
  if (ec || !value.is_object()) return out;
  const auto* slots = value.as_object().if_contains("keyslots");
  if (slots == nullptr || !slots->is_array()) return out;
  for (const auto& s : slots->as_array()) {
    if (!s.is_string()) continue;
    if (auto n = ParseUint64(s.as_string()); n && *n < 1024) out.push_back(static_cast<int>(*n));
  }
  return out;
}

}  // namespace

CryptsetupLuksReader::CryptsetupLuksReader() {
  crypt_set_log_callback(nullptr, DropLog, nullptr);
  // Reading a header needs no lock, and taking one would need write access to
  // /run/cryptsetup that an unprivileged audit does not have.
  crypt_metadata_locking(nullptr, 0);
}

Result<LuksHeader> CryptsetupLuksReader::ReadHeader(const std::string& host_path) const {
  // libcryptsetup reports "does not exist or access denied" as one errno; find out which
  // ourselves so the reason can tell the user to run as root.
  if (::access(host_path.c_str(), F_OK) != 0) return ErrnoToStatus(errno, host_path);
  if (::access(host_path.c_str(), R_OK) != 0) return ErrnoToStatus(errno, host_path);

  std::string log;
  crypt_device* raw = nullptr;
  int rc = crypt_init(&raw, host_path.c_str());
  CryptPtr cd(raw);
  if (rc < 0) return FromCryptError(rc, host_path, log);
  crypt_set_log_callback(cd.get(), CollectLog, &log);
  rc = crypt_load(cd.get(), CRYPT_LUKS, nullptr);
  if (rc < 0) return FromCryptError(rc, host_path, log);

  LuksHeader header;
  const char* type = crypt_get_type(cd.get());
  header.version = AsciiLower(type == nullptr ? "" : type);
  const char* cipher = crypt_get_cipher(cd.get());
  const char* mode = crypt_get_cipher_mode(cd.get());
  if (cipher != nullptr) header.cipher = cipher;
  if (mode != nullptr && *mode != '\0') header.cipher += std::string("-") + mode;
  header.key_bits = crypt_get_volume_key_size(cd.get()) * 8;
  const char* uuid = crypt_get_uuid(cd.get());
  if (uuid != nullptr) header.uuid = AsciiLower(uuid);

  const int max_slots = crypt_keyslot_max(type);
  for (int slot = 0; slot < max_slots; ++slot) {
    crypt_keyslot_info info = crypt_keyslot_status(cd.get(), slot);
    if (info != CRYPT_SLOT_ACTIVE && info != CRYPT_SLOT_ACTIVE_LAST) continue;
    LuksKeyslot ks;
    ks.slot = slot;
    crypt_pbkdf_type pbkdf{};
    if (crypt_keyslot_get_pbkdf(cd.get(), slot, &pbkdf) == 0 && pbkdf.type != nullptr) {
      ks.pbkdf = pbkdf.type;
    }
    header.active_keyslots.push_back(std::move(ks));
  }
  if (header.version == "luks2") {
    for (int token = 0; token < 32; ++token) {
      const char* token_type = nullptr;
      crypt_token_info info = crypt_token_status(cd.get(), token, &token_type);
      if (info == CRYPT_TOKEN_INVALID || info == CRYPT_TOKEN_INACTIVE) continue;
      const char* json = nullptr;
      if (crypt_token_json_get(cd.get(), token, &json) < 0) continue;
      header.tokens.push_back(
          {token, token_type == nullptr ? "" : token_type, KeyslotsOfToken(json)});
    }
  }
  return header;
}

Result<ActiveCrypt> CryptsetupLuksReader::ReadActive(const std::string& dm_name) const {
  std::string log;
  crypt_device* raw = nullptr;
  int rc = crypt_init_by_name(&raw, dm_name.c_str());
  CryptPtr cd(raw);
  if (rc < 0) return FromCryptError(rc, "active mapping " + dm_name, log);
  ActiveCrypt active;
  const char* cipher = crypt_get_cipher(cd.get());
  const char* mode = crypt_get_cipher_mode(cd.get());
  if (cipher == nullptr) return NotFoundError("active mapping " + dm_name + ": no cipher");
  active.cipher = cipher;
  if (mode != nullptr && *mode != '\0') active.cipher += std::string("-") + mode;
  active.key_bits = crypt_get_volume_key_size(cd.get()) * 8;
  return active;
}

}  // namespace bulwark
