// bulwark-policy sign: lint an unsigned policy payload, stamp it and write a signed bundle.
#include <boost/json/serialize.hpp>
#include <set>

#include "policy/bundle/dsse.h"
#include "policy/bundle/policy_payload.h"
#include "policy/bundle/signer.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "policy/jsonlogic/jsonlogic.h"
#include "policy/tool/policy_cli.h"
#include "policy/tool/policy_lint.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

constexpr char kCommand[] = "sign";

constexpr char kUsage[] =
    "Usage: bulwark-policy sign --key FILE [--key FILE]... [OPTION]... POLICY.json\n"
    "Lint an unsigned policy payload and write it as a signed bundle (a DSSE envelope with one\n"
    "signature per key) to stdout or --out. A policy that fails lint is never signed.\n"
    "\n"
    "  --key FILE              a policy-role private key (PREFIX.key); repeat it for a\n"
    "                          threshold (e.g. 2-of-3: two --key options)\n"
    "  --out FILE              write the bundle here instead of stdout\n"
    "  --issued-at TIME        stamp issued_at (YYYY-MM-DDTHH:MM:SSZ or 'now')\n"
    "  --expires-in-days D     stamp expires = issued_at + D days (1..90, default 30);\n"
    "                          without --issued-at, issued_at is stamped with now\n"
    "  --version N             stamp version N (1 .. 2^53-1)\n"
    "  --version-from-time     stamp version = issued_at as Unix seconds (always increasing)\n"
    "  --epoch N               stamp epoch N (must equal the trust root's policy_epoch)\n"
    "  --trust-root ROOT.json  take the epoch from this root when the policy has none, and\n"
    "                          refuse to write a bundle that agents of this root would reject\n"
    "                          (too few policy keys, wrong org or epoch, ...)\n"
    "  -h, --help              display this help and exit\n"
    "\n"
    "issued_at and expires missing from POLICY.json are stamped (now, now + 30 days); version\n"
    "and epoch must come from POLICY.json or the options above.\n";

std::string KeyList(const std::vector<bundle::PrivateKey>& keys) {
  std::string out;
  for (const bundle::PrivateKey& k : keys)
    out += (out.empty() ? "" : ", ") + k.keyid().substr(0, 16);
  return out;
}

}  // namespace

int RunSign(const std::vector<std::string>& args, const CliContext& ctx) {
  po::options_description desc;
  desc.add_options()("key", po::value<std::vector<std::string>>()->composing(), "")(
      "out", po::value<std::string>()->default_value("-"), "")(
      "issued-at", po::value<std::string>(), "")("expires-in-days", po::value<long>(), "")(
      "version", po::value<std::uint64_t>(), "")("version-from-time", po::bool_switch(), "")(
      "epoch", po::value<std::uint64_t>(), "")("trust-root", po::value<std::string>(), "")(
      "help,h", po::bool_switch(), "");
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kUsage;
    return 0;
  }
  if (files.size() != 1) return UsageError(ctx, kCommand, "sign needs exactly one POLICY.json");
  if (!vm.count("key")) return UsageError(ctx, kCommand, "sign needs --key FILE");
  if (vm.count("version") && vm["version-from-time"].as<bool>()) {
    return UsageError(ctx, kCommand, "give --version or --version-from-time, not both");
  }
  const std::string& path = files[0];
  const SystemTime now = ctx.now();

  StampOptions stamp;
  stamp.now = now;
  if (vm.count("issued-at")) {
    Result<SystemTime> t = ParseTimeArgument("issued-at", vm["issued-at"].as<std::string>(), now);
    if (!t.ok()) return UsageError(ctx, kCommand, t.status().message());
    stamp.issued_at = *t;
  }
  if (vm.count("expires-in-days")) {
    const long days = vm["expires-in-days"].as<long>();
    if (days < 1 || days > 90) {
      return UsageError(ctx, kCommand, "--expires-in-days must be 1..90 (agents refuse more)");
    }
    stamp.expires_in_days = days;
  }
  if (vm.count("version")) stamp.version = vm["version"].as<std::uint64_t>();
  stamp.version_from_time = vm["version-from-time"].as<bool>();
  if (vm.count("epoch")) stamp.epoch = vm["epoch"].as<std::uint64_t>();

  std::vector<bundle::PrivateKey> keys;
  std::set<std::string> keyids;
  for (const std::string& key_path : vm["key"].as<std::vector<std::string>>()) {
    Result<bundle::PrivateKey> key = LoadPrivateKeyFile(key_path);
    if (!key.ok()) return Fail(ctx, kCommand, key.status().message());
    if (!keyids.insert(key->keyid()).second) {
      return Fail(ctx, kCommand, key_path + ": the same key is given twice");
    }
    keys.push_back(std::move(key).value());
  }
  if (keys.size() > bundle::kMaxSignatures) {
    return Fail(ctx, kCommand, "more than 16 keys: agents read at most 16 signatures");
  }

  std::optional<bundle::TrustRoot> root;
  if (vm.count("trust-root")) {
    const std::string root_path = vm["trust-root"].as<std::string>();
    Result<std::string> bytes = ReadWholeFile(root_path, bundle::kMaxRootEnvelopeBytes);
    if (!bytes.ok()) return Fail(ctx, kCommand, bytes.status().message());
    bundle::Checked<bundle::TrustRoot> loaded = bundle::LoadTrustedRoot(*bytes);
    if (!loaded.ok()) {
      return Fail(ctx, kCommand, root_path + ": trust root rejected: " + loaded.error().ToString());
    }
    root = std::move(loaded).value();
    if (!stamp.epoch) stamp.epoch = root->policy_epoch;
  }

  Result<std::string> text = ReadWholeFile(path, bundle::kMaxPolicyEnvelopeBytes);
  if (!text.ok()) return Fail(ctx, kCommand, text.status().message());
  Result<std::string> payload_text = PolicyTextOfInput(*text);
  if (!payload_text.ok() || *payload_text != *text) {
    return Fail(ctx, kCommand,
                path + ": not an unsigned policy payload" +
                    (payload_text.ok() ? std::string(" (it is a signed bundle)")
                                       : ": " + payload_text.status().message()));
  }
  LintReport lint = LintPolicyText(*text, /*allow_unstamped=*/true);
  if (!lint.problems.empty()) {
    for (const std::string& p : lint.problems) Fail(ctx, kCommand, path + ": " + p);
    return 1;
  }

  boost::json::value document = lint.document;
  if (Status s = StampPolicy(document, stamp); !s.ok()) {
    return Fail(ctx, kCommand, path + ": " + s.message());
  }
  const std::string body = boost::json::serialize(document);
  // The bytes that will be signed pass exactly the checks an agent applies (P6, P7, P11).
  bundle::Checked<bundle::PolicyPayload> payload = bundle::ParsePolicyPayload(body);
  if (!payload.ok()) return Fail(ctx, kCommand, path + ": " + payload.error().ToString());
  const bundle::OperatorValidator validator = [](const boost::json::value& c) {
    return jsonlogic::ValidateRule(c);
  };
  if (auto ok = bundle::ValidateChecks(payload->document, validator); !ok.ok()) {
    return Fail(ctx, kCommand, path + ": " + ok.error().ToString());
  }
  const auto validity = payload->expires - payload->issued_at;
  if (validity <= std::chrono::seconds(0) || validity > bundle::kMaxValidity) {
    return Fail(ctx, kCommand,
                path +
                    ": E_VALIDITY_TOO_LONG: expires - issued_at must be more "
                    "than 0 and at most 90 days");
  }

  std::vector<const bundle::PrivateKey*> signers;
  for (const bundle::PrivateKey& k : keys) signers.push_back(&k);
  Result<std::string> envelope = bundle::SignEnvelope(bundle::kPolicyPayloadType, body, signers);
  if (!envelope.ok()) return Fail(ctx, kCommand, envelope.status().message());
  if (envelope->size() > bundle::kMaxPolicyEnvelopeBytes) {
    return Fail(ctx, kCommand,
                "the bundle is " + std::to_string(envelope->size()) +
                    " bytes; agents accept at most 1 MiB (E_SIZE)");
  }

  if (root) {
    const std::string platform = payload->platforms.empty() ? "linux" : payload->platforms.front();
    const bundle::AgentIdentity agent{root->org_id, payload->policy_id, platform};
    bundle::VerifierOptions options;
    options.operator_validator = validator;
    bundle::Checked<bundle::BundleDecision> verdict = bundle::VerifyPolicyBundle(
        *root, bundle::PolicyState{}, agent, bundle::EffectiveNow(now, {}), *envelope, options);
    if (!verdict.ok()) {
      return Fail(ctx, kCommand,
                  "agents of root v" + std::to_string(root->version) +
                      " would reject this bundle: " + verdict.error().ToString());
    }
  }

  if (Status s = WriteOutput(ctx, vm["out"].as<std::string>(), *envelope + "\n"); !s.ok()) {
    return Fail(ctx, kCommand, s.message());
  }
  if (payload->expires <= now) {
    ctx.err << "warning: the bundle expired at " << FormatRfc3339(payload->expires)
            << "; agents reject it (E_EXPIRED)\n";
  }
  if (payload->issued_at > now + bundle::kMaxClockSkew) {
    ctx.err << "warning: issued_at " << FormatRfc3339(payload->issued_at)
            << " is in the future; agents reject it until then (E_NOT_YET_VALID)\n";
  }
  ctx.err << "signed policy " << payload->policy_id << " version " << payload->version << " (epoch "
          << payload->epoch << ", org " << payload->org_id << ", " << lint.checks
          << " checks, expires " << FormatRfc3339(payload->expires) << ") with " << keys.size()
          << (keys.size() == 1 ? " key: " : " keys: ") << KeyList(keys) << "\n";
  return 0;
}

}  // namespace bulwark::policy_tool
