// libFuzzer target for policy parsing and evaluation: the bytes are a policy payload. It goes
// through the strict payload parser and schema (P6, P7), the check validation with the real
// JSON Logic validator (P11) and, when accepted, the policy engine against a fixed facts
// document — as `bulwark-policy lint` and `test` and the agent do. Nothing may crash, hang or
// let an unknown fact pass.
//
// Built by the clang fuzz tree (-DBULWARK_FUZZ=ON); seeds: tests/fuzz/seeds/policy and
// ../shared/testdata/policy-conformance payloads.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/bundle/policy_payload.h"
#include "policy/engine/engine.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace {

const boost::json::value& Facts() {
  static const boost::json::value facts = boost::json::parse(R"({
    "schema":"bulwark.facts/1","os":{"family":"linux","id":"debian","version":"12"},
    "host":{"hostname":"h","machine_id":null},
    "disk_encryption":{"volumes":[{"mount_point":"/","role":"system","encrypted":true,
      "cipher":"aes-xts-plain64","key_bits":512,"key_protectors":["passphrase"]},
      {"mount_point":null,"role":"swap","encrypted":null,"cipher":null,"key_bits":null}]},
    "local_admins":{"members":[{"name":"alice","id":"1000","via":["group:sudo"]}],
      "console_user":"alice","console_user_is_admin":true},
    "endpoint_protection":{"antivirus":[],"firewall":{"enabled":null},"mac":{"name":"apparmor",
      "mode":"enforcing"}},"hardening":{}})");
  return facts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bundle = bulwark::bundle;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto payload = bundle::ParsePolicyPayload(body);
  if (!payload.ok()) return 0;
  auto validator = [](const boost::json::value& c) { return bulwark::jsonlogic::ValidateRule(c); };
  if (!bundle::ValidateChecks(payload->document, validator).ok()) return 0;
  auto results = bulwark::policy::EvaluateChecks(payload->document, Facts(), {});
  // The swap volume's encryption is unknown: no check may pass by reading it as a value.
  for (const auto& r : results) {
    if (r.id.empty() && r.status == bulwark::policy::CheckStatus::kPass &&
        payload->document.as_object().at("checks").as_array().empty()) {
      std::abort();  // a result without a check
    }
  }
  (void)bulwark::policy::BuildReport({}, results, Facts());
  return 0;
}
