#include "agent/service/agent_service.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "agent/base/file_util.h"
#include "agent/facts/facts_json.h"
#include "agent/net/https_client.h"
#include "agent/queue/report_queue.h"
#include "agent/service/cycle_report.h"
#include "agent/service/enroll.h"
#include "agent/service/status_file.h"
#include "agent/state/agent_state.h"
#include "agent/state/policy_updater.h"
#include "agent/upload/backoff.h"
#include "agent/upload/uploader.h"
#include "policy/bundle/trust_root.h"
#include "policy/engine/engine.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark {
namespace json = boost::json;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

constexpr std::size_t kMaxRootBytes = 64 * 1024;
constexpr std::size_t kMaxPolicyBytes = 1024 * 1024;

// The collector's policy routes over HTTPS, authenticated with the device credential.
class HttpsPolicyFetcher final : public state::PolicyFetcher {
 public:
  HttpsPolicyFetcher(net::HttpsClient& client, const std::string& credential)
      : client_(client), credential_(credential) {}

  Result<std::string> FetchRoot(std::uint64_t version) override {
    net::HttpRequest request;
    request.path = "/api/v1/trust/" + std::to_string(version) + ".root.json";
    request.headers = {{"Authorization", "Bearer " + credential_}};
    request.max_response_bytes = kMaxRootBytes;
    ASSIGN_OR_RETURN(net::HttpResponse r, client_.Send(request));
    if (r.status == 404) return Status(StatusCode::kNotFound, "root " + std::to_string(version));
    if (r.status == 401) unauthorized_ = true;
    if (r.status != 200) {
      return Status(StatusCode::kUnavailable,
                    "GET " + request.path + ": HTTP " + std::to_string(r.status));
    }
    return std::move(r.body);
  }

  Result<state::PolicyFetcher::FetchedPolicy> FetchPolicy(
      const std::string& if_none_match) override {
    net::HttpRequest request;
    request.path = "/api/v1/policy";
    request.headers = {{"Authorization", "Bearer " + credential_}};
    if (!if_none_match.empty()) request.headers.emplace_back("If-None-Match", if_none_match);
    request.max_response_bytes = kMaxPolicyBytes;
    auto r = client_.Send(request);
    state::PolicyFetcher::FetchedPolicy fetched;
    if (!r.ok() && r.status().code() == StatusCode::kResourceExhausted) {
      // Over the cap: the verifier names it (E_SIZE) like any other bad bundle.
      fetched.envelope = std::string(kMaxPolicyBytes + 1, ' ');
      return fetched;
    }
    if (!r.ok()) return r.status();
    if (r->status == 304) {
      fetched.not_modified = true;
      fetched.etag = if_none_match;
      return fetched;
    }
    if (r->status == 401) unauthorized_ = true;
    if (r->status != 200) {
      return Status(r->status == 401 ? StatusCode::kUnauthenticated : StatusCode::kUnavailable,
                    "GET /api/v1/policy: HTTP " + std::to_string(r->status));
    }
    fetched.envelope = std::move(r->body);
    fetched.etag = r->Header("etag");
    return fetched;
  }

  // Whether the collector refused the credential (HTTP 401) since the last reset.
  bool saw_unauthorized() const { return unauthorized_; }
  void ResetUnauthorized() { unauthorized_ = false; }

 private:
  net::HttpsClient& client_;
  const std::string& credential_;  // the service's, so a re-enrolment is seen at once
  bool unauthorized_ = false;
};

json::object ResultJson(const policy::CheckResult& r) {
  json::object o{{"id", r.id},
                 {"title", r.title},
                 {"severity", r.severity},
                 {"status", policy::CheckStatusName(r.status)},
                 {"remediation", r.remediation}};
  if (r.reason) o["reason"] = *r.reason;
  if (r.deadline) o["deadline"] = FormatRfc3339(*r.deadline);
  return o;
}

json::object QueueJson(const queue::QueueStats& s) {
  return json::object{{"pending", s.pending},
                      {"pending_bytes", s.pending_bytes},
                      {"dead_letters", s.dead_letters},
                      {"dropped_total", s.dropped_total},
                      {"corruption_resets", s.corruption_resets},
                      {"lost_to_corruption", s.lost_to_corruption}};
}

class Service {
 public:
  Service(AgentConfig config, const AgentServiceOptions& options, const AgentPlatform& platform,
          ServiceControl& control, ServiceNotifier& notifier)
      : config_(std::move(config)),
        options_(options),
        platform_(platform),
        control_(control),
        notifier_(notifier),
        rng_(std::random_device{}()) {}

  Status Open() {
    if (auto e = LoadEnrollment(config_.EnrollmentPath()); e.ok()) {
      enrollment_ = *e;
      ApplyEnrollment(enrollment_, config_);
    } else if (auto p = LoadEnrollment(config_.PreseedPath()); p.ok()) {
      enrollment_ = *p;  // an installer's `preseed`: no device id yet
      ApplyEnrollment(enrollment_, config_);
    }
    ASSIGN_OR_RETURN(system_, platform_.MakeSystem(config_.root));
    RETURN_IF_ERROR(PrepareStateDir(config_.state_dir));
    if (auto credential = LoadCredential(config_); credential.ok()) {
      credential_ = *credential;
    } else if (credential.status().code() == StatusCode::kNotFound &&
               !enrollment_.enroll_secret_file.empty() && !config_.server.empty()) {
      // Not enrolled, but told how to: the loop enrols first, with backoff while the
      // collector cannot be reached.
      enrollment_pending_ = true;
      spdlog::info("not enrolled yet: enrolling with {}", config_.server);
    } else {
      return credential.status();
    }
    // The anchor decides who may sign policy: only administrators may have changed it.
    RETURN_IF_ERROR(CheckOnlyAdminsCanWrite(config_.trust_anchor).WithContext("trust anchor"));
    ASSIGN_OR_RETURN(anchor_, ReadWholeFile(config_.trust_anchor));
    ASSIGN_OR_RETURN(state_, state::AgentState::Open(config_.StateDbPath()));
    if (state_->created() && !enrollment_.device_id.empty()) RaiseStateReset();
    ASSIGN_OR_RETURN(queue_, queue::OpenReportQueue(
                                 config_.QueueDbPath(),
                                 {config_.queue_max_reports, config_.queue_max_bytes}, clock()));
    return Connect();
  }

  int Run(std::ostream& err) {
    notifier_.Ready();
    const SteadyTime start = std::chrono::steady_clock::now();
    SteadyTime next_scan = start;
    SteadyTime next_policy = start + config_.policy_poll;
    SteadyTime next_upload = SteadyTime::max();
    SteadyTime next_enrollment = start;
    while (!control_.stop_requested()) {
      notifier_.Watchdog();
      if (control_.TakeReload()) Reload();
      SteadyTime now = std::chrono::steady_clock::now();
      if (enrollment_pending_) {
        if (now >= next_enrollment) next_enrollment = Enroll(now);
        if (enrollment_pending_) {
          if (options_.once) break;
          control_.WaitUntil(WakeFor(next_enrollment));
          continue;
        }
        next_scan = next_policy = now;  // enrolled: the first cycle starts at once
      }
      const bool work = now >= next_scan || now >= next_policy || now >= next_upload;
      if (now >= next_scan || now >= next_policy) {
        const bool scan = now >= next_scan;
        const bool new_policy = UpdatePolicy();
        if (scan || new_policy) {
          Scan();
          next_scan = now + SplayedInterval(config_.interval, config_.splay, rng_);
          next_upload = now;
        }
        next_policy = now + config_.policy_poll;
      }
      if (now >= next_upload) next_upload = Upload(now);
      if (options_.once) break;
      if (work) ReleaseIdleMemory();
      control_.WaitUntil(WakeFor(std::min({next_scan, next_policy, next_upload})));
    }
    notifier_.Stopping();
    if (options_.once) {
      if (enrollment_pending_) {
        err << "bulwark-agent: not enrolled: " << last_enrollment_error_ << "\n";
        return 1;
      }
      if (!last_scan_error_.empty()) {
        err << "bulwark-agent: " << last_scan_error_ << "\n";
        return 1;
      }
      if (!delivered_) {
        err << "bulwark-agent: report queued but not delivered: " << last_upload_error_ << "\n";
        return 1;
      }
    }
    return 0;
  }

 private:
  // Valid once Open() made the System (its clock is the only source of time).
  const Clock& clock() const { return system_->clock(); }

  // `next`, or earlier when the service manager's watchdog must hear from us first.
  SteadyTime WakeFor(SteadyTime next) const {
    if (auto wd = notifier_.WatchdogInterval(); wd.count() > 0) {
      next = std::min(next, std::chrono::steady_clock::now() + wd / 2);
    }
    return next;
  }

  // The first enrolment of a preseeded device; returns when to try again after a failure.
  SteadyTime Enroll(SteadyTime now) {
    Status s = Reenroll();
    if (s.ok()) {
      enrollment_pending_ = false;
      last_enrollment_error_.clear();
      backoff_->Reset();
      return SteadyTime::max();
    }
    last_enrollment_error_ = s.message();
    const auto delay = backoff_->NextDelay();
    spdlog::warn("enrolment with {} failed: {}; next try in {} s", config_.server,
                 last_enrollment_error_,
                 std::chrono::duration_cast<std::chrono::seconds>(delay).count());
    WriteStatus();
    return now + delay;
  }

  Status Connect() {
    ASSIGN_OR_RETURN(client_, MakeCollectorClient(config_));
    fetcher_ = std::make_unique<HttpsPolicyFetcher>(*client_, credential_);
    bundle::VerifierOptions verifier;
    verifier.operator_validator = [](const json::value& c) { return jsonlogic::ValidateRule(c); };
    state::PolicyUpdaterOptions updater;
    updater.platform = platform_.os_family();
    updater.policy_id = config_.policy_id;
    updater.verifier = verifier;
    updater_ = std::make_unique<state::PolicyUpdater>(*state_, *fetcher_, anchor_, updater);
    upload::UploaderOptions uploader;
    uploader.batch_max_reports = config_.upload_batch;
    uploader.backoff.base = config_.backoff_base;
    uploader.backoff.cap = config_.backoff_cap;
    uploader_ = std::make_unique<upload::Uploader>(
        *queue_, *client_, [this] { return credential_; }, clock(), uploader, rng_());
    backoff_ = std::make_unique<upload::Backoff>(uploader.backoff, rng_());
    return Status();
  }

  // SIGNED-BUNDLES.md: state.db is gone on a device that was enrolled (deleted, or restored
  // from an old image), so the record of the highest policy versions seen is lost and rollback
  // protection starts again from the installer's trust anchor. The collector hears of it with
  // the next report.
  void RaiseStateReset() {
    state::PolicyEvent event;
    event.ts = clock().Now();
    event.outcome = "state_reset";
    event.reason = "STATE_RESET: " + config_.StateDbPath() +
                   " was missing on an enrolled device; policy rollback protection restarts "
                   "from the trust anchor";
    spdlog::warn("{}", event.reason);
    if (auto appended = state_->AppendEvent(event); !appended.ok()) {
      spdlog::error("cannot record STATE_RESET: {}", appended.status().message());
    }
  }

  // Between cycles the service only sleeps: what the cycle paged in (TLS, SQLite, probes)
  // goes back to the system until the next one.
  void ReleaseIdleMemory() {
    auto released = platform_.ReleaseIdleMemory();
    if (!released.ok()) {
      spdlog::debug("release idle memory: {}", released.status().message());
    } else if (*released > 0) {
      spdlog::debug("released {} KiB of idle memory", *released);
    }
  }

  void Reload() {
    notifier_.Reloading();
    auto reloaded =
        LoadAgentConfig(options_.config_path, options_.config_required, DefaultAgentConfig());
    if (!reloaded.ok()) {
      spdlog::error("reload: {}; keeping the running configuration", reloaded.status().message());
    } else {
      AgentConfig next = *reloaded;
      ApplyEnrollment(enrollment_, next);
      std::swap(config_, next);
      if (Status s = Connect(); !s.ok()) {
        spdlog::error("reload: {}; keeping the running configuration", s.message());
        std::swap(config_, next);
        static_cast<void>(Connect());
      } else {
        spdlog::info("configuration reloaded");
      }
    }
    notifier_.Ready();
  }

  // One policy update; true when a new policy became active.
  bool UpdatePolicy() {
    fetcher_->ResetUnauthorized();
    state::UpdateOutcome outcome = updater_->RunCycle(clock().Now());
    if (fetcher_->saw_unauthorized()) {
      // The collector no longer takes this credential: enrol again, then redo the update.
      if (Status s = Reenroll(); s.ok()) {
        fetcher_->ResetUnauthorized();
        outcome = updater_->RunCycle(clock().Now());
      } else {
        spdlog::error("re-enrolment failed: {}", s.message());
      }
    }
    policy_outcome_ = outcome.outcome;
    if (outcome.rejection) {
      policy_reason_ = outcome.rejection->ToString();
    } else if (!outcome.error.ok()) {
      policy_reason_ = outcome.error.message();
    } else {
      policy_reason_.clear();
    }
    active_ = outcome.active;
    root_version_ = outcome.root_version;
    if (!policy_reason_.empty()) {
      spdlog::warn("policy update {}: {}", policy_outcome_, policy_reason_);
    }
    return outcome.changed;
  }

  void Scan() {
    last_scan_error_.clear();
    if (!active_) {
      last_scan_error_ = "no policy accepted yet (" + policy_outcome_ +
                         (policy_reason_.empty() ? "" : ": " + policy_reason_) + ")";
      spdlog::warn("scan skipped: {}", last_scan_error_);
      WriteStatus();
      return;
    }
    const SystemTime now = clock().Now();
    FactsDocument facts = CollectFacts(platform_, *system_);
    json::value facts_json = FactsToJson(facts);
    hostname_ = facts.host.hostname.value_or("");
    const std::string memory_path = config_.FirstFailedPath();
    auto first_failed = LoadFirstFailed(memory_path);
    results_ = policy::EvaluateChecks(active_->payload.document, facts_json, now, first_failed);
    if (Status s = SaveFirstFailed(memory_path, UpdateFirstFailed(first_failed, results_, now));
        !s.ok()) {
      spdlog::warn("cannot save check history: {}", s.message());
    }
    compliant_ = policy::IsCompliant(results_);
    last_scan_at_ = now;

    auto events = state_->UnreportedEvents();
    json::array event_json;
    std::int64_t last_event = 0;
    if (events.ok()) {
      for (const state::PolicyEvent& e : *events) {
        json::object o{{"ts", FormatRfc3339(e.ts)},
                       {"policy_id", e.policy_id},
                       {"outcome", e.outcome},
                       {"reason", e.reason}};
        if (e.epoch) o["epoch"] = *e.epoch;
        if (e.version) o["version"] = *e.version;
        if (!e.payload_sha256.empty()) o["payload_sha256"] = e.payload_sha256;
        event_json.push_back(std::move(o));
        last_event = std::max(last_event, e.id);
      }
    }
    auto stats = queue_->Stats();
    auto id = NewReportId();
    if (!id.ok()) {
      last_scan_error_ = id.status().message();
      return;
    }
    ReportContext context;
    context.report_id = *id;
    context.generated_at = now;
    context.device_id = enrollment_.device_id;
    context.agent_version = BULWARK_VERSION;
    context.root_version = root_version_;
    if (stats.ok()) context.queue = QueueJson(*stats);
    context.policy_events = std::move(event_json);
    policy::PolicyRef ref{active_->payload.policy_id, active_->payload.epoch,
                          active_->payload.version, active_->sha256};
    const std::string document =
        json::serialize(BuildCycleReport(ref, results_, facts_json, context));
    if (Status s = queue_->Enqueue(*id, document); !s.ok()) {
      last_scan_error_ = "cannot queue the report: " + s.message();
      spdlog::error("{}", last_scan_error_);
    } else {
      if (last_event > 0) static_cast<void>(state_->MarkEventsReported(last_event));
      spdlog::info("scan: {} ({} checks), report {} queued",
                   compliant_ ? "compliant" : "not compliant", results_.size(), *id);
    }
    WriteStatus();
  }

  // Drains the queue; returns when to try again (max() when nothing is left).
  // `retry`: a 401 re-enrols and drains once more at once.
  SteadyTime Upload(SteadyTime now, bool retry = true) {
    auto drained = uploader_->Drain(control_.stop_flag());
    last_upload_at_ = clock().Now();
    SteadyTime next = SteadyTime::max();
    if (!drained.ok()) {
      // Local failure (the queue database): try again later.
      last_upload_outcome_ = "error";
      last_upload_error_ = drained.status().message();
      spdlog::error("upload: {}", last_upload_error_);
      WriteStatus();
      return now + backoff_->NextDelay();
    }
    const upload::UploadResult& result = *drained;
    last_upload_outcome_ = std::string(upload::UploadOutcomeName(result.outcome));
    last_upload_error_ = result.last_error.ok() ? "" : result.last_error.message();
    if (result.acked > 0 || result.dead_lettered > 0) {
      spdlog::info("upload: {} report(s) acknowledged, {} refused", result.acked,
                   result.dead_lettered);
    }
    switch (result.outcome) {
      case upload::UploadOutcome::kEmpty:
      case upload::UploadOutcome::kUploaded:
        last_upload_outcome_ = "ok";  // the queue is empty
        delivered_ = true;
        backoff_->Reset();
        break;
      case upload::UploadOutcome::kStopped:
        break;
      case upload::UploadOutcome::kUnauthorized:
        if (Status s = Reenroll(); !s.ok()) {
          spdlog::error("re-enrolment failed: {}", s.message());
          last_upload_error_ = "re-enrolment failed: " + s.message();
          next = now + backoff_->NextDelay();
        } else if (retry) {
          return Upload(now, /*retry=*/false);  // again at once, with the new credential
        } else {
          next = now + backoff_->NextDelay();
        }
        break;
      case upload::UploadOutcome::kRetryLater:
        next = now + result.retry_after;
        spdlog::warn("upload: {}; next try in {} s", last_upload_error_,
                     std::chrono::duration_cast<std::chrono::seconds>(result.retry_after).count());
        break;
    }
    WriteStatus();
    return next;
  }

  Status Reenroll() {
    if (enrollment_.enroll_secret_file.empty()) {
      return Status(StatusCode::kFailedPrecondition,
                    "the collector refused the credential and no enrolment secret is stored");
    }
    ASSIGN_OR_RETURN(std::string secret, ReadSecretFile(enrollment_.enroll_secret_file));
    FactsDocument facts = CollectFacts(platform_, *system_);
    const bool first = enrollment_.device_id.empty();
    ASSIGN_OR_RETURN(enrollment_, EnrollDevice(config_, enrollment_, secret, facts, *client_));
    ASSIGN_OR_RETURN(credential_, LoadCredential(config_));
    spdlog::info("{} as {}", first ? "enrolled" : "re-enrolled", enrollment_.device_id);
    return Status();
  }

  void WriteStatus() {
    json::object s;
    s["device_id"] = enrollment_.device_id;
    s["server"] = config_.server;
    s["hostname"] = hostname_;
    if (active_) {
      s["policy"] = json::object{{"policy_id", active_->payload.policy_id},
                                 {"epoch", active_->payload.epoch},
                                 {"version", active_->payload.version},
                                 {"sha256", active_->sha256}};
    } else {
      s["policy"] = nullptr;
    }
    if (enrollment_pending_) {
      s["enrollment"] = json::object{{"pending", true}, {"error", last_enrollment_error_}};
    }
    s["policy_outcome"] = policy_outcome_;
    s["policy_reason"] = policy_reason_;
    if (last_scan_at_) {
      s["last_scan_at"] = FormatRfc3339(*last_scan_at_);
      s["compliant"] = compliant_;
    } else {
      s["last_scan_at"] = nullptr;
      s["compliant"] = nullptr;
    }
    json::array results;
    for (const auto& r : results_) results.push_back(ResultJson(r));
    s["results"] = std::move(results);
    if (auto stats = queue_->Stats(); stats.ok()) s["queue"] = QueueJson(*stats);
    if (last_upload_at_) {
      s["last_upload"] = json::object{{"at", FormatRfc3339(*last_upload_at_)},
                                      {"outcome", last_upload_outcome_},
                                      {"error", last_upload_error_}};
    }
    if (Status st = WriteStatusFile(config_.status_file, std::move(s), clock().Now()); !st.ok()) {
      spdlog::warn("cannot write the status file: {}", st.message());
    }
  }

  AgentConfig config_;
  AgentServiceOptions options_;
  const AgentPlatform& platform_;
  ServiceControl& control_;
  ServiceNotifier& notifier_;
  std::mt19937_64 rng_;

  Enrollment enrollment_;
  std::string credential_;
  std::string anchor_;
  std::unique_ptr<System> system_;
  std::unique_ptr<state::AgentState> state_;
  std::unique_ptr<queue::ReportQueue> queue_;
  std::unique_ptr<net::HttpsClient> client_;
  std::unique_ptr<HttpsPolicyFetcher> fetcher_;
  std::unique_ptr<state::PolicyUpdater> updater_;
  std::unique_ptr<upload::Uploader> uploader_;
  std::unique_ptr<upload::Backoff> backoff_;

  std::shared_ptr<const bundle::VerifiedPolicy> active_;
  std::uint64_t root_version_ = 0;
  std::string policy_outcome_ = "none";
  std::string policy_reason_;
  std::vector<policy::CheckResult> results_;
  bool compliant_ = false;
  std::optional<SystemTime> last_scan_at_;
  std::string hostname_;
  std::string last_scan_error_;
  std::optional<SystemTime> last_upload_at_;
  std::string last_upload_outcome_;
  std::string last_upload_error_;
  bool delivered_ = false;
  bool enrollment_pending_ = false;
  std::string last_enrollment_error_;
};

}  // namespace

int RunAgentService(const AgentConfig& config, const AgentServiceOptions& options,
                    const AgentPlatform& platform, ServiceControl& control,
                    ServiceNotifier& notifier, std::ostream& err) {
  Service service(config, options, platform, control, notifier);
  if (Status s = service.Open(); !s.ok()) {
    err << "bulwark-agent: " << s.message() << "\n";
    return 1;
  }
  return service.Run(err);
}

}  // namespace bulwark
