// bulwark-policy lint, eval and test: the author's checks before signing.
#include <boost/json/serialize.hpp>

#include "policy/bundle/dsse.h"
#include "policy/bundle/keys.h"
#include "policy/engine/engine.h"
#include "policy/jsonlogic/jsonlogic.h"
#include "policy/tool/policy_cli.h"
#include "policy/tool/policy_lint.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

constexpr std::size_t kMaxFactsBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxRuleBytes = 1024 * 1024;

constexpr char kLintUsage[] =
    "Usage: bulwark-policy lint POLICY.json\n"
    "Check a policy payload the way agents check signed ones, without signing: strict JSON\n"
    "(UTF-8, no duplicate names, integers only), the schema, and every check (required\n"
    "fields, severity, JSON Logic operators and arities). A signed bundle is accepted too:\n"
    "its payload is linted (its signatures are not checked; use 'verify').\n"
    "\n"
    "  -h, --help   display this help and exit\n"
    "\n"
    "Prints 'ok: N checks' and exits 0, or prints one line per problem and exits 1. Numbers\n"
    "with a fraction or exponent are problems: agents reject them (E_PAYLOAD_PARSE). In an\n"
    "unsigned draft, issued_at, expires, version and epoch may be left for 'sign' to stamp.\n";

constexpr char kEvalUsage[] =
    "Usage: bulwark-policy eval --rule FILE --data FILE [--strict]\n"
    "Evaluate one JSON Logic rule against a data document and print the result as JSON.\n"
    "\n"
    "  --rule FILE   the rule (JSON); '-' reads standard input\n"
    "  --data FILE   the data, e.g. a facts document from 'bulwark-agent facts --json'\n"
    "  --strict      policy semantics: a null (unknown) fact that reaches a comparison is an\n"
    "                error, never a pass\n"
    "  -h, --help    display this help and exit\n";

constexpr char kTestUsage[] =
    "Usage: bulwark-policy test POLICY.json --facts FACTS.json [--json] [--now TIME]\n"
    "Lint a policy (payload or signed bundle), then evaluate every check against a facts\n"
    "document (from 'bulwark-agent facts --json') exactly as the agent does.\n"
    "\n"
    "  --facts FACTS.json   the facts document (schema bulwark.facts/1)\n"
    "  --json               print the bulwark.report/1 document instead of a table\n"
    "  --now TIME           the time deadlines are computed from (default: now)\n"
    "  -h, --help           display this help and exit\n"
    "\n"
    "Exit status: 0 every applicable check passed, 2 a check failed or could not be decided,\n"
    "1 error (bad policy, unreadable files).\n";

struct PolicyInput {
  std::string text;  // the payload bytes
  bool signed_bundle = false;
};

Result<PolicyInput> ReadPolicyInput(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path, bundle::kMaxPolicyEnvelopeBytes));
  Result<std::string> text = PolicyTextOfInput(bytes);
  if (!text.ok()) return InvalidArgumentError(path + ": " + text.status().message());
  PolicyInput input;
  input.signed_bundle = *text != bytes;
  input.text = std::move(text).value();
  return input;
}

std::string StringMember(const boost::json::value& doc, std::string_view key) {
  const boost::json::object* o = doc.if_object();
  const boost::json::value* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::uint64_t UintMember(const boost::json::value& doc, std::string_view key) {
  const boost::json::object* o = doc.if_object();
  const boost::json::value* v = o ? o->if_contains(key) : nullptr;
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() > 0) return static_cast<std::uint64_t>(v->get_int64());
  return 0;
}

}  // namespace

int RunLint(const std::vector<std::string>& args, const CliContext& ctx) {
  constexpr char kCommand[] = "lint";
  po::options_description desc;
  desc.add_options()("help,h", po::bool_switch(), "");
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kLintUsage;
    return 0;
  }
  if (files.size() != 1) return UsageError(ctx, kCommand, "lint needs exactly one POLICY.json");
  Result<PolicyInput> input = ReadPolicyInput(files[0]);
  if (!input.ok()) return Fail(ctx, kCommand, input.status().message());
  const LintReport report = LintPolicyText(input->text, !input->signed_bundle);
  if (!report.problems.empty()) {
    for (const std::string& p : report.problems) ctx.out << files[0] << ": " << p << "\n";
    return 1;
  }
  ctx.out << "ok: " << report.checks << (report.checks == 1 ? " check" : " checks");
  if (!report.unstamped.empty()) {
    std::string fields;
    for (const std::string& f : report.unstamped) fields += (fields.empty() ? "" : ", ") + f;
    ctx.out << " (" << fields << " not set: 'sign' stamps them)";
  }
  ctx.out << "\n";
  return 0;
}

int RunEval(const std::vector<std::string>& args, const CliContext& ctx) {
  constexpr char kCommand[] = "eval";
  po::options_description desc;
  desc.add_options()("rule", po::value<std::string>(), "")("data", po::value<std::string>(), "")(
      "strict", po::bool_switch(), "")("help,h", po::bool_switch(), "");
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args, desc, vm, nullptr, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kEvalUsage;
    return 0;
  }
  if (!vm.count("rule")) return UsageError(ctx, kCommand, "eval needs --rule FILE");
  if (!vm.count("data")) return UsageError(ctx, kCommand, "eval needs --data FILE");
  Result<boost::json::value> rule = ParseJsonFile(vm["rule"].as<std::string>(), kMaxRuleBytes);
  if (!rule.ok()) return Fail(ctx, kCommand, rule.status().message());
  Result<boost::json::value> data = ParseJsonFile(vm["data"].as<std::string>(), kMaxFactsBytes);
  if (!data.ok()) return Fail(ctx, kCommand, data.status().message());
  Result<boost::json::value> result = vm["strict"].as<bool>()
                                          ? jsonlogic::EvaluateStrict(*rule, *data)
                                          : jsonlogic::Evaluate(*rule, *data);
  if (!result.ok()) return Fail(ctx, kCommand, result.status().ToString());
  ctx.out << boost::json::serialize(*result) << "\n";
  return 0;
}

int RunTest(const std::vector<std::string>& args, const CliContext& ctx) {
  constexpr char kCommand[] = "test";
  po::options_description desc;
  desc.add_options()("facts", po::value<std::string>(), "")("json", po::bool_switch(), "")(
      "now", po::value<std::string>(), "")("help,h", po::bool_switch(), "");
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kTestUsage;
    return 0;
  }
  if (files.size() != 1) return UsageError(ctx, kCommand, "test needs exactly one POLICY.json");
  if (!vm.count("facts")) return UsageError(ctx, kCommand, "test needs --facts FACTS.json");
  SystemTime now = ctx.now();
  if (vm.count("now")) {
    Result<SystemTime> t = ParseTimeArgument("now", vm["now"].as<std::string>(), now);
    if (!t.ok()) return UsageError(ctx, kCommand, t.status().message());
    now = *t;
  }
  Result<PolicyInput> input = ReadPolicyInput(files[0]);
  if (!input.ok()) return Fail(ctx, kCommand, input.status().message());
  const LintReport report = LintPolicyText(input->text, !input->signed_bundle);
  if (!report.problems.empty()) {
    for (const std::string& p : report.problems) Fail(ctx, kCommand, files[0] + ": " + p);
    return 1;
  }
  const std::string facts_path = vm["facts"].as<std::string>();
  Result<boost::json::value> facts = ParseJsonFile(facts_path, kMaxFactsBytes);
  if (!facts.ok()) return Fail(ctx, kCommand, facts.status().message());
  if (!facts->is_object()) return Fail(ctx, kCommand, facts_path + ": not a JSON object");

  const std::vector<policy::CheckResult> results =
      policy::EvaluateChecks(report.document, *facts, now);
  const bool compliant = policy::IsCompliant(results);
  const policy::PolicyRef ref{
      StringMember(report.document, "policy_id"), UintMember(report.document, "epoch"),
      UintMember(report.document, "version"), bundle::Sha256Hex(input->text)};
  if (vm["json"].as<bool>()) {
    ctx.out << boost::json::serialize(policy::BuildReport(ref, results, *facts)) << "\n";
  } else {
    ctx.out << "Policy " << ref.policy_id << " version " << ref.version << " (epoch " << ref.epoch
            << ") against " << facts_path << "\n\n"
            << policy::RenderResultsTable(results) << "\n"
            << (compliant ? "Compliant.\n" : "Not compliant.\n");
  }
  ctx.out.flush();
  if (!ctx.out) return Fail(ctx, kCommand, "cannot write output");
  return compliant ? 0 : 2;
}

}  // namespace bulwark::policy_tool
