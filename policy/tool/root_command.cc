// bulwark-policy root init|sign|rotate: build, sign and rotate the organisation's trust root.
#include <set>

#include "policy/bundle/dsse.h"
#include "policy/tool/policy_cli.h"
#include "policy/tool/root_builder.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

constexpr char kUsage[] =
    "Usage: bulwark-policy root init|sign|rotate [OPTION]...\n"
    "Build, sign and rotate the organisation's trust root (DSSE envelope of type\n"
    "application/vnd.bulwark.trustroot.v1+json).\n"
    "\n"
    "  init     build root v1 from public keys (unsigned draft, or signed with --sign-key)\n"
    "  sign     add signatures to a root, one offline key holder at a time\n"
    "  rotate   build root N+1 from root N with changed keys, thresholds, expiry or epoch\n"
    "\n"
    "Run 'bulwark-policy root SUBCOMMAND --help' for the options of one subcommand.\n";

constexpr char kInitUsage[] =
    "Usage: bulwark-policy root init --org ID --root-key PUB... --root-threshold N\n"
    "                                --policy-key PUB... --policy-threshold N\n"
    "                                [--expires TIME | --expires-in-days D]\n"
    "                                [--sign-key KEY]... [--out FILE]\n"
    "Build trust root version 1 (policy_epoch 1).\n"
    "\n"
    "  --org ID                 the organisation id ([A-Za-z0-9._-], starting alphanumeric)\n"
    "  --root-key PUB           public key file (PREFIX.pub) of the root role; repeat it or\n"
    "                           list several files after it\n"
    "  --root-threshold N       root signatures needed to sign the next root (1..keys)\n"
    "  --policy-key PUB         public key file of the policy role (signs bundles)\n"
    "  --policy-threshold N     policy signatures needed on a bundle (1..keys)\n"
    "  --expires TIME           expiry, YYYY-MM-DDTHH:MM:SSZ (default: now + 365 days)\n"
    "  --expires-in-days D      expiry as now + D days\n"
    "  --sign-key KEY           sign right away with this root private key (repeatable)\n"
    "  --out FILE               where to write the root envelope (default '-': stdout)\n"
    "  -h, --help               display this help and exit\n"
    "\n"
    "Without --sign-key the output is an unsigned draft: pass it to the root key holders,\n"
    "each runs 'bulwark-policy root sign --key THEIR.key ROOT.json'. A status line on stderr\n"
    "says how many signatures are still missing.\n";

constexpr char kSignUsage[] =
    "Usage: bulwark-policy root sign --key KEY [--key KEY]... [--previous OLD_ROOT.json]\n"
    "                                [--out FILE] ROOT.json\n"
    "Add signatures to a trust root envelope, keeping the signatures it already has.\n"
    "\n"
    "  --key KEY                a root private key (PREFIX.key); repeatable\n"
    "  --previous OLD_ROOT.json the root this one replaces (for a rotation): its root keys\n"
    "                           may sign too, and both thresholds are reported\n"
    "  --out FILE               write the result here ('-': stdout) instead of replacing\n"
    "                           ROOT.json in place (atomically)\n"
    "  -h, --help               display this help and exit\n"
    "\n"
    "A key must belong to the root role of ROOT.json or, with --previous, of OLD_ROOT.json.\n"
    "The status line on stderr tells whether the root is complete (it then loads as a trusted\n"
    "root and, with --previous, verifies as the successor of OLD_ROOT.json).\n";

constexpr char kRotateUsage[] =
    "Usage: bulwark-policy root rotate [OPTION]... CURRENT_ROOT.json\n"
    "Build root version N+1 from the current, fully signed root N. Unless changed, keys,\n"
    "thresholds and policy_epoch carry over; the expiry is renewed.\n"
    "\n"
    "  --root-key PUB           replace the root role's keys (repeatable)\n"
    "  --add-root-key PUB       add a key to the root role (repeatable)\n"
    "  --remove-root-key K      remove a key (keyid or PUB file) from the root role\n"
    "  --root-threshold N       new root threshold\n"
    "  --policy-key PUB         replace the policy role's keys (repeatable)\n"
    "  --add-policy-key PUB     add a key to the policy role (repeatable)\n"
    "  --remove-policy-key K    remove a key (keyid or PUB file) from the policy role\n"
    "  --policy-threshold N     new policy threshold\n"
    "  --bump-epoch             policy_epoch + 1: bundles of the old epoch stop verifying\n"
    "                           (fast-forward recovery after a policy key compromise)\n"
    "  --expires TIME           expiry, YYYY-MM-DDTHH:MM:SSZ (default: now + 365 days)\n"
    "  --expires-in-days D      expiry as now + D days\n"
    "  --sign-key KEY           sign right away (keys of root N or N+1; repeatable)\n"
    "  --out FILE               where to write root N+1 (default '-': stdout)\n"
    "  -h, --help               display this help and exit\n"
    "\n"
    "Root N+1 is valid once signed by >= threshold of root N's root keys AND >= threshold of\n"
    "its own root keys: 'bulwark-policy root sign --previous CURRENT_ROOT.json ...'. Publish\n"
    "it, keep every old root published, and ship it with the next installer.\n";

using StringList = std::vector<std::string>;

StringList Strings(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<StringList>() : StringList{};
}

Result<std::vector<bundle::PublicKey>> LoadPublicKeys(const StringList& paths) {
  std::vector<bundle::PublicKey> keys;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(bundle::PublicKey key, LoadPublicKeyFile(path));
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<std::vector<bundle::PrivateKey>> LoadPrivateKeys(const StringList& paths) {
  std::vector<bundle::PrivateKey> keys;
  std::set<std::string> seen;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(bundle::PrivateKey key, LoadPrivateKeyFile(path));
    if (!seen.insert(key.keyid()).second) {
      return InvalidArgumentError(path + ": the same key is given twice");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

// The expiry from --expires / --expires-in-days, default now + 365 days.
Result<SystemTime> Expiry(const po::variables_map& vm, SystemTime now) {
  if (vm.count("expires") && vm.count("expires-in-days")) {
    return InvalidArgumentError("give --expires or --expires-in-days, not both");
  }
  if (vm.count("expires"))
    return ParseTimeArgument("expires", vm["expires"].as<std::string>(), now);
  const long days = vm.count("expires-in-days") ? vm["expires-in-days"].as<long>() : 365;
  if (days < 1 || days > 36500) return InvalidArgumentError("--expires-in-days must be 1..36500");
  return WholeSeconds(now) + std::chrono::hours(24 * days);
}

// Refuses a signing key that belongs to neither the new root's root role nor the previous
// one's: its signature would never count and would take one of the 16 signature slots.
Status CheckSigners(const std::vector<bundle::PrivateKey>& keys, const bundle::TrustRoot& root,
                    const bundle::TrustRoot* previous) {
  for (const bundle::PrivateKey& key : keys) {
    const auto in_role = [&](const bundle::TrustRoot& r) {
      for (const std::string& id : r.root_role.keyids) {
        if (id == key.keyid()) return true;
      }
      return false;
    };
    if (in_role(root) || (previous != nullptr && in_role(*previous))) continue;
    std::string message =
        "key " + key.keyid() + " is not a root-role key of root v" + std::to_string(root.version);
    message += previous != nullptr
                   ? " nor of root v" + std::to_string(previous->version)
                   : std::string(
                         "; to sign a rotation with a key of the previous root, pass "
                         "--previous OLD_ROOT.json");
    return InvalidArgumentError(message);
  }
  return Status();
}

// Signs `envelope` with `keys` (if any), writes it to `out_path` and prints the status line.
int SignWriteAndReport(const CliContext& ctx, std::string_view command, std::string envelope,
                       const std::vector<bundle::PrivateKey>& keys,
                       const bundle::TrustRoot* previous, const std::string& out_path) {
  bundle::Checked<bundle::TrustRoot> root = bundle::ParseTrustRoot(envelope);
  if (!root.ok()) return Fail(ctx, command, root.error().ToString());
  if (Status s = CheckSigners(keys, *root, previous); !s.ok())
    return Fail(ctx, command, s.message());
  std::vector<std::string> notes;
  if (!keys.empty()) {
    std::vector<const bundle::PrivateKey*> ptrs;
    for (const bundle::PrivateKey& k : keys) ptrs.push_back(&k);
    Result<std::string> signed_envelope = AddRootSignatures(envelope, ptrs, &notes);
    if (!signed_envelope.ok()) return Fail(ctx, command, signed_envelope.status().message());
    envelope = std::move(signed_envelope).value();
  }
  bundle::Checked<RootSigningStatus> status = InspectRootSignatures(envelope, previous);
  if (!status.ok()) return Fail(ctx, command, status.error().ToString());
  if (Status s = WriteOutput(ctx, out_path, envelope + "\n"); !s.ok()) {
    return Fail(ctx, command, s.message());
  }
  for (const std::string& note : notes) ctx.err << "note: " << note << "\n";
  for (const std::string& w : status->warnings) ctx.err << "warning: " << w << "\n";
  if (status->expires <= ctx.now()) {
    ctx.err << "warning: root v" << status->version << " expired at "
            << FormatRfc3339(status->expires) << "; agents would freeze (E_ROOT_EXPIRED)\n";
  }
  ctx.err << DescribeRootStatus(*status) << "\n";
  return 0;
}

void AddExpiryOptions(po::options_description& desc) {
  desc.add_options()("expires", po::value<std::string>(), "")("expires-in-days", po::value<long>(),
                                                              "");
}

int RunRootInit(const std::vector<std::string>& args, const CliContext& ctx) {
  constexpr char kCommand[] = "root init";
  po::options_description desc;
  desc.add_options()("org", po::value<std::string>(), "")(
      "root-key", po::value<StringList>()->composing()->multitoken(), "")(
      "root-threshold", po::value<std::uint64_t>(), "")(
      "policy-key", po::value<StringList>()->composing()->multitoken(), "")(
      "policy-threshold", po::value<std::uint64_t>(), "")(
      "sign-key", po::value<StringList>()->composing()->multitoken(), "")(
      "out", po::value<std::string>()->default_value("-"), "")("help,h", po::bool_switch(), "");
  AddExpiryOptions(desc);
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args, desc, vm, nullptr, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kInitUsage;
    return 0;
  }
  for (const char* required :
       {"org", "root-key", "root-threshold", "policy-key", "policy-threshold"}) {
    if (!vm.count(required)) {
      return UsageError(ctx, kCommand, std::string("root init needs --") + required);
    }
  }
  RootSpec spec;
  spec.org_id = vm["org"].as<std::string>();
  spec.version = 1;
  spec.policy_epoch = 1;
  spec.root_threshold = vm["root-threshold"].as<std::uint64_t>();
  spec.policy_threshold = vm["policy-threshold"].as<std::uint64_t>();
  Result<SystemTime> expires = Expiry(vm, ctx.now());
  if (!expires.ok()) return UsageError(ctx, kCommand, expires.status().message());
  spec.expires = *expires;
  auto root_keys = LoadPublicKeys(Strings(vm, "root-key"));
  if (!root_keys.ok()) return Fail(ctx, kCommand, root_keys.status().message());
  spec.root_keys = std::move(root_keys).value();
  auto policy_keys = LoadPublicKeys(Strings(vm, "policy-key"));
  if (!policy_keys.ok()) return Fail(ctx, kCommand, policy_keys.status().message());
  spec.policy_keys = std::move(policy_keys).value();
  auto sign_keys = LoadPrivateKeys(Strings(vm, "sign-key"));
  if (!sign_keys.ok()) return Fail(ctx, kCommand, sign_keys.status().message());

  Result<std::string> draft = DraftRootEnvelope(spec);
  if (!draft.ok()) return Fail(ctx, kCommand, draft.status().message());
  if (auto root = bundle::ParseTrustRoot(*draft); root.ok()) ctx.err << DescribeRoot(*root) << "\n";
  return SignWriteAndReport(ctx, kCommand, std::move(draft).value(), *sign_keys, nullptr,
                            vm["out"].as<std::string>());
}

int RunRootSign(const std::vector<std::string>& args, const CliContext& ctx) {
  constexpr char kCommand[] = "root sign";
  po::options_description desc;
  desc.add_options()("key", po::value<StringList>()->composing(), "")(
      "previous", po::value<std::string>(), "")("out", po::value<std::string>(), "")(
      "help,h", po::bool_switch(), "");
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kSignUsage;
    return 0;
  }
  if (files.size() != 1) return UsageError(ctx, kCommand, "root sign needs exactly one ROOT.json");
  if (!vm.count("key")) return UsageError(ctx, kCommand, "root sign needs --key KEY");
  const std::string& path = files[0];
  auto keys = LoadPrivateKeys(Strings(vm, "key"));
  if (!keys.ok()) return Fail(ctx, kCommand, keys.status().message());
  Result<std::string> envelope = ReadWholeFile(path, bundle::kMaxRootEnvelopeBytes);
  if (!envelope.ok()) return Fail(ctx, kCommand, envelope.status().message());

  std::optional<bundle::TrustRoot> previous;
  if (vm.count("previous")) {
    const std::string prev_path = vm["previous"].as<std::string>();
    Result<std::string> prev_bytes = ReadWholeFile(prev_path, bundle::kMaxRootEnvelopeBytes);
    if (!prev_bytes.ok()) return Fail(ctx, kCommand, prev_bytes.status().message());
    bundle::Checked<bundle::TrustRoot> prev = bundle::LoadTrustedRoot(*prev_bytes);
    if (!prev.ok()) {
      return Fail(ctx, kCommand,
                  prev_path + ": not a fully signed root: " + prev.error().ToString());
    }
    previous = std::move(prev).value();
  }
  if (bundle::Checked<bundle::TrustRoot> root = bundle::ParseTrustRoot(*envelope); !root.ok()) {
    return Fail(ctx, kCommand, path + ": " + root.error().ToString());
  }
  const std::string out_path = vm.count("out") ? vm["out"].as<std::string>() : path;
  return SignWriteAndReport(ctx, kCommand, std::move(envelope).value(), *keys,
                            previous ? &*previous : nullptr, out_path);
}

// Applies --X-key (replace), --add-X-key, --remove-X-key to one role's key list.
Status EditRole(const po::variables_map& vm, const std::string& role,
                std::vector<bundle::PublicKey>* keys) {
  const StringList replace = Strings(vm, (role + "-key").c_str());
  if (!replace.empty()) {
    ASSIGN_OR_RETURN(*keys, LoadPublicKeys(replace));
  }
  ASSIGN_OR_RETURN(std::vector<bundle::PublicKey> added,
                   LoadPublicKeys(Strings(vm, ("add-" + role + "-key").c_str())));
  for (bundle::PublicKey& key : added) {
    for (const bundle::PublicKey& k : *keys) {
      if (k.keyid() == key.keyid()) {
        return InvalidArgumentError("--add-" + role + "-key: key " + key.keyid() +
                                    " is already in the " + role + " role");
      }
    }
    keys->push_back(std::move(key));
  }
  for (const std::string& which : Strings(vm, ("remove-" + role + "-key").c_str())) {
    std::string keyid = which;
    if (!bundle::IsKeyIdSyntax(which)) {
      ASSIGN_OR_RETURN(bundle::PublicKey key, LoadPublicKeyFile(which));
      keyid = key.keyid();
    }
    const auto before = keys->size();
    std::erase_if(*keys, [&](const bundle::PublicKey& k) { return k.keyid() == keyid; });
    if (keys->size() == before) {
      return InvalidArgumentError("--remove-" + role + "-key: key " + keyid + " is not in the " +
                                  role + " role");
    }
  }
  return Status();
}

int RunRootRotate(const std::vector<std::string>& args, const CliContext& ctx) {
  constexpr char kCommand[] = "root rotate";
  po::options_description desc;
  for (const char* role : {"root", "policy"}) {
    const std::string r(role);
    desc.add_options()((r + "-key").c_str(), po::value<StringList>()->composing(), "")(
        ("add-" + r + "-key").c_str(), po::value<StringList>()->composing(), "")(
        ("remove-" + r + "-key").c_str(), po::value<StringList>()->composing(), "")(
        (r + "-threshold").c_str(), po::value<std::uint64_t>(), "");
  }
  desc.add_options()("bump-epoch", po::bool_switch(), "")("sign-key",
                                                          po::value<StringList>()->composing(), "")(
      "out", po::value<std::string>()->default_value("-"), "")("help,h", po::bool_switch(), "");
  AddExpiryOptions(desc);
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kRotateUsage;
    return 0;
  }
  if (files.size() != 1) {
    return UsageError(ctx, kCommand, "root rotate needs exactly one CURRENT_ROOT.json");
  }
  Result<std::string> current_bytes = ReadWholeFile(files[0], bundle::kMaxRootEnvelopeBytes);
  if (!current_bytes.ok()) return Fail(ctx, kCommand, current_bytes.status().message());
  bundle::Checked<bundle::TrustRoot> current = bundle::LoadTrustedRoot(*current_bytes);
  if (!current.ok()) {
    return Fail(ctx, kCommand,
                files[0] + ": not a fully signed root: " + current.error().ToString());
  }
  RootSpec spec = SpecFromRoot(*current);
  spec.version = current->version + 1;
  if (vm["bump-epoch"].as<bool>()) spec.policy_epoch = current->policy_epoch + 1;
  Result<SystemTime> expires = Expiry(vm, ctx.now());
  if (!expires.ok()) return UsageError(ctx, kCommand, expires.status().message());
  spec.expires = *expires;
  if (Status s = EditRole(vm, "root", &spec.root_keys); !s.ok()) {
    return Fail(ctx, kCommand, s.message());
  }
  if (Status s = EditRole(vm, "policy", &spec.policy_keys); !s.ok()) {
    return Fail(ctx, kCommand, s.message());
  }
  if (vm.count("root-threshold")) spec.root_threshold = vm["root-threshold"].as<std::uint64_t>();
  if (vm.count("policy-threshold")) {
    spec.policy_threshold = vm["policy-threshold"].as<std::uint64_t>();
  }
  auto sign_keys = LoadPrivateKeys(Strings(vm, "sign-key"));
  if (!sign_keys.ok()) return Fail(ctx, kCommand, sign_keys.status().message());

  Result<std::string> draft = DraftRootEnvelope(spec);
  if (!draft.ok()) return Fail(ctx, kCommand, draft.status().message());
  if (auto root = bundle::ParseTrustRoot(*draft); root.ok()) ctx.err << DescribeRoot(*root) << "\n";
  return SignWriteAndReport(ctx, kCommand, std::move(draft).value(), *sign_keys, &*current,
                            vm["out"].as<std::string>());
}

}  // namespace

int RunRoot(const std::vector<std::string>& args, const CliContext& ctx) {
  if (args.empty()) return UsageError(ctx, "root", "root needs a subcommand: init, sign or rotate");
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h") {
    ctx.out << kUsage;
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "init") return RunRootInit(rest, ctx);
  if (sub == "sign") return RunRootSign(rest, ctx);
  if (sub == "rotate") return RunRootRotate(rest, ctx);
  return UsageError(ctx, "root", "unknown root subcommand '" + sub + "' (init, sign or rotate)");
}

}  // namespace bulwark::policy_tool
