#include "policy/tool/cli_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "agent/base/strings.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error (a failed close can lose written data on NFS).
  Status Close(const std::string& path) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoToStatus(errno, path);
    return Status();
  }

 private:
  int fd_;
};

std::string Base64Lines(std::string_view der) {
  const std::string b64 = bundle::EncodeBase64(der);
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64);
    out += '\n';
  }
  return out;
}

}  // namespace

int UsageError(const CliContext& ctx, std::string_view command, std::string_view message) {
  ctx.err << kProgram << ": " << message << " (try '" << kProgram;
  if (!command.empty()) ctx.err << " " << command;
  ctx.err << " --help')\n";
  return 1;
}

int Fail(const CliContext& ctx, std::string_view command, std::string_view message) {
  ctx.err << kProgram << ": " << command << ": " << message << "\n";
  return 1;
}

bool ParseArgs(const std::vector<std::string>& args, const po::options_description& desc,
               po::variables_map& vm, std::vector<std::string>* positional, const CliContext& ctx,
               std::string_view command, int* exit_code) {
  try {
    po::options_description all;
    all.add(desc);
    all.add_options()("positional-args__", po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add("positional-args__", -1);
    po::parsed_options parsed =
        po::command_line_parser(args)
            .options(all)
            .positional(pos)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .run();
    po::store(parsed, vm);
    po::notify(vm);
    std::vector<std::string> words;
    if (vm.count("positional-args__")) {
      words = vm["positional-args__"].as<std::vector<std::string>>();
    }
    if (positional == nullptr && !words.empty()) {
      *exit_code = UsageError(ctx, command, "unexpected argument '" + words.front() + "'");
      return false;
    }
    if (positional != nullptr) *positional = std::move(words);
    return true;
  } catch (const po::error& e) {
    *exit_code = UsageError(ctx, command, e.what());
    return false;
  }
}

Result<std::string> ReadFilePrefix(const std::string& path, std::size_t max_bytes) {
  const bool is_stdin = path == "-";
  const int raw = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return ErrnoToStatus(errno, path);
  Fd fd(is_stdin ? -1 : raw);
  struct stat st {};
  if (::fstat(raw, &st) == 0 && S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(path + ": is a directory");
  }
  std::string data;
  const std::size_t want = max_bytes + 1;
  char buf[65536];
  while (data.size() < want) {
    const std::size_t chunk = std::min(sizeof buf, want - data.size());
    const ssize_t n = ::read(raw, buf, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, path);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

Result<std::string> ReadWholeFile(const std::string& path, std::size_t max_bytes) {
  ASSIGN_OR_RETURN(std::string data, ReadFilePrefix(path, max_bytes));
  if (data.size() > max_bytes) {
    return ResourceExhaustedError(path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return data;
}

Status WriteOutput(const CliContext& ctx, const std::string& path, std::string_view contents) {
  if (path == "-") {
    ctx.out << contents;
    ctx.out.flush();
    if (!ctx.out) return InternalError("cannot write to standard output");
    return Status();
  }
  return WriteFileAtomic(path, contents, 0644);
}

Result<PemBlock> ParsePem(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kDashes = "-----";
  const std::size_t begin = text.find(kBegin);
  if (begin == std::string_view::npos) return InvalidArgumentError("not a PEM file");
  const std::size_t label_start = begin + kBegin.size();
  const std::size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos) return InvalidArgumentError("malformed PEM header");
  PemBlock block;
  block.label = std::string(text.substr(label_start, label_end - label_start));
  const std::string end_marker = "-----END " + block.label + "-----";
  const std::size_t body_start = label_end + kDashes.size();
  const std::size_t end = text.find(end_marker, body_start);
  if (end == std::string_view::npos) {
    return InvalidArgumentError("PEM block '" + block.label + "' has no END line");
  }
  std::string b64;
  for (char c : text.substr(body_start, end - body_start)) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') b64 += c;
  }
  if (b64.find(':') != std::string::npos) {
    return InvalidArgumentError("encrypted PEM keys are not supported");
  }
  Result<std::string> der = bundle::DecodeStrictBase64(b64);
  if (!der.ok()) return InvalidArgumentError("PEM body is not base64: " + der.status().message());
  block.der = std::move(der).value();
  return block;
}

std::string SpkiToPem(std::string_view spki_der) {
  return "-----BEGIN PUBLIC KEY-----\n" + Base64Lines(spki_der) + "-----END PUBLIC KEY-----\n";
}

Result<bundle::PublicKey> LoadPublicKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, 64 * 1024));
  Result<PemBlock> pem = ParsePem(text);
  if (!pem.ok()) return InvalidArgumentError(path + ": " + pem.status().message());
  if (pem->label.find("PRIVATE KEY") != std::string::npos) {
    return InvalidArgumentError(path + ": is a private key; give the public key file (PREFIX.pub)");
  }
  if (pem->label != "PUBLIC KEY") {
    return InvalidArgumentError(path + ": PEM block '" + pem->label +
                                "' is not a public key (want BEGIN PUBLIC KEY)");
  }
  // The canonical Ed25519 SPKI is 44 bytes; everything else must be a canonical P-256 key.
  const bundle::KeyType type =
      pem->der.size() == 44 ? bundle::KeyType::kEd25519 : bundle::KeyType::kEcdsaP256;
  Result<bundle::PublicKey> key = bundle::PublicKey::FromSpki(type, pem->der);
  if (!key.ok()) {
    return InvalidArgumentError(path + ": not an Ed25519 or ECDSA P-256 public key (" +
                                key.status().message() + ")");
  }
  return key;
}

Result<bundle::PrivateKey> LoadPrivateKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, 64 * 1024));
  Result<PemBlock> pem = ParsePem(text);
  if (!pem.ok()) return InvalidArgumentError(path + ": " + pem.status().message());
  if (pem->label == "PUBLIC KEY") {
    return InvalidArgumentError(path + ": is a public key; signing needs the private key file " +
                                "(PREFIX.key)");
  }
  if (pem->label == "ENCRYPTED PRIVATE KEY") {
    return InvalidArgumentError(path + ": encrypted private keys are not supported");
  }
  Result<bundle::PrivateKey> key = bundle::PrivateKey::FromPem(text);
  if (!key.ok()) return InvalidArgumentError(path + ": " + key.status().message());
  return key;
}

Result<boost::json::value> ParseJsonFile(const std::string& path, std::size_t max_bytes) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path, max_bytes));
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return InvalidArgumentError(path + ": bad JSON: " + ec.message());
  return v;
}

Result<SystemTime> ParseTimeArgument(std::string_view option, std::string_view text,
                                     SystemTime now) {
  if (text == "now") return WholeSeconds(now);
  Result<SystemTime> t = ParseRfc3339(text);
  if (!t.ok()) {
    return InvalidArgumentError("--" + std::string(option) + " '" + std::string(text) +
                                "' is not YYYY-MM-DDTHH:MM:SSZ");
  }
  return t;
}

std::string DescribeOffset(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace bulwark::policy_tool
