// bulwark-collector's configuration: command-line flags, optionally preceded by a config file
// of `name = value` lines using the same names (flags win over the file). Defaults suit a
// first run on one server; docs/collector.md lists every setting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/base/status.h"

namespace bulwark::collector {

struct CollectorConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  std::string tls_cert;
  std::string tls_key;
  bool generate_self_signed = false;
  std::string db;  // empty: sqlite:<data_dir>/collector.db
  std::string data_dir = "/var/lib/bulwark-collector";
  std::string admin_token_file;    // empty: <data_dir>/admin-token (created if missing)
  std::string enroll_secret_file;  // empty: <data_dir>/enroll-secret (created if missing)
  int threads = 0;                 // 0: four per core
  bool sqlite_full_sync = false;   // fsync every SQLite commit
  std::int64_t retention_days = 180;
  std::size_t max_connections = 1024;
  std::string port_file;  // when set, the bound port is written there once listening
};

enum class ConfigAction { kRun, kHelp, kVersion };

struct ParsedConfig {
  ConfigAction action = ConfigAction::kRun;
  CollectorConfig config;
  std::string help;  // the --help text
};

// Parses `args` (without argv[0]). kInvalidArgument names the bad flag, file line or value;
// kNotFound for a missing --config file.
Result<ParsedConfig> ParseCollectorConfig(const std::vector<std::string>& args);

// "HOST:PORT", "[v6]:PORT" or ":PORT" (all interfaces). kInvalidArgument otherwise.
Status ParseListenAddress(const std::string& text, std::string& host, std::uint16_t& port);

}  // namespace bulwark::collector
