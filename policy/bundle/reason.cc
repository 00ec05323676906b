#include "policy/bundle/reason.h"

#include <array>

namespace bulwark::bundle {
namespace {

struct Entry {
  Reason reason;
  std::string_view code;
};

constexpr std::array kCodes = {
    Entry{Reason::kSize, "E_SIZE"},
    Entry{Reason::kEnvelopeParse, "E_ENVELOPE_PARSE"},
    Entry{Reason::kDuplicateKey, "E_DUPLICATE_KEY"},
    Entry{Reason::kDepth, "E_DEPTH"},
    Entry{Reason::kField, "E_FIELD"},
    Entry{Reason::kTooManySigs, "E_TOO_MANY_SIGS"},
    Entry{Reason::kPayloadType, "E_PAYLOAD_TYPE"},
    Entry{Reason::kBase64, "E_BASE64"},
    Entry{Reason::kThreshold, "E_THRESHOLD"},
    Entry{Reason::kPayloadParse, "E_PAYLOAD_PARSE"},
    Entry{Reason::kSchema, "E_SCHEMA"},
    Entry{Reason::kAudience, "E_AUDIENCE"},
    Entry{Reason::kEpoch, "E_EPOCH"},
    Entry{Reason::kValidityTooLong, "E_VALIDITY_TOO_LONG"},
    Entry{Reason::kNotYetValid, "E_NOT_YET_VALID"},
    Entry{Reason::kExpired, "E_EXPIRED"},
    Entry{Reason::kRollback, "E_ROLLBACK"},
    Entry{Reason::kEquivocation, "E_EQUIVOCATION"},
    Entry{Reason::kRootSchema, "E_ROOT_SCHEMA"},
    Entry{Reason::kRootKey, "E_ROOT_KEY"},
    Entry{Reason::kRootThreshold, "E_ROOT_THRESHOLD"},
    Entry{Reason::kRootSigOld, "E_ROOT_SIG_OLD"},
    Entry{Reason::kRootSigNew, "E_ROOT_SIG_NEW"},
    Entry{Reason::kRootVersion, "E_ROOT_VERSION"},
    Entry{Reason::kRootExpired, "E_ROOT_EXPIRED"},
    Entry{Reason::kRootFetch, "E_ROOT_FETCH"},
};

}  // namespace

std::string_view ReasonCode(Reason reason) {
  for (const Entry& e : kCodes) {
    if (e.reason == reason) return e.code;
  }
  std::abort();  // every enumerator is in the table
}

std::optional<Reason> ParseReasonCode(std::string_view code) {
  for (const Entry& e : kCodes) {
    if (e.code == code) return e.reason;
  }
  return std::nullopt;
}

std::string Rejection::ToString() const {
  std::string out(ReasonCode(reason));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace bulwark::bundle
