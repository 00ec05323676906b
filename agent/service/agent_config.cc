#include "agent/service/agent_config.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "agent/base/file_util.h"
#include "agent/base/strings.h"
#ifdef _WIN32
#include "agent/base/windows_util.h"
#endif
#include "policy/bundle/schema_util.h"

namespace bulwark {
namespace po = boost::program_options;
namespace json = boost::json;

#ifdef _WIN32
namespace {
// %ProgramData%\Bulwark and %ProgramFiles%\Bulwark from the known folders (the usual paths
// when the shell cannot answer).
std::string ProgramDataBulwark() {
  Result<std::string> dir = win::ProgramDataDirectory();
  return (dir.ok() ? *dir : std::string("C:\\ProgramData")) + "\\Bulwark";
}
std::string ProgramFilesBulwark() {
  Result<std::string> dir = win::ProgramFilesDirectory();
  return (dir.ok() ? *dir : std::string("C:\\Program Files")) + "\\Bulwark";
}
}  // namespace
#endif

AgentConfig DefaultAgentConfig() {
  AgentConfig c;
#ifdef _WIN32
  c.state_dir = ProgramDataBulwark() + "\\state";
  c.status_file = ProgramDataBulwark() + "\\status.json";
  c.trust_anchor = ProgramFilesBulwark() + "\\root.json";
#else
  c.state_dir = "/var/lib/bulwark";
  c.status_file = "/run/bulwark/status.json";
  c.trust_anchor = "/etc/bulwark/root.json";
#endif
  return c;
}

std::string AgentConfig::InStateDir(std::string_view name) const {
#ifdef _WIN32
  constexpr char kSeparator = '\\';
#else
  constexpr char kSeparator = '/';
#endif
  std::string path = state_dir;
  if (!path.empty() && path.back() != kSeparator && path.back() != '/') path += kSeparator;
  path += name;
  return path;
}

std::string DefaultAgentConfigPath() {
#ifdef _WIN32
  return ProgramDataBulwark() + "\\agent.conf";
#else
  return "/etc/bulwark/agent.conf";
#endif
}

Result<AgentConfig> LoadAgentConfig(const std::string& path, bool required,
                                    const AgentConfig& base) {
  std::ifstream file(path);
  if (!file) {
    if (!required) return base;
    return Status(StatusCode::kNotFound, "cannot read config file '" + path + "'");
  }
  // The file names the collector, its CA and the state directory: a user who can change it
  // steers the service.
  RETURN_IF_ERROR(CheckOnlyAdminsCanWrite(path));
  AgentConfig c = base;
  long long interval = c.interval.count();
  long long policy_poll = c.policy_poll.count();
  long long connect_timeout = c.connect_timeout.count();
  long long timeout = c.timeout.count();
  long long backoff_base = c.backoff_base.count();
  long long backoff_cap = c.backoff_cap.count();
  std::size_t queue_max_mb = c.queue_max_bytes / (1024 * 1024);
  po::options_description desc;
  // clang-format off
  desc.add_options()
      ("server", po::value(&c.server))
      ("ca_file", po::value(&c.ca_file))
      ("pin", po::value(&c.pin))
      ("client_cert", po::value(&c.client_cert))
      ("client_key", po::value(&c.client_key))
      ("proxy", po::value(&c.proxy))
      ("state_dir", po::value(&c.state_dir))
      ("status_file", po::value(&c.status_file))
      ("trust_anchor", po::value(&c.trust_anchor))
      ("root", po::value(&c.root))
      ("policy_id", po::value(&c.policy_id))
      ("interval", po::value(&interval))
      ("splay", po::value(&c.splay))
      ("policy_poll", po::value(&policy_poll))
      ("connect_timeout", po::value(&connect_timeout))
      ("timeout", po::value(&timeout))
      ("queue_max_reports", po::value(&c.queue_max_reports))
      ("queue_max_mb", po::value(&queue_max_mb))
      ("upload_batch", po::value(&c.upload_batch))
      ("backoff_base", po::value(&backoff_base))
      ("backoff_cap", po::value(&backoff_cap));
  // clang-format on
  try {
    po::variables_map vm;
    po::store(po::parse_config_file(file, desc, /*allow_unregistered=*/false), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status(StatusCode::kInvalidArgument, path + ": " + e.what());
  }
  auto bad = [&](const std::string& what) {
    return Status(StatusCode::kInvalidArgument, path + ": " + what);
  };
  if (interval < 60 || interval > 7 * 24 * 3600) return bad("interval must be 60-604800 seconds");
  if (policy_poll < 10 || policy_poll > 24 * 3600)
    return bad("policy_poll must be 10-86400 seconds");
  if (c.splay < 0 || c.splay > 0.5) return bad("splay must be 0-0.5");
  if (connect_timeout < 1 || timeout < 1 || connect_timeout > timeout) {
    return bad("connect_timeout and timeout must be >= 1 and connect_timeout <= timeout");
  }
  if (backoff_base < 1 || backoff_cap < backoff_base)
    return bad("backoff_base must be >= 1 and <= backoff_cap");
  if (c.queue_max_reports < 1 || queue_max_mb < 1) return bad("queue limits must be at least 1");
  if (c.upload_batch < 1 || c.upload_batch > 1000) return bad("upload_batch must be 1-1000");
  if (!c.server.empty() && !StartsWith(c.server, "https://"))
    return bad("server must be an https:// URL");
  if (c.client_cert.empty() != c.client_key.empty())
    return bad("client_cert and client_key go together");
  if (c.state_dir.empty()) return bad("state_dir is empty");
  if (!c.policy_id.empty() && !bundle::IsIdentifier(c.policy_id)) {
    return bad(
        "policy_id must be 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter "
        "or digit");
  }
  c.interval = std::chrono::seconds(interval);
  c.policy_poll = std::chrono::seconds(policy_poll);
  c.connect_timeout = std::chrono::seconds(connect_timeout);
  c.timeout = std::chrono::seconds(timeout);
  c.backoff_base = std::chrono::seconds(backoff_base);
  c.backoff_cap = std::chrono::seconds(backoff_cap);
  c.queue_max_bytes = queue_max_mb * 1024 * 1024;
  return c;
}

Result<Enrollment> LoadEnrollment(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status(StatusCode::kNotFound, "not enrolled (no " + path + ")");
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object()) return Status(StatusCode::kDataLoss, path + " is not valid JSON");
  Enrollment e;
  auto field = [&](const char* name) {
    const json::value* v = doc.as_object().if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  e.server = field("server");
  e.ca_file = field("ca_file");
  e.pin = field("pin");
  e.device_id = field("device_id");
  e.enroll_secret_file = field("enroll_secret_file");
  if (e.server.empty()) return Status(StatusCode::kDataLoss, path + " names no server");
  return e;
}

Status SaveEnrollment(const std::string& path, const Enrollment& e) {
  json::object o{{"server", e.server},
                 {"ca_file", e.ca_file},
                 {"pin", e.pin},
                 {"device_id", e.device_id},
                 {"enroll_secret_file", e.enroll_secret_file}};
  return WriteFileAtomic(path, json::serialize(o) + "\n", 0600);
}

void ApplyEnrollment(const Enrollment& enrollment, AgentConfig& config) {
  if (config.server.empty()) config.server = enrollment.server;
  if (config.ca_file.empty()) config.ca_file = enrollment.ca_file;
  if (config.pin.empty()) config.pin = enrollment.pin;
}

}  // namespace bulwark
