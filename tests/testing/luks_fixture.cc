#include "tests/testing/luks_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "agent/base/strings.h"
#include "platform/linux/posix_command_runner.h"

namespace bulwark::testing {
namespace {

std::string RunOrFail(const std::vector<std::string>& argv) {
  PosixCommandRunner runner;
  CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  auto result = runner.Run(argv, options);
  if (!result.ok()) {
    ADD_FAILURE() << Join(argv, " ") << ": " << result.status().ToString();
    return "";
  }
  if (result->exit_code != 0) {
    ADD_FAILURE() << Join(argv, " ") << " exited " << result->exit_code << ": "
                  << result->stderr_data;
  }
  return result->stdout_data;
}

void WriteKey(const std::string& path, int seed) {
  std::mt19937 gen(static_cast<unsigned>(seed));
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < 32; ++i) out.put(static_cast<char>(gen() & 0xff));
}

std::string TokenJson(const std::string& type, int keyslot) {
  std::string slots = "\"keyslots\":[\"" + std::to_string(keyslot) + "\"]";
  if (type == "systemd-tpm2") {
    // The fields systemd's token plugin insists on when it validates an import.
    return "{\"type\":\"systemd-tpm2\"," + slots +
           ",\"tpm2-blob\":\"AAAA\",\"tpm2-pcrs\":[7],\"tpm2-pcr-bank\":\"sha256\","
           "\"tpm2-primary-alg\":\"ecc\",\"tpm2-policy-hash\":"
           "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\","
           "\"tpm2-pin\":false}";
  }
  return "{\"type\":\"" + type + "\"," + slots + "}";
}

}  // namespace

bool HaveCryptsetup() {
  return ::access("/usr/sbin/cryptsetup", X_OK) == 0 || ::access("/sbin/cryptsetup", X_OK) == 0;
}

void MakeLuksImage(const std::string& path, const LuksImageOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  { std::ofstream create(path, std::ios::binary | std::ios::trunc); }
  // Sparse: a LUKS2 header area is 16 MiB; nothing beyond the header is ever written.
  ASSERT_EQ(::truncate(path.c_str(), 20 << 20), 0) << path;
  const std::string key = path + ".key";
  WriteKey(key, 1);
  std::vector<std::string> format = {"cryptsetup",
                                     "luksFormat",
                                     "--batch-mode",
                                     "--type",
                                     o.type,
                                     "--pbkdf",
                                     "pbkdf2",
                                     "--pbkdf-force-iterations",
                                     "1000",
                                     "--key-file",
                                     key};
  if (!o.cipher.empty()) {
    format.push_back("--cipher");
    format.push_back(o.cipher);
  }
  if (o.key_size_bits > 0) {
    format.push_back("--key-size");
    format.push_back(std::to_string(o.key_size_bits));
  }
  format.push_back(path);
  RunOrFail(format);
  int slot = 1;
  auto add_key = [&](int seed) {
    const std::string new_key = path + ".key" + std::to_string(seed);
    WriteKey(new_key, seed);
    RunOrFail({"cryptsetup", "luksAddKey", "--batch-mode", "--pbkdf", "pbkdf2",
               "--pbkdf-force-iterations", "1000", "--key-file", key, path, new_key});
    ::unlink(new_key.c_str());
  };
  for (int i = 0; i < o.extra_keyslots; ++i) add_key(++slot);
  for (const auto& token : o.tokens) {
    add_key(++slot);
    const std::string json_path = path + ".token.json";
    {
      std::ofstream json(json_path);
      json << TokenJson(token, slot - 1);
    }
    RunOrFail({"cryptsetup", "token", "import", "--json-file", json_path, path});
    ::unlink(json_path.c_str());
  }
  ::unlink(key.c_str());
}

LuksDump DumpLuks(const std::string& path) {
  LuksDump dump;
  std::string text = RunOrFail({"cryptsetup", "luksDump", path});
  std::string section;
  std::string cipher_name, cipher_mode;
  int current_token_id = -1;
  std::string current_token_type;
  for (std::string_view raw : SplitLines(text)) {
    std::string_view line = TrimWhitespace(raw);
    auto value_of = [&](std::string_view key) {
      return std::string(TrimWhitespace(line.substr(key.size())));
    };
    if (!raw.empty() && raw[0] != ' ' && raw[0] != '\t' && EndsWith(line, ":")) {
      section = std::string(line);
      continue;
    }
    if (StartsWith(line, "Version:")) dump.version = std::stoi(value_of("Version:"));
    if (StartsWith(line, "UUID:")) dump.uuid = value_of("UUID:");
    if (StartsWith(line, "Cipher name:")) cipher_name = value_of("Cipher name:");
    if (StartsWith(line, "Cipher mode:")) cipher_mode = value_of("Cipher mode:");
    if (StartsWith(line, "MK bits:")) dump.key_bits = std::stoi(value_of("MK bits:"));
    if (StartsWith(line, "Key Slot ") && EndsWith(line, "ENABLED")) {
      dump.keyslots.push_back(std::stoi(std::string(line.substr(9))));
    }
    if (section == "Data segments:" && StartsWith(line, "cipher:"))
      dump.cipher = value_of("cipher:");
    if (section == "Keyslots:") {
      // "  0: luks2" opens a keyslot; its "Key:        512 bits" gives the volume key size.
      if (raw.size() > 2 && raw[0] == ' ' && raw[1] == ' ' && raw[2] != ' ') {
        dump.keyslots.push_back(std::stoi(std::string(line)));
      }
      if (StartsWith(line, "Key:") && dump.key_bits == 0)
        dump.key_bits = std::stoi(value_of("Key:"));
    }
    if (section == "Tokens:") {
      if (raw.size() > 2 && raw[0] == ' ' && raw[1] == ' ' && raw[2] != ' ') {
        auto colon = line.find(':');
        current_token_id = std::stoi(std::string(line.substr(0, colon)));
        current_token_type = std::string(TrimWhitespace(line.substr(colon + 1)));
      }
      if (StartsWith(line, "Keyslot:") && current_token_id >= 0) {
        dump.tokens.emplace_back(current_token_type, std::stoi(value_of("Keyslot:")));
      }
    }
  }
  if (dump.version == 1) dump.cipher = cipher_name + "-" + cipher_mode;
  return dump;
}

}  // namespace bulwark::testing
