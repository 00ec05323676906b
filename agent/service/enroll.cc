#include "agent/service/enroll.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/base/file_util.h"
#include "agent/base/strings.h"

namespace bulwark {
namespace json = boost::json;

Status PrepareStateDir(const std::string& dir) { return CreatePrivateDirectory(dir); }

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status(StatusCode::kNotFound, "cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  std::string secret(TrimWhitespace(text.str()));
  if (secret.empty()) return InvalidArgumentError(path + " is empty");
  return secret;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status(StatusCode::kNotFound, "cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<std::unique_ptr<net::HttpsClient>> MakeCollectorClient(const AgentConfig& config) {
  if (config.server.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "no collector configured: run 'bulwark-agent enroll --server URL ...' first");
  }
  net::TlsOptions tls;
  tls.ca_file = config.ca_file;
  tls.pinned_spki = config.pin;
  tls.client_cert = config.client_cert;
  tls.client_key = config.client_key;
  tls.proxy = config.proxy;
  tls.connect_timeout = config.connect_timeout;
  tls.total_timeout = config.timeout;
  return net::HttpsClient::Create(config.server, tls);
}

namespace {

// The collector's one-line error message from a JSON error body, else the status line.
std::string CollectorMessage(const net::HttpResponse& r) {
  boost::system::error_code ec;
  json::value doc = json::parse(r.body, ec);
  if (!ec && doc.is_object()) {
    if (const json::value* m = doc.as_object().if_contains("message"); m && m->is_string()) {
      return std::string(m->get_string());
    }
  }
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

Result<Enrollment> EnrollDevice(const AgentConfig& config, Enrollment enrollment,
                                const std::string& enroll_secret, const FactsDocument& host,
                                net::HttpsClient& client) {
  if (!host.host.machine_id || host.host.machine_id->empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "this machine has no machine id (/etc/machine-id): cannot enrol");
  }
  json::object body{{"enroll_secret", enroll_secret},
                    {"machine_id", *host.host.machine_id},
                    {"hostname", host.host.hostname.value_or("unknown")},
                    {"os", host.os.family},
                    {"os_version", host.os.name.value_or("")}};
  net::HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/enroll";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = json::serialize(body);
  request.max_response_bytes = 64 * 1024;
  auto response = client.Send(request);
  if (!response.ok()) {
    return Status(response.status().code(), "enrolment failed: " + response.status().message());
  }
  if (response->status == 401) {
    return Status(StatusCode::kPermissionDenied,
                  "enrolment refused: the collector does not accept this enrolment secret");
  }
  if (response->status == 403) {
    return Status(StatusCode::kPermissionDenied,
                  "enrolment refused: " + CollectorMessage(*response));
  }
  if (response->status != 200 && response->status != 201) {
    return Status(StatusCode::kUnavailable, "enrolment failed: " + CollectorMessage(*response));
  }
  boost::system::error_code ec;
  json::value doc = json::parse(response->body, ec);
  const json::object* o = !ec && doc.is_object() ? &doc.get_object() : nullptr;
  const json::value* id = o != nullptr ? o->if_contains("device_id") : nullptr;
  const json::value* credential = o != nullptr ? o->if_contains("credential") : nullptr;
  if (id == nullptr || !id->is_string() || credential == nullptr || !credential->is_string()) {
    return Status(StatusCode::kDataLoss,
                  "enrolment failed: the collector's answer has no credential");
  }
  enrollment.device_id = std::string(id->get_string());
  RETURN_IF_ERROR(PrepareStateDir(config.state_dir));
  RETURN_IF_ERROR(
      WriteFileAtomic(config.CredentialPath(), std::string(credential->get_string()) + "\n", 0600));
  RETURN_IF_ERROR(SaveEnrollment(config.EnrollmentPath(), enrollment));
  return enrollment;
}

Result<std::string> LoadCredential(const AgentConfig& config) {
  auto secret = ReadSecretFile(config.CredentialPath());
  if (!secret.ok() && secret.status().code() == StatusCode::kNotFound) {
    return Status(
        StatusCode::kNotFound,
        "not enrolled: run 'bulwark-agent enroll --server URL --enroll-secret-file FILE'");
  }
  return secret;
}

}  // namespace bulwark
