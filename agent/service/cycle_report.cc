#include "agent/service/cycle_report.h"

#include <openssl/rand.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <sstream>

#include "agent/base/file_util.h"

namespace bulwark {
namespace json = boost::json;

Result<std::string> NewReportId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return InternalError("no randomness for a report id (RAND_bytes failed)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "r-";
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0x0f]);
  }
  return id;
}

json::object BuildCycleReport(const policy::PolicyRef& policy,
                              const std::vector<policy::CheckResult>& results,
                              const json::value& facts, const ReportContext& context) {
  json::object report = policy::BuildReport(policy, results, facts);
  report["report_id"] = context.report_id;
  report["generated_at"] = FormatRfc3339(context.generated_at);
  if (!context.device_id.empty()) report["device_id"] = context.device_id;
  report["agent"] = json::object{{"version", context.agent_version},
                                 {"root_version", context.root_version},
                                 {"queue", context.queue}};
  report["policy_events"] = context.policy_events;
  return report;
}

std::map<std::string, SystemTime> LoadFirstFailed(const std::string& path) {
  std::map<std::string, SystemTime> memory;
  std::ifstream file(path);
  if (!file) return memory;
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object()) return memory;
  for (const auto& [id, when] : doc.get_object()) {
    if (!when.is_string()) continue;
    if (auto t = ParseRfc3339(when.get_string()); t.ok()) memory[std::string(id)] = *t;
  }
  return memory;
}

std::map<std::string, SystemTime> UpdateFirstFailed(const std::map<std::string, SystemTime>& before,
                                                    const std::vector<policy::CheckResult>& results,
                                                    SystemTime now) {
  std::map<std::string, SystemTime> after;
  for (const policy::CheckResult& r : results) {
    if (r.status != policy::CheckStatus::kFail) continue;
    auto it = before.find(r.id);
    after[r.id] = it != before.end() ? it->second : now;
  }
  return after;
}

Status SaveFirstFailed(const std::string& path, const std::map<std::string, SystemTime>& memory) {
  json::object o;
  for (const auto& [id, when] : memory) o[id] = FormatRfc3339(when);
  return WriteFileAtomic(path, json::serialize(o) + "\n", 0600);
}

std::chrono::milliseconds SplayedInterval(std::chrono::seconds interval, double splay,
                                          std::mt19937_64& rng) {
  const double base = static_cast<double>(std::chrono::milliseconds(interval).count());
  std::uniform_real_distribution<double> dist(-splay, splay);
  return std::chrono::milliseconds(static_cast<std::int64_t>(base * (1.0 + dist(rng))));
}

}  // namespace bulwark
