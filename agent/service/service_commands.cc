#include "agent/service/service_commands.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <filesystem>

#include "agent/base/file_util.h"
#include "agent/base/strings.h"
#include "agent/queue/report_queue.h"
#include "agent/service/agent_service.h"
#include "agent/service/enroll.h"
#include "agent/service/status_file.h"
#include "agent/state/agent_state.h"
#include "agent/upload/uploader.h"
#include "policy/bundle/trust_root.h"

namespace bulwark {
namespace po = boost::program_options;
namespace json = boost::json;
namespace {

constexpr char kProgram[] = "bulwark-agent";

int Fail(std::ostream& err, const std::string& message) {
  err << kProgram << ": " << message << "\n";
  return 1;
}

// Parses options only (a stray word is an error); false after printing the usage error.
bool ParseOptions(const std::vector<std::string>& args, const po::options_description& desc,
                  po::variables_map& vm, std::ostream& err,
                  std::vector<std::string>* positional = nullptr) {
  try {
    po::parsed_options parsed =
        po::command_line_parser(args)
            .options(desc)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .allow_unregistered()
            .run();
    for (const auto& option : parsed.options) {
      if (option.unregistered && option.position_key < 0) {
        err << kProgram << ": unrecognised option '" << option.original_tokens.front() << "' (try '"
            << kProgram << " --help')\n";
        return false;
      }
      if (option.position_key >= 0) {
        if (positional == nullptr) {
          err << kProgram << ": unexpected argument '" << option.original_tokens.front()
              << "' (try '" << kProgram << " --help')\n";
          return false;
        }
        positional->push_back(option.original_tokens.front());
      }
    }
    po::store(parsed, vm);
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    err << kProgram << ": " << e.what() << " (try '" << kProgram << " --help')\n";
    return false;
  }
}

// The config named by --config (must exist) or the default file (may be absent), with what
// enrolment stored filling the gaps.
Result<AgentConfig> LoadConfig(const po::variables_map& vm, bool apply_enrollment = true) {
  const bool named = vm.count("config") > 0;
  const std::string path = named ? vm["config"].as<std::string>() : DefaultAgentConfigPath();
  ASSIGN_OR_RETURN(AgentConfig config, LoadAgentConfig(path, named, DefaultAgentConfig()));
  if (apply_enrollment) {
    if (auto e = LoadEnrollment(config.EnrollmentPath()); e.ok()) ApplyEnrollment(*e, config);
  }
  return config;
}

}  // namespace

int RunServiceCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                      std::ostream& out, std::ostream& err) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("once", po::bool_switch())(
      "help,h", po::bool_switch());
  po::variables_map vm;
  if (!ParseOptions(args, desc, vm, err)) return 1;
  if (vm["help"].as<bool>()) {
    out << "Usage: bulwark-agent run [--config FILE] [--once]\n"
           "Run the agent service: fetch the signed policy, scan, queue and upload reports.\n"
           "  --config FILE   settings file (default "
        << DefaultAgentConfigPath()
        << ")\n"
           "  --once          one full cycle (policy, scan, upload), then exit: 0 when the\n"
           "                  report was delivered, 1 when it stays queued or failed\n";
    return 0;
  }
  auto config = LoadConfig(vm, /*apply_enrollment=*/false);
  if (!config.ok()) return Fail(err, config.status().message());
  AgentServiceOptions options;
  options.config_required = vm.count("config") > 0;
  options.config_path =
      options.config_required ? vm["config"].as<std::string>() : DefaultAgentConfigPath();
  options.once = vm["once"].as<bool>();
  ServiceControl control;
  std::shared_ptr<void> routing = platform.RouteSignals(control);
  std::unique_ptr<ServiceNotifier> notifier = platform.MakeNotifier();
  return RunAgentService(*config, options, platform, control, *notifier, err);
}

int RunEnrollCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                     std::ostream& out, std::ostream& err) {
  po::options_description desc;
  desc.add_options()("server", po::value<std::string>())(
      "enroll-secret-file", po::value<std::string>())("ca-file", po::value<std::string>())(
      "pin", po::value<std::string>())("config", po::value<std::string>())("help,h",
                                                                           po::bool_switch());
  po::variables_map vm;
  if (!ParseOptions(args, desc, vm, err)) return 1;
  if (vm["help"].as<bool>()) {
    out << "Usage: bulwark-agent enroll --server URL --enroll-secret-file FILE [--ca-file FILE]\n"
           "                            [--pin sha256//BASE64] [--config FILE]\n"
           "Enrol this machine with the collector and store its device credential (0600).\n";
    return 0;
  }
  if (!vm.count("server")) return Fail(err, "enroll needs --server URL");
  if (!vm.count("enroll-secret-file")) return Fail(err, "enroll needs --enroll-secret-file FILE");
  auto config = LoadConfig(vm, /*apply_enrollment=*/false);
  if (!config.ok()) return Fail(err, config.status().message());
  Enrollment enrollment;
  enrollment.server = vm["server"].as<std::string>();
  enrollment.ca_file = vm.count("ca-file") ? vm["ca-file"].as<std::string>() : config->ca_file;
  enrollment.pin = vm.count("pin") ? vm["pin"].as<std::string>() : config->pin;
  enrollment.enroll_secret_file = vm["enroll-secret-file"].as<std::string>();
  // The command line wins over the file for this enrolment.
  config->server = enrollment.server;
  config->ca_file = enrollment.ca_file;
  config->pin = enrollment.pin;
  auto secret = ReadSecretFile(enrollment.enroll_secret_file);
  if (!secret.ok()) return Fail(err, "enrolment secret: " + secret.status().message());
  auto client = MakeCollectorClient(*config);
  if (!client.ok()) return Fail(err, client.status().message());
  auto system = platform.MakeSystem(config->root);
  if (!system.ok()) return Fail(err, system.status().message());
  FactsDocument facts = CollectFacts(platform, **system);
  auto enrolled = EnrollDevice(*config, enrollment, *secret, facts, **client);
  if (!enrolled.ok()) return Fail(err, enrolled.status().message());
  // state.db starts with the enrolment: from now on its absence is a STATE_RESET.
  if (auto state = state::AgentState::Open(config->StateDbPath()); !state.ok()) {
    return Fail(err, "enrolled, but " + state.status().message());
  }
  out << "Enrolled " << facts.host.hostname.value_or("this machine") << " as device "
      << enrolled->device_id << " with " << enrolled->server << "\n";
  return 0;
}

int RunPreseedCommand(const std::vector<std::string>& args, const AgentPlatform& /*platform*/,
                      std::ostream& out, std::ostream& err) {
  po::options_description desc;
  desc.add_options()("server", po::value<std::string>()->default_value(""))(
      "enroll-secret", po::value<std::string>()->default_value(""))(
      "enroll-secret-file", po::value<std::string>()->default_value(""))(
      "ca-file", po::value<std::string>()->default_value(""))(
      "pin", po::value<std::string>()->default_value(""))(
      "trust-root", po::value<std::string>()->default_value(""))(
      "config", po::value<std::string>())("help,h", po::bool_switch());
  po::variables_map vm;
  if (!ParseOptions(args, desc, vm, err)) return 1;
  if (vm["help"].as<bool>()) {
    out << "Usage: bulwark-agent preseed --server URL (--enroll-secret SECRET |\n"
           "                             --enroll-secret-file FILE) [--ca-file FILE]\n"
           "                             [--pin sha256//BASE64] [--trust-root FILE]\n"
           "                             [--config FILE]\n"
           "Prepare this machine to enrol itself: the service enrols with the collector at its\n"
           "next start, retrying until the collector answers. Nothing is sent now. The secret,\n"
           "the CA file and the trust root are copied into the agent's protected directories.\n"
           "An empty value counts as not given (installers pass unset properties as \"\").\n";
    return 0;
  }
  // An installer passes every property it has; "" means the administrator did not set it.
  auto arg = [&vm](const char* name) { return vm[name].as<std::string>(); };
  const std::string server = arg("server");
  if (server.empty()) return Fail(err, "preseed needs --server URL");
  if (!arg("enroll-secret").empty() && !arg("enroll-secret-file").empty()) {
    return Fail(err, "preseed takes --enroll-secret or --enroll-secret-file, not both");
  }
  std::string secret = std::string(TrimWhitespace(arg("enroll-secret")));
  if (!arg("enroll-secret-file").empty()) {
    auto read = ReadSecretFile(arg("enroll-secret-file"));
    if (!read.ok()) return Fail(err, "enrolment secret: " + read.status().message());
    secret = *read;
  }
  if (secret.empty()) return Fail(err, "preseed needs --enroll-secret or --enroll-secret-file");
  auto config = LoadConfig(vm, /*apply_enrollment=*/false);
  if (!config.ok()) return Fail(err, config.status().message());

  // Everything is checked before anything is written: a bad value fails the install cleanly.
  std::string ca_pem;
  if (!arg("ca-file").empty()) {
    auto read = ReadWholeFile(arg("ca-file"));
    if (!read.ok()) return Fail(err, "CA file: " + read.status().message());
    if (read->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return Fail(err, "CA file " + arg("ca-file") + " holds no PEM certificate");
    }
    ca_pem = std::move(*read);
  }
  std::string root;
  if (!arg("trust-root").empty()) {
    auto read = ReadWholeFile(arg("trust-root"));
    if (!read.ok()) return Fail(err, "trust root: " + read.status().message());
    if (auto trusted = bundle::LoadTrustedRoot(*read); !trusted.ok()) {
      return Fail(err, "trust root rejected: " + trusted.error().ToString());
    }
    root = std::move(*read);
  }
  Enrollment preseed;
  preseed.server = server;
  preseed.pin = arg("pin");
  preseed.ca_file = ca_pem.empty() ? "" : config->CollectorCaPath();
  preseed.enroll_secret_file = config->EnrollSecretPath();
  {
    // The same checks the service's client makes: an https URL, a well-formed pin.
    AgentConfig probe = *config;
    probe.server = preseed.server;
    probe.pin = preseed.pin;
    probe.ca_file.clear();
    if (auto client = MakeCollectorClient(probe); !client.ok()) {
      return Fail(err, client.status().message());
    }
  }

  Status s = PrepareStateDir(config->state_dir);
  if (s.ok()) s = WriteFileAtomic(preseed.enroll_secret_file, secret + "\n", 0600);
  if (s.ok() && !ca_pem.empty()) s = WriteFileAtomic(preseed.ca_file, ca_pem, 0600);
  if (s.ok() && !root.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(config->trust_anchor).parent_path(),
                                        ec);
    s = WriteFileAtomic(config->trust_anchor, root, 0644);
  }
  if (s.ok()) s = SaveEnrollment(config->PreseedPath(), preseed);
  if (!s.ok()) return Fail(err, "preseed: " + s.message());
  if (LoadCredential(*config).ok()) {
    out << "Already enrolled: the enrolment is kept; the preseed for " << server
        << " serves if it is lost\n";
  } else {
    out << "Preseeded: the service enrols with " << server << " when it starts\n";
  }
  return 0;
}

int RunStatusCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                     std::ostream& out, std::ostream& err) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("json", po::bool_switch())(
      "help,h", po::bool_switch());
  po::variables_map vm;
  if (!ParseOptions(args, desc, vm, err)) return 1;
  if (vm["help"].as<bool>()) {
    out << "Usage: bulwark-agent status [--json] [--config FILE]\n"
           "Show the last scan: each failing check with how to fix it and its deadline.\n";
    return 0;
  }
  // Any user may run this: only the status file is read, never the state directory.
  auto config = LoadConfig(vm, /*apply_enrollment=*/false);
  if (!config.ok()) return Fail(err, config.status().message());
  auto status = ReadStatusFile(config->status_file);
  if (!status.ok()) return Fail(err, status.status().message());
  if (vm["json"].as<bool>()) {
    out << json::serialize(*status) << "\n";
  } else {
    auto system = platform.MakeSystem("/");
    const SystemTime now =
        system.ok() ? (*system)->clock().Now() : std::chrono::system_clock::now();
    out << RenderStatus(*status, now);
  }
  out.flush();
  return out ? 0 : Fail(err, "cannot write output");
}

int RunQueueCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                    std::ostream& out, std::ostream& err) {
  po::options_description desc;
  desc.add_options()("config", po::value<std::string>())("json", po::bool_switch())(
      "help,h", po::bool_switch());
  po::variables_map vm;
  std::vector<std::string> words;
  if (!ParseOptions(args, desc, vm, err, &words)) return 1;
  if (vm["help"].as<bool>() || words.size() != 1 || (words[0] != "stats" && words[0] != "flush")) {
    (vm["help"].as<bool>() ? out : err)
        << "Usage: bulwark-agent queue stats|flush [--json] [--config FILE]\n"
           "  stats   reports waiting, refused (dead letters), dropped, lost to corruption\n"
           "  flush   upload every waiting report now\n";
    return vm["help"].as<bool>() ? 0 : 1;
  }
  auto config = LoadConfig(vm);
  if (!config.ok()) return Fail(err, config.status().message());
  auto system = platform.MakeSystem("/");
  if (!system.ok()) return Fail(err, system.status().message());
  auto q = queue::OpenReportQueue(config->QueueDbPath(),
                                  {config->queue_max_reports, config->queue_max_bytes},
                                  (*system)->clock());
  if (!q.ok()) return Fail(err, q.status().message());
  if (words[0] == "flush") {
    auto credential = LoadCredential(*config);
    if (!credential.ok()) return Fail(err, credential.status().message());
    auto client = MakeCollectorClient(*config);
    if (!client.ok()) return Fail(err, client.status().message());
    upload::UploaderOptions options;
    options.batch_max_reports = config->upload_batch;
    upload::Uploader uploader(
        **q, **client, [&] { return *credential; }, (*system)->clock(), options,
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::atomic<bool> stop{false};
    auto drained = uploader.Drain(stop);
    if (!drained.ok()) return Fail(err, "flush: " + drained.status().message());
    if (drained->outcome != upload::UploadOutcome::kEmpty) {
      return Fail(err, "flush stopped (" +
                           std::string(upload::UploadOutcomeName(drained->outcome)) + ")" +
                           (drained->last_error.ok() ? "" : ": " + drained->last_error.message()));
    }
    out << "flushed: " << drained->acked << " report(s) acknowledged, " << drained->dead_lettered
        << " refused\n";
  }
  auto stats = (*q)->Stats();
  if (!stats.ok()) return Fail(err, stats.status().message());
  const queue::QueueStats& s = *stats;
  if (vm["json"].as<bool>()) {
    json::object o{{"pending", s.pending},
                   {"pending_bytes", s.pending_bytes},
                   {"dead_letters", s.dead_letters},
                   {"enqueued_total", s.enqueued_total},
                   {"acked_total", s.acked_total},
                   {"dropped_total", s.dropped_total},
                   {"dead_lettered_total", s.dead_lettered_total},
                   {"corruption_resets", s.corruption_resets},
                   {"lost_to_corruption", s.lost_to_corruption}};
    o["oldest_queued_at"] =
        s.oldest_queued_at ? json::value(FormatRfc3339(*s.oldest_queued_at)) : json::value(nullptr);
    out << json::serialize(o) << "\n";
  } else {
    out << "pending:             " << s.pending << " (" << s.pending_bytes << " bytes)\n"
        << "oldest pending:      "
        << (s.oldest_queued_at ? FormatRfc3339(*s.oldest_queued_at) : std::string("-")) << "\n"
        << "dead letters:        " << s.dead_letters << "\n"
        << "enqueued (total):    " << s.enqueued_total << "\n"
        << "acknowledged:        " << s.acked_total << "\n"
        << "dropped (queue full):"
        << " " << s.dropped_total << "\n"
        << "corruption resets:   " << s.corruption_resets << " (" << s.lost_to_corruption
        << " reports lost)\n";
  }
  return 0;
}

}  // namespace bulwark
