// Shared plumbing of the bulwark-policy subcommands: the invocation context, argument parsing
// in the house CLI style (GNU --help, one-line errors, stray words rejected), file I/O with the
// modes a key tool needs, and loading of key files.
//
// Errors are Status values whose message already names the file; the commands print them as
// one line "bulwark-policy: COMMAND: MESSAGE" and exit 1.
//
// Thread-safety: functions are reentrant; a CliContext is used by one invocation at a time.
#ifndef BULWARK_POLICY_TOOL_CLI_COMMON_H_
#define BULWARK_POLICY_TOOL_CLI_COMMON_H_

#include <boost/json/value.hpp>
#include <boost/program_options.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/file_util.h"  // WriteFileAtomic, CreateFileExclusive
#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/signer.h"

namespace bulwark::policy_tool {

inline constexpr char kProgram[] = "bulwark-policy";

// What one invocation talks to. main() binds std::cout/std::cerr and the system clock; tests
// bind string streams and a fixed time.
struct CliContext {
  std::ostream& out;                // documents, JSON lines, tables
  std::ostream& err;                // one-line errors and status notes
  std::function<SystemTime()> now;  // wall-clock time
};

// Prints "bulwark-policy: MESSAGE (try 'bulwark-policy COMMAND --help')" and returns 1.
int UsageError(const CliContext& ctx, std::string_view command, std::string_view message);

// Prints "bulwark-policy: COMMAND: MESSAGE" and returns 1.
int Fail(const CliContext& ctx, std::string_view command, std::string_view message);

// Parses `args` against `desc` (unix style, no abbreviations). Positional words are collected
// into `positional` when it is non-null and rejected otherwise. On failure prints the usage
// error, stores 1 in *exit_code and returns false.
bool ParseArgs(const std::vector<std::string>& args,
               const boost::program_options::options_description& desc,
               boost::program_options::variables_map& vm, std::vector<std::string>* positional,
               const CliContext& ctx, std::string_view command, int* exit_code);

// Reads at most `max_bytes` + 1 bytes of `path` ("-" reads standard input). Callers that need
// the whole file use ReadWholeFile; the verifier reads a prefix so that its own cap names an
// oversized file (E_SIZE). Errors: kNotFound, kPermissionDenied, ... naming the path.
Result<std::string> ReadFilePrefix(const std::string& path, std::size_t max_bytes);

// Reads all of `path`; kResourceExhausted when it is larger than `max_bytes`.
Result<std::string> ReadWholeFile(const std::string& path, std::size_t max_bytes);

// Writes `contents` to `path`, or to ctx.out when `path` is "-". Files are replaced atomically
// with mode 0644.
Status WriteOutput(const CliContext& ctx, const std::string& path, std::string_view contents);

// PEM: the label ("PUBLIC KEY", "PRIVATE KEY", ...) and the decoded DER of the first block.
struct PemBlock {
  std::string label;
  std::string der;
};
Result<PemBlock> ParsePem(std::string_view text);

// "-----BEGIN PUBLIC KEY-----" PEM of a DER SubjectPublicKeyInfo, 64 columns.
std::string SpkiToPem(std::string_view spki_der);

// Loads an Ed25519 or ECDSA P-256 public key from an SPKI PEM file (PREFIX.pub). A private key
// file is refused with a message saying so (wrong key type).
Result<bundle::PublicKey> LoadPublicKeyFile(const std::string& path);

// Loads an unencrypted PKCS#8 (or SEC1 EC) private key PEM (PREFIX.key). A public key file is
// refused with a message saying so.
Result<bundle::PrivateKey> LoadPrivateKeyFile(const std::string& path);

// Parses JSON leniently (boost::json) for inputs that are not signed bytes: facts, rules, state
// files. Errors: kInvalidArgument "PATH: bad JSON: ...".
Result<boost::json::value> ParseJsonFile(const std::string& path, std::size_t max_bytes);

// Parses "YYYY-MM-DDTHH:MM:SSZ" or the word "now". Errors name the option.
Result<SystemTime> ParseTimeArgument(std::string_view option, std::string_view text,
                                     SystemTime now);

// `t` truncated to whole seconds (the only precision the RFC 3339 form carries).
inline SystemTime WholeSeconds(SystemTime t) {
  return SystemTime(std::chrono::floor<std::chrono::seconds>(t));
}

// 1-based line and column of byte `offset` in `text`, as "line L, column C".
std::string DescribeOffset(std::string_view text, std::size_t offset);

}  // namespace bulwark::policy_tool

#endif  // BULWARK_POLICY_TOOL_CLI_COMMON_H_
