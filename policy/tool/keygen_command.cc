// bulwark-policy keygen: a fresh Ed25519 or ECDSA P-256 key pair.

#include "policy/tool/policy_cli.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

constexpr char kCommand[] = "keygen";

constexpr char kUsage[] =
    "Usage: bulwark-policy keygen --out PREFIX [--algorithm ed25519|ecdsa-p256] [--force]\n"
    "Generate a signing key pair for a trust root or policy role.\n"
    "\n"
    "  --out PREFIX        write PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM)\n"
    "  --algorithm ALG     ed25519 (default; file-based offline keys) or ecdsa-p256\n"
    "  --force             replace an existing PREFIX.key (atomically, still 0600)\n"
    "  -h, --help          display this help and exit\n"
    "\n"
    "Prints the keyid (lowercase hex SHA-256 of the DER SubjectPublicKeyInfo) on stdout.\n"
    "An existing PREFIX.key is never overwritten without --force.\n";

}  // namespace

int RunKeygen(const std::vector<std::string>& args, const CliContext& ctx) {
  po::options_description desc;
  desc.add_options()("out", po::value<std::string>(), "")(
      "algorithm", po::value<std::string>()->default_value("ed25519"), "")(
      "force", po::bool_switch(), "")("help,h", po::bool_switch(), "");
  po::variables_map vm;
  int code = 0;
  if (!ParseArgs(args, desc, vm, nullptr, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kUsage;
    return 0;
  }
  if (!vm.count("out")) return UsageError(ctx, kCommand, "keygen needs --out PREFIX");
  const std::string prefix = vm["out"].as<std::string>();
  if (prefix.empty() || prefix == "-") {
    return UsageError(ctx, kCommand, "--out needs a file name prefix");
  }
  std::optional<bundle::KeyType> type = bundle::ParseKeyTypeName(vm["algorithm"].as<std::string>());
  if (!type) {
    return UsageError(
        ctx, kCommand,
        "unknown --algorithm '" + vm["algorithm"].as<std::string>() + "' (ed25519 or ecdsa-p256)");
  }

  Result<bundle::PrivateKey> key = bundle::PrivateKey::Generate(*type);
  if (!key.ok()) return Fail(ctx, kCommand, key.status().message());
  const std::string key_path = prefix + ".key";
  const std::string pub_path = prefix + ".pub";
  const std::string pem = key->ToPkcs8Pem();
  Status s = vm["force"].as<bool>() ? WriteFileAtomic(key_path, pem, 0600)
                                    : CreateFileExclusive(key_path, pem, 0600);
  if (s.code() == StatusCode::kAlreadyExists) {
    return Fail(ctx, kCommand, key_path + " already exists; refusing to overwrite a key (--force)");
  }
  if (!s.ok()) return Fail(ctx, kCommand, s.message());
  s = WriteFileAtomic(pub_path, SpkiToPem(key->spki_der()), 0644);
  if (!s.ok()) return Fail(ctx, kCommand, s.message());
  ctx.out << key->keyid() << "\n";
  ctx.out.flush();
  if (!ctx.out) return Fail(ctx, kCommand, "cannot write to standard output");
  return 0;
}

}  // namespace bulwark::policy_tool
