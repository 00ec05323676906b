#include "collector/api/collector_api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <sstream>

#include "agent/base/strings.h"
#include "agent/base/time_util.h"
#include "collector/api/credentials.h"
#include "collector/api/gzip.h"
#include "collector/api/policy_gate.h"
#include "collector/api/request_target.h"

namespace bulwark::collector {

namespace json = boost::json;

namespace {

constexpr std::int64_t kMaxPageSize = 1000;
constexpr std::int64_t kMaxHistory = 1000;
constexpr std::size_t kMaxEnrollField = 255;

HttpResponse JsonResponse(int status, const json::value& body) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

HttpResponse Error(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, json::object{{"error", code}, {"message", message}});
}

HttpResponse FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Error(400, "bad_request", status.message());
    case StatusCode::kNotFound:
      return Error(404, "not_found", status.message());
    case StatusCode::kPermissionDenied:
      return Error(403, "forbidden", status.message());
    case StatusCode::kResourceExhausted:
      return Error(413, "payload_too_large", status.message());
    case StatusCode::kAlreadyExists:
      return Error(409, "conflict", status.message());
    case StatusCode::kUnavailable: {
      HttpResponse r = Error(503, "unavailable", status.message());
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    default:
      return Error(500, "internal", status.message());
  }
}

json::value TimeOrNull(const std::optional<UnixSeconds>& t) {
  if (!t) return nullptr;
  return json::value(FormatRfc3339(SystemTime(std::chrono::seconds(*t))));
}

std::string FormatTime(UnixSeconds t) { return FormatRfc3339(SystemTime(std::chrono::seconds(t))); }

json::object DeviceJson(const DeviceSummary& d) {
  json::object o;
  o["device_id"] = d.device_id;
  o["machine_id"] = d.machine_id;
  o["hostname"] = d.hostname;
  o["os"] = d.os;
  o["os_version"] = d.os_version;
  o["compliant"] = d.compliant ? json::value(*d.compliant) : json::value(nullptr);
  o["failing"] = d.failing;
  o["errors"] = d.errors;
  o["enrolled_at"] = FormatTime(d.enrolled_at);
  o["last_seen"] = TimeOrNull(d.last_seen);
  o["policy_id"] = d.policy_id.empty() ? json::value(nullptr) : json::value(d.policy_id);
  o["policy_version"] = d.policy_version ? json::value(*d.policy_version) : json::value(nullptr);
  o["revoked"] = d.revoked;
  return o;
}

json::object OutcomeJson(const CheckOutcome& c) {
  return json::object{
      {"id", c.check_id}, {"title", c.title}, {"severity", c.severity}, {"status", c.status}};
}

// Spreadsheet programs execute cells that start with these; prefix them so an exported
// hostname cannot become a formula (CSV injection).
std::string CsvCell(std::string_view value) {
  std::string v(value);
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string quoted = "\"";
  for (char c : v) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

bool IsJsonContentType(std::string_view content_type) {
  const std::string lower =
      AsciiLower(TrimWhitespace(content_type.substr(0, content_type.find(';'))));
  return lower == "application/json";
}

const json::string* StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

bool ValidField(const json::string* s, std::size_t max, bool allow_empty = false) {
  if (s == nullptr || s->size() > max || (!allow_empty && s->empty())) return false;
  for (char c : *s) {
    if (static_cast<unsigned char>(c) < 0x20) return false;  // no control characters
  }
  return true;
}

}  // namespace

// Per-request state: the parsed target and who is calling.
struct CollectorApi::Context {
  const HttpRequest& request;
  RequestTarget target;
  std::vector<std::string_view> segments;  // path split on '/', without the empty first one
  std::string device_id;                   // set once a device credential checked out
  std::string device_os;
  std::string device_machine_id;
};

CollectorApi::CollectorApi(Store& store, const Clock& clock, CollectorMetrics& metrics,
                           CollectorApiOptions options,
                           std::function<HttpsServerStats()> server_stats)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)),
      enroll_secret_sha256_(HashSecret(options_.enroll_secret)),
      server_stats_(std::move(server_stats)) {}

std::vector<std::pair<std::string, std::string>> CollectorApi::Routes() {
  return {
      {"GET", "/healthz"},
      {"GET", "/metrics"},
      {"POST", "/api/v1/enroll"},
      {"GET", "/api/v1/policy"},
      {"POST", "/api/v1/policy"},
      {"GET", "/api/v1/trust/{version}.root.json"},
      {"POST", "/api/v1/trust-root"},
      {"POST", "/api/v1/reports"},
      {"GET", "/api/v1/devices"},
      {"GET", "/api/v1/devices/{id}"},
      {"POST", "/api/v1/devices/{id}/revoke"},
      {"GET", "/api/v1/summary"},
      {"GET", "/api/v1/export.csv"},
  };
}

HttpResponse CollectorApi::Handle(const HttpRequest& request) {
  HttpResponse response;
  auto target = ParseRequestTarget(request.target);
  if (!target) {
    response = Error(400, "bad_request", "the request target is not a valid path");
  } else {
    Context ctx{request, std::move(*target), {}, {}, {}, {}};
    for (std::string_view part : Split(ctx.target.path, '/')) {
      if (!part.empty()) ctx.segments.push_back(part);
    }
    response = Dispatch(ctx);
    response.log_device = ctx.device_id;
  }
  metrics_.CountResponse(response.status);
  return response;
}

HttpResponse CollectorApi::Dispatch(Context& ctx) {
  const std::string& method = ctx.request.method;
  const auto& seg = ctx.segments;
  const auto now = clock_.Now();
  const UnixSeconds now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();

  auto method_not_allowed = [](std::string_view allow) {
    HttpResponse r = Error(405, "method_not_allowed", "use " + std::string(allow));
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
  };
  auto store_failed = [&](const Status& s) {
    if (s.code() != StatusCode::kNotFound && s.code() != StatusCode::kInvalidArgument) {
      metrics_.CountStoreError();
    }
    return FromStatus(s);
  };

  // --- credentials ---
  // `count` false leaves counting a refusal to the caller (a route trying two credential kinds).
  auto authenticate_admin = [&](bool count = true) -> std::optional<HttpResponse> {
    const std::string_view token = BearerToken(ctx.request.Header("authorization"));
    if (token.empty() || !DigestEquals(HashSecret(token), options_.admin_token_sha256)) {
      if (count) metrics_.CountAuthFailure();
      HttpResponse r = Error(401, "unauthorized", "a valid admin bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"bulwark-admin\"");
      return r;
    }
    return std::nullopt;
  };
  auto authenticate_device = [&](bool count = true) -> std::optional<HttpResponse> {
    auto deny = [&](std::string_view why) {
      if (count) metrics_.CountAuthFailure();
      HttpResponse r = Error(401, "unauthorized", why);
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"bulwark-device\"");
      return r;
    };
    auto presented = ParseDeviceCredential(BearerToken(ctx.request.Header("authorization")));
    if (!presented) return deny("a device credential is required (Authorization: Bearer ...)");
    auto auth = store_.GetDeviceAuth(presented->device_id);
    if (!auth.ok()) {
      if (auth.status().code() == StatusCode::kNotFound) return deny("unknown device credential");
      return store_failed(auth.status());
    }
    if (!DigestEquals(HashSecret(presented->secret), auth->credential_hash)) {
      return deny("unknown device credential");
    }
    if (auth->revoked) return deny("this device has been revoked; enrol it again with IT");
    ctx.device_id = auth->device_id;
    ctx.device_os = auth->os;
    ctx.device_machine_id = auth->machine_id;
    return std::nullopt;
  };
  auto json_body = [&]() -> Result<std::string> {
    if (!IsJsonContentType(ctx.request.Header("content-type"))) {
      return Status(StatusCode::kFailedPrecondition, "Content-Type must be application/json");
    }
    const std::string_view encoding = TrimWhitespace(ctx.request.Header("content-encoding"));
    if (encoding.empty() || encoding == "identity") return std::string(ctx.request.body);
    if (AsciiLower(encoding) == "gzip") {
      return GunzipBounded(ctx.request.body, options_.max_inflated_body);
    }
    return Status(StatusCode::kFailedPrecondition,
                  "Content-Encoding '" + std::string(encoding) + "' is not supported (use gzip)");
  };
  auto body_error = [&](const Status& s) {
    if (s.code() == StatusCode::kFailedPrecondition) {
      return Error(415, "unsupported_media_type", s.message());
    }
    return FromStatus(s);
  };

  // --- unauthenticated ---
  if (seg.size() == 1 && seg[0] == "healthz") {
    if (method != "GET" && method != "HEAD") return method_not_allowed("GET");
    const Status ping = store_.Ping();
    if (!ping.ok()) {
      metrics_.CountStoreError();
      return JsonResponse(503, json::object{{"status", "unavailable"},
                                            {"store", store_.backend()},
                                            {"message", ping.message()}});
    }
    return JsonResponse(200, json::object{{"status", "ok"}, {"store", store_.backend()}});
  }
  if (seg.size() == 1 && seg[0] == "metrics") {
    if (method != "GET") return method_not_allowed("GET");
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body =
        metrics_.Render(server_stats_ ? server_stats_() : HttpsServerStats{}, store_.backend());
    return r;
  }
  if (seg.size() < 2 || seg[0] != "api" || seg[1] != "v1") {
    return Error(404, "not_found", "no such route: " + ctx.target.path);
  }
  const std::string_view route = seg.size() >= 3 ? seg[2] : std::string_view();

  // --- enrolment ---
  if (route == "enroll" && seg.size() == 3) {
    if (method != "POST") return method_not_allowed("POST");
    auto body = json_body();
    if (!body.ok()) return body_error(body.status());
    boost::system::error_code ec;
    json::value doc = json::parse(*body, ec);
    if (ec || !doc.is_object()) return Error(400, "bad_request", "body is not a JSON object");
    const json::object& o = doc.get_object();
    const json::string* secret = StringField(o, "enroll_secret");
    if (secret == nullptr || !DigestEquals(HashSecret(*secret), enroll_secret_sha256_)) {
      metrics_.CountAuthFailure();
      return Error(401, "unauthorized", "the enrolment secret is wrong");
    }
    const json::string* machine_id = StringField(o, "machine_id");
    const json::string* hostname = StringField(o, "hostname");
    const json::string* os = StringField(o, "os");
    const json::string* os_version = StringField(o, "os_version");
    if (!ValidField(machine_id, 128)) return Error(400, "bad_request", "machine_id is required");
    if (!ValidField(hostname, kMaxEnrollField)) {
      return Error(400, "bad_request", "hostname is required (at most 255 characters)");
    }
    if (os == nullptr || (*os != "linux" && *os != "windows")) {
      return Error(400, "bad_request", "os must be \"linux\" or \"windows\"");
    }
    if (os_version != nullptr && !ValidField(os_version, kMaxEnrollField, true)) {
      return Error(400, "bad_request", "os_version is too long or holds control characters");
    }
    // The device id is known only after the store decides (a re-enrolment keeps its id), so
    // the secret is drawn first and joined to the id afterwards.
    auto secret_drawn = NewDeviceSecret();
    if (!secret_drawn.ok()) return FromStatus(secret_drawn.status());
    EnrollRequest req;
    req.machine_id = std::string(*machine_id);
    req.hostname = std::string(*hostname);
    req.os = std::string(*os);
    req.os_version = os_version != nullptr ? std::string(*os_version) : std::string();
    req.credential_hash = secret_drawn->hash;
    req.now = now_s;
    auto enrolled = store_.Enroll(req);
    if (!enrolled.ok()) return store_failed(enrolled.status());
    if (enrolled->outcome == EnrollOutcome::kRevoked) {
      return Error(403, "device_revoked",
                   "this machine's device was revoked by an administrator; it cannot re-enrol");
    }
    metrics_.CountEnrollment();
    ctx.device_id = enrolled->device_id;
    auto root_version = store_.LatestTrustRootVersion();
    json::object out;
    out["device_id"] = enrolled->device_id;
    out["credential"] = FormatDeviceCredential(enrolled->device_id, secret_drawn->secret);
    out["reenrolled"] = enrolled->outcome == EnrollOutcome::kReenrolled;
    out["policy_url"] = "/api/v1/policy";
    out["trust_root_version"] = root_version.ok() ? *root_version : 0;
    return JsonResponse(enrolled->outcome == EnrollOutcome::kCreated ? 201 : 200, out);
  }

  // --- policy: GET by devices, POST by admins ---
  if (route == "policy" && seg.size() == 3) {
    if (method == "GET") {
      if (auto denied = authenticate_device()) return *denied;
      auto policy = store_.CurrentPolicy(ctx.device_os);
      if (!policy.ok()) {
        if (policy.status().code() == StatusCode::kNotFound) {
          return Error(404, "not_found", "no policy is published for " + ctx.device_os);
        }
        return store_failed(policy.status());
      }
      const std::string etag = "\"" + policy->sha256 + "\"";
      HttpResponse r;
      r.headers.emplace_back("ETag", etag);
      r.headers.emplace_back("Cache-Control", "no-cache");
      auto root_version = store_.LatestTrustRootVersion();
      if (root_version.ok()) {
        r.headers.emplace_back("X-Bulwark-Root-Version", std::to_string(*root_version));
      }
      const std::string_view inm = ctx.request.Header("if-none-match");
      if (!inm.empty() && (inm == etag || inm == "*" || inm.find(etag) != std::string_view::npos)) {
        r.status = 304;
        r.content_type.clear();
        return r;
      }
      r.body = std::move(policy->bundle);
      return r;
    }
    if (method != "POST") return method_not_allowed("GET, POST");
    if (auto denied = authenticate_admin()) return *denied;
    auto body = json_body();
    if (!body.ok()) return body_error(body.status());
    auto latest_version = store_.LatestTrustRootVersion();
    if (!latest_version.ok()) return store_failed(latest_version.status());
    if (*latest_version == 0) {
      return Error(409, "no_trust_root", "publish a trust root (POST /api/v1/trust-root) first");
    }
    auto root = store_.GetTrustRoot(*latest_version);
    if (!root.ok()) return store_failed(root.status());
    auto verified = VerifyPolicyUpload(*root, *body, now);
    if (!verified.ok()) {
      return JsonResponse(422, json::object{{"error", "policy_rejected"},
                                            {"code", bundle::ReasonCode(verified.error().reason)},
                                            {"message", verified.error().ToString()}});
    }
    PolicyRecord record = std::move(verified).value();
    // Refuse to serve anything older than what a platform already gets: agents would reject
    // it as a rollback, so the upload is a mistake.
    for (const std::string& platform : record.platforms) {
      auto current = store_.CurrentPolicy(platform);
      if (!current.ok()) {
        if (current.status().code() == StatusCode::kNotFound) continue;
        return store_failed(current.status());
      }
      if (current->policy_id != record.policy_id || current->sha256 == record.sha256) continue;
      if (std::pair(record.epoch, record.version) <= std::pair(current->epoch, current->version)) {
        return Error(
            409, "rollback",
            "policy " + record.policy_id + " epoch " + std::to_string(record.epoch) + " version " +
                std::to_string(record.version) + " is not newer than the published epoch " +
                std::to_string(current->epoch) + " version " + std::to_string(current->version));
      }
    }
    auto published = store_.PublishPolicy(record);
    if (!published.ok()) return store_failed(published.status());
    json::array platforms;
    for (const auto& p : record.platforms) platforms.emplace_back(p);
    return JsonResponse(
        *published == PublishOutcome::kPublished ? 201 : 200,
        json::object{{"policy_id", record.policy_id},
                     {"epoch", record.epoch},
                     {"version", record.version},
                     {"sha256", record.sha256},
                     {"platforms", std::move(platforms)},
                     {"already_published", *published == PublishOutcome::kAlreadyPublished}});
  }

  // --- trust roots ---
  if (route == "trust" && seg.size() == 4) {
    if (method != "GET") return method_not_allowed("GET");
    constexpr std::string_view kSuffix = ".root.json";
    const std::string_view name = seg[3];
    auto version = EndsWith(name, kSuffix)
                       ? ParseUint64(name.substr(0, name.size() - kSuffix.size()))
                       : std::nullopt;
    if (!version || *version == 0 || *version > static_cast<std::uint64_t>(INT64_MAX)) {
      return Error(404, "not_found", "trust roots are named <version>.root.json");
    }
    // Devices walk the chain; admins may read it too.
    if (auto denied = authenticate_device(/*count=*/false)) {
      if (authenticate_admin(/*count=*/false)) {
        metrics_.CountAuthFailure();
        return *denied;
      }
    }
    auto root = store_.GetTrustRoot(static_cast<std::int64_t>(*version));
    if (!root.ok()) return store_failed(root.status());
    HttpResponse r;
    r.body = std::move(*root);
    r.headers.emplace_back("Cache-Control", "max-age=3600, immutable");
    return r;
  }
  if (route == "trust-root" && seg.size() == 3) {
    if (method != "POST") return method_not_allowed("POST");
    if (auto denied = authenticate_admin()) return *denied;
    auto body = json_body();
    if (!body.ok()) return body_error(body.status());
    auto latest_version = store_.LatestTrustRootVersion();
    if (!latest_version.ok()) return store_failed(latest_version.status());
    std::optional<std::string> latest;
    if (*latest_version > 0) {
      auto bytes = store_.GetTrustRoot(*latest_version);
      if (!bytes.ok()) return store_failed(bytes.status());
      latest = std::move(*bytes);
    }
    auto verified = VerifyTrustRootUpload(latest, *body);
    if (!verified.ok()) {
      // Re-uploading the newest root again is harmless: answer as a no-op.
      if (latest && *latest == *body) {
        return JsonResponse(
            200, json::object{{"version", *latest_version}, {"already_published", true}});
      }
      return JsonResponse(422, json::object{{"error", "trust_root_rejected"},
                                            {"code", bundle::ReasonCode(verified.error().reason)},
                                            {"message", verified.error().ToString()}});
    }
    const auto version = static_cast<std::int64_t>(verified->version);
    const Status put = store_.PutTrustRoot(version, *body, now_s);
    if (!put.ok()) return store_failed(put);
    return JsonResponse(
        201, json::object{
                 {"version", version}, {"org_id", verified->org_id}, {"already_published", false}});
  }

  // --- report ingest ---
  if (route == "reports" && seg.size() == 3) {
    if (method != "POST") return method_not_allowed("POST");
    if (auto denied = authenticate_device()) {
      metrics_.CountRejectedBatch();
      return *denied;
    }
    auto body = json_body();
    if (!body.ok()) {
      metrics_.CountRejectedBatch();
      return body_error(body.status());
    }
    auto records = ParseReportBatch(*body, ReportOwner{ctx.device_id, ctx.device_machine_id}, now_s,
                                    options_.batch_limits);
    if (!records.ok()) {
      metrics_.CountRejectedBatch();
      return FromStatus(records.status());
    }
    auto ingested = store_.IngestReports(*records);
    if (!ingested.ok()) return store_failed(ingested.status());
    metrics_.CountReports(ingested->accepted.size(), ingested->duplicate.size());
    json::array accepted(ingested->accepted.begin(), ingested->accepted.end());
    json::array duplicate(ingested->duplicate.begin(), ingested->duplicate.end());
    return JsonResponse(
        200, json::object{{"accepted", std::move(accepted)}, {"duplicate", std::move(duplicate)}});
  }

  // --- admin views ---
  if (route == "devices" || route == "summary" || route == "export.csv") {
    if (auto denied = authenticate_admin()) return *denied;
  }
  if (route == "devices" && seg.size() == 3) {
    if (method != "GET") return method_not_allowed("GET");
    DeviceFilter filter;
    const auto& q = ctx.target.query;
    if (auto it = q.find("compliant"); it != q.end()) {
      filter.compliant = ParseBool(it->second);
      if (!filter.compliant) return Error(400, "bad_request", "compliant must be true or false");
    }
    if (auto it = q.find("revoked"); it != q.end()) {
      filter.revoked = ParseBool(it->second);
      if (!filter.revoked) return Error(400, "bad_request", "revoked must be true or false");
    }
    if (auto it = q.find("os"); it != q.end()) filter.os = it->second;
    if (auto it = q.find("hostname"); it != q.end() && !it->second.empty()) {
      filter.hostname_contains = it->second;
    }
    if (auto it = q.find("limit"); it != q.end()) {
      auto limit = ParseUint64(it->second);
      if (!limit || *limit < 1 || *limit > static_cast<std::uint64_t>(kMaxPageSize)) {
        return Error(400, "bad_request", "limit must be 1-1000");
      }
      filter.limit = static_cast<std::int64_t>(*limit);
    }
    if (auto it = q.find("cursor"); it != q.end()) filter.after_device_id = it->second;
    auto page = store_.ListDevices(filter);
    if (!page.ok()) return store_failed(page.status());
    json::array devices;
    for (const auto& d : page->devices) devices.emplace_back(DeviceJson(d));
    return JsonResponse(200, json::object{{"devices", std::move(devices)},
                                          {"total", page->total},
                                          {"next_cursor", page->next_cursor.empty()
                                                              ? json::value(nullptr)
                                                              : json::value(page->next_cursor)}});
  }
  if (route == "devices" && seg.size() == 4) {
    if (method != "GET") return method_not_allowed("GET");
    std::int64_t history = options_.default_history;
    if (auto it = ctx.target.query.find("history"); it != ctx.target.query.end()) {
      auto n = ParseUint64(it->second);
      if (!n || *n > static_cast<std::uint64_t>(kMaxHistory)) {
        return Error(400, "bad_request", "history must be 0-1000");
      }
      history = static_cast<std::int64_t>(*n);
    }
    auto detail = store_.GetDevice(seg[3], history);
    if (!detail.ok()) return store_failed(detail.status());
    json::object out;
    out["device"] = DeviceJson(detail->device);
    json::value latest = nullptr;
    if (detail->latest_report) {
      boost::system::error_code ec;
      latest = json::parse(*detail->latest_report, ec);
      if (ec) latest = nullptr;
    }
    out["latest_report"] = std::move(latest);
    json::array results;
    for (const auto& c : detail->latest_results) results.emplace_back(OutcomeJson(c));
    out["results"] = std::move(results);
    json::array hist;
    for (const auto& h : detail->history) {
      hist.emplace_back(json::object{{"report_id", h.report_id},
                                     {"generated_at", FormatTime(h.generated_at)},
                                     {"received_at", FormatTime(h.received_at)},
                                     {"compliant", h.compliant},
                                     {"failing", h.failing},
                                     {"policy_version", h.policy_version}});
    }
    out["history"] = std::move(hist);
    return JsonResponse(200, out);
  }
  if (route == "devices" && seg.size() == 5 && seg[4] == "revoke") {
    if (method != "POST") return method_not_allowed("POST");
    const Status revoked = store_.RevokeDevice(seg[3], now_s);
    if (!revoked.ok()) return store_failed(revoked);
    return JsonResponse(200, json::object{{"device_id", seg[3]}, {"revoked", true}});
  }
  if (route == "summary" && seg.size() == 3) {
    if (method != "GET") return method_not_allowed("GET");
    auto summary = store_.Summarize();
    if (!summary.ok()) return store_failed(summary.status());
    json::array checks;
    for (const auto& c : summary->checks) {
      checks.emplace_back(json::object{{"id", c.check_id},
                                       {"title", c.title},
                                       {"severity", c.severity},
                                       {"pass", c.pass},
                                       {"fail", c.fail},
                                       {"error", c.error},
                                       {"not_applicable", c.not_applicable}});
    }
    return JsonResponse(200, json::object{{"devices", summary->devices},
                                          {"reporting", summary->reporting},
                                          {"compliant", summary->compliant},
                                          {"checks", std::move(checks)}});
  }
  if (route == "export.csv" && seg.size() == 3) {
    if (method != "GET") return method_not_allowed("GET");
    std::ostringstream csv;
    csv << "device_id,hostname,os,os_version,compliant,failing,errors,last_seen,enrolled_at,"
           "policy_id,policy_version,revoked\r\n";
    DeviceFilter filter;
    filter.limit = kMaxPageSize;
    while (true) {
      auto page = store_.ListDevices(filter);
      if (!page.ok()) return store_failed(page.status());
      for (const auto& d : page->devices) {
        csv << CsvCell(d.device_id) << ',' << CsvCell(d.hostname) << ',' << CsvCell(d.os) << ','
            << CsvCell(d.os_version) << ','
            << (d.compliant ? (*d.compliant ? "true" : "false") : "") << ',' << d.failing << ','
            << d.errors << ',' << (d.last_seen ? FormatTime(*d.last_seen) : "") << ','
            << FormatTime(d.enrolled_at) << ',' << CsvCell(d.policy_id) << ','
            << (d.policy_version ? std::to_string(*d.policy_version) : "") << ','
            << (d.revoked ? "true" : "false") << "\r\n";
      }
      if (page->next_cursor.empty()) break;
      filter.after_device_id = page->next_cursor;
    }
    HttpResponse r;
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"bulwark-devices.csv\"");
    r.body = csv.str();
    return r;
  }
  return Error(404, "not_found", "no such route: " + ctx.target.path);
}

}  // namespace bulwark::collector
