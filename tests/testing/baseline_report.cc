#include "tests/testing/baseline_report.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "agent/base/time_util.h"
#include "agent/service/cycle_report.h"
#include "policy/engine/engine.h"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

Result<json::value> ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec) return InvalidArgumentError(path + ": " + ec.message());
  return doc;
}

}  // namespace

Result<std::string> BaselineReport(const std::string& fixture, const std::string& report_id,
                                   const std::string& device_id) {
  const std::string source = BULWARK_SOURCE_DIR;
  const std::string os = fixture.rfind("windows-", 0) == 0 ? "windows" : "linux";
  ASSIGN_OR_RETURN(json::value policy,
                   ReadJson(source + "/policy/baselines/" + os + "-workstation.json"));
  ASSIGN_OR_RETURN(json::value facts,
                   ReadJson(source + "/tests/unit/policy/baselines/facts/" + fixture + ".json"));
  ASSIGN_OR_RETURN(const SystemTime now, ParseRfc3339("2026-11-28T16:00:00Z"));
  const std::vector<policy::CheckResult> results = policy::EvaluateChecks(policy, facts, now);
  const policy::PolicyRef ref{os + "-workstation", 1, 1764000000, std::string(64, 'a')};
  ReportContext context;
  context.report_id = report_id;
  context.generated_at = now;
  context.device_id = device_id;
  context.agent_version = "0.3.0";
  context.root_version = 1;
  context.queue = {{"pending", 0},
                   {"pending_bytes", 0},
                   {"dead_letters", 0},
                   {"enqueued_total", 0},
                   {"acked_total", 0},
                   {"dropped_total", 0},
                   {"dead_lettered_total", 0},
                   {"corruption_resets", 0},
                   {"lost_to_corruption", 0}};
  return json::serialize(BuildCycleReport(ref, results, facts, context));
}

}  // namespace bulwark::testing
