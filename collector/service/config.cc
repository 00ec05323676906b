#include "collector/service/config.h"

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "agent/base/strings.h"

namespace bulwark::collector {

namespace po = boost::program_options;

Status ParseListenAddress(const std::string& text, std::string& host, std::uint16_t& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Status(StatusCode::kInvalidArgument,
                  "--listen '" + text + "' must be HOST:PORT, e.g. 0.0.0.0:8443");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto p = ParseUint64(text.substr(colon + 1));
  if (!p || *p > 65535) {
    return Status(StatusCode::kInvalidArgument, "--listen '" + text + "' has a bad port");
  }
  host = h.empty() ? "0.0.0.0" : h;
  port = static_cast<std::uint16_t>(*p);
  return Status::Ok();
}

Result<ParsedConfig> ParseCollectorConfig(const std::vector<std::string>& args) {
  ParsedConfig parsed;
  CollectorConfig& c = parsed.config;
  std::string listen;
  std::string config_file;
  po::options_description desc(
      "Usage: bulwark-collector [--config FILE] [--listen HOST:PORT]\n"
      "         [--tls-cert FILE --tls-key FILE | --generate-self-signed]\n"
      "         [--db sqlite:PATH | --db postgresql://...] [--data-dir DIR]\n"
      "         [--admin-token-file FILE] [--enroll-secret-file FILE]\n\n"
      "Options");
  // clang-format off
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("config", po::value(&config_file), "read settings from FILE (name = value lines)")
      ("listen", po::value(&listen), "address to serve HTTPS on (default 127.0.0.1:8443)")
      ("tls-cert", po::value(&c.tls_cert), "PEM certificate chain")
      ("tls-key", po::value(&c.tls_key), "PEM private key")
      ("generate-self-signed", po::bool_switch(&c.generate_self_signed),
       "create (once) and use a self-signed certificate under DATA_DIR/tls")
      ("db", po::value(&c.db), "sqlite:PATH or postgresql://... (default sqlite:DATA_DIR/collector.db)")
      ("data-dir", po::value(&c.data_dir), "state directory (default /var/lib/bulwark-collector)")
      ("admin-token-file", po::value(&c.admin_token_file),
       "file holding the admin bearer token (default DATA_DIR/admin-token, created if missing)")
      ("enroll-secret-file", po::value(&c.enroll_secret_file),
       "file holding the agent enrolment secret (default DATA_DIR/enroll-secret, created if missing)")
      ("sqlite-full-sync", po::bool_switch(&c.sqlite_full_sync),
       "fsync every SQLite commit: no acknowledged report is lost to a power cut (about half the ingest rate)")
      ("threads", po::value(&c.threads), "server threads (default: four per core)")
      ("retention-days", po::value(&c.retention_days), "keep report history this many days (default 180)")
      ("max-connections", po::value(&c.max_connections), "concurrent connection cap (default 1024)")
      ("port-file", po::value(&c.port_file), "write the bound port to FILE once listening");
  // clang-format on
  std::ostringstream help;
  help << desc;
  parsed.help = help.str();

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("config")) {
      std::ifstream file(vm["config"].as<std::string>());
      if (!file) {
        return Status(StatusCode::kNotFound,
                      "cannot read config file '" + vm["config"].as<std::string>() + "'");
      }
      // Flags already stored win: program_options keeps the first value it sees.
      po::store(po::parse_config_file(file, desc, /*allow_unregistered=*/false), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return Status(StatusCode::kInvalidArgument, std::string(e.what()) + " (try --help)");
  }
  if (vm.count("help")) {
    parsed.action = ConfigAction::kHelp;
    return parsed;
  }
  if (vm.count("version")) {
    parsed.action = ConfigAction::kVersion;
    return parsed;
  }
  if (!listen.empty()) RETURN_IF_ERROR(ParseListenAddress(listen, c.listen_host, c.listen_port));
  if (c.generate_self_signed && (!c.tls_cert.empty() || !c.tls_key.empty())) {
    return Status(StatusCode::kInvalidArgument,
                  "--generate-self-signed and --tls-cert/--tls-key exclude each other");
  }
  if (!c.generate_self_signed && (c.tls_cert.empty() || c.tls_key.empty())) {
    return Status(
        StatusCode::kInvalidArgument,
        "HTTPS needs --tls-cert and --tls-key (or --generate-self-signed for a first run)");
  }
  if (c.retention_days < 1) {
    return Status(StatusCode::kInvalidArgument, "--retention-days must be at least 1");
  }
  if (c.threads < 0 || c.threads > 256) {
    return Status(StatusCode::kInvalidArgument, "--threads must be 0-256");
  }
  if (c.data_dir.empty()) return Status(StatusCode::kInvalidArgument, "--data-dir is empty");
  if (c.db.empty()) c.db = "sqlite:" + c.data_dir + "/collector.db";
  if (!StartsWith(c.db, "sqlite:") && !StartsWith(c.db, "postgresql://") &&
      !StartsWith(c.db, "postgres://")) {
    // Only the scheme is echoed: a URL may carry a password.
    const std::string scheme = c.db.substr(0, c.db.find(':'));
    return Status(StatusCode::kInvalidArgument, "--db: unknown database scheme '" + scheme +
                                                    "' (use sqlite:PATH or postgresql://...)");
  }
  if (c.admin_token_file.empty()) c.admin_token_file = c.data_dir + "/admin-token";
  if (c.enroll_secret_file.empty()) c.enroll_secret_file = c.data_dir + "/enroll-secret";
  return parsed;
}

}  // namespace bulwark::collector
