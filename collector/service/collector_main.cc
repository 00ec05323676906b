#include "collector/service/collector_main.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <thread>

#include "agent/sys/clock.h"
#include "collector/api/collector_api.h"
#include "collector/api/credentials.h"
#include "collector/http/https_server.h"
#include "collector/service/config.h"
#include "collector/service/secret_file.h"
#include "collector/store/store.h"

namespace bulwark::collector {
namespace {

constexpr std::chrono::hours kPruneInterval{1};

// Prunes report history once an hour until stopped.
class RetentionWorker {
 public:
  RetentionWorker(Store& store, const Clock& clock, std::int64_t days)
      : store_(store), clock_(clock), days_(days), thread_([this] { Run(); }) {}
  ~RetentionWorker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      const auto now =
          std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
      auto pruned = store_.PruneHistory(now - days_ * 86400);
      if (!pruned.ok()) {
        spdlog::warn("retention: {}", pruned.status().ToString());
      } else if (*pruned > 0) {
        spdlog::info("retention: deleted {} reports older than {} days", *pruned, days_);
      }
      lock.lock();
      cv_.wait_for(lock, kPruneInterval, [this] { return stop_; });
    }
  }

  Store& store_;
  const Clock& clock_;
  const std::int64_t days_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

Status PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status(StatusCode::kPermissionDenied, "cannot create '" + dir + "': " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Status::Ok();
}

}  // namespace

int RunCollector(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = ParseCollectorConfig(args);
  if (!parsed.ok()) {
    err << "bulwark-collector: " << parsed.status().message() << "\n";
    return 2;
  }
  if (parsed->action == ConfigAction::kHelp) {
    out << parsed->help;
    return 0;
  }
  if (parsed->action == ConfigAction::kVersion) {
    out << "bulwark-collector " << BULWARK_VERSION << "\n";
    return 0;
  }
  const CollectorConfig& config = parsed->config;
  auto fail = [&](const Status& s) {
    err << "bulwark-collector: " << s.message() << "\n";
    return 1;
  };

  if (Status s = PrepareDataDir(config.data_dir); !s.ok()) return fail(s);
  const bool default_admin = config.admin_token_file == config.data_dir + "/admin-token";
  const bool default_enroll = config.enroll_secret_file == config.data_dir + "/enroll-secret";
  auto admin_token = LoadOrCreateSecret(config.admin_token_file, default_admin);
  if (!admin_token.ok()) return fail(admin_token.status());
  auto enroll_secret = LoadOrCreateSecret(config.enroll_secret_file, default_enroll);
  if (!enroll_secret.ok()) return fail(enroll_secret.status());

  StoreOptions store_options;
  store_options.url = config.db;
  store_options.sqlite_full_sync = config.sqlite_full_sync;
  auto store = OpenStore(store_options);
  if (!store.ok()) return fail(store.status());

  std::string cert = config.tls_cert;
  std::string key = config.tls_key;
  if (config.generate_self_signed) {
    const std::string tls_dir = config.data_dir + "/tls";
    if (Status s = PrepareDataDir(tls_dir); !s.ok()) return fail(s);
    cert = tls_dir + "/cert.pem";
    key = tls_dir + "/key.pem";
    std::error_code ec;
    if (!std::filesystem::exists(cert, ec) || !std::filesystem::exists(key, ec)) {
      const std::vector<std::string> dns = {"localhost"};
      const std::vector<std::string> ips = {"127.0.0.1", "::1"};
      if (Status s = GenerateSelfSignedCertificate(cert, key, dns, ips, 825); !s.ok()) {
        return fail(s);
      }
      spdlog::info("generated a self-signed certificate: {}", cert);
    }
  }

  SystemClock clock;
  CollectorMetrics metrics;
  CollectorApiOptions api_options;
  api_options.enroll_secret = *enroll_secret;
  api_options.admin_token_sha256 = HashSecret(*admin_token);
  HttpsServer* server_ptr = nullptr;
  CollectorApi api(**store, clock, metrics, api_options, [&server_ptr] {
    return server_ptr != nullptr ? server_ptr->stats() : HttpsServerStats{};
  });

  HttpsServerOptions server_options;
  server_options.listen_host = config.listen_host;
  server_options.listen_port = config.listen_port;
  server_options.cert_file = cert;
  server_options.key_file = key;
  server_options.threads = config.threads;
  server_options.max_connections = config.max_connections;

  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = HttpsServer::Create(
      server_options, [&api](const HttpRequest& request) { return api.Handle(request); },
      [](const AccessLogEntry& e) {
        spdlog::info("{} {} {} {:.1f}ms device={} from={}", e.method, e.path, e.status,
                     static_cast<double>(e.duration.count()) / 1000.0,
                     e.device.empty() ? "-" : e.device, e.remote_address);
      });
  if (!server.ok()) return fail(server.status());
  server_ptr = server->get();
  if (!config.port_file.empty()) {
    std::ofstream port_file(config.port_file + ".tmp");
    port_file << (*server)->port() << "\n";
    port_file.close();
    std::filesystem::rename(config.port_file + ".tmp", config.port_file);
  }
  auto fingerprint = CertificateSha256(cert);
  spdlog::info("listening on https://{}:{} (store {}, certificate sha256 {})",
               config.listen_host.find(':') != std::string::npos ? "[" + config.listen_host + "]"
                                                                 : config.listen_host,
               (*server)->port(), (*store)->backend(),
               fingerprint.ok() ? *fingerprint : std::string("unknown"));
  (*server)->Start();
  {
    RetentionWorker retention(**store, clock, config.retention_days);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    spdlog::info("received {}, finishing in-flight requests", strsignal(signal_number));
    (*server)->Stop();
  }
  server_ptr = nullptr;
  spdlog::info("stopped");
  return 0;
}

}  // namespace bulwark::collector
