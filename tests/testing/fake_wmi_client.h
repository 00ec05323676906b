// FakeWmiClient: answers WQL queries and method calls from recorded rows, as the real WMI
// client would return them, and records every call. Header-only so any test can use it.
//
// Queries are matched by namespace and by the class after "FROM"; a namespace without any
// registered class answers kNotFound "0x8004100E (WBEM_E_INVALID_NAMESPACE)", an unregistered
// class in a known namespace kNotFound "0x80041010 (WBEM_E_INVALID_CLASS)". Method calls are
// matched by (object path, method, selector), where the selector is the first string
// in-parameter ("" when there is none), so GetKeyProtectorType can answer per protector id.
// Not thread-safe.
#ifndef BULWARK_TESTS_TESTING_FAKE_WMI_CLIENT_H_
#define BULWARK_TESTS_TESTING_FAKE_WMI_CLIENT_H_

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/wmi_client.h"

namespace bulwark {

class FakeWmiClient final : public WmiClient {
 public:
  void AddRows(const std::string& ns, const std::string& wmi_class, std::vector<WmiRow> rows) {
    queries_[{ns, AsciiLower(wmi_class)}] = std::move(rows);
  }
  void FailQuery(const std::string& ns, const std::string& wmi_class, Status status) {
    queries_[{ns, AsciiLower(wmi_class)}] = std::move(status);
  }
  void SetMethod(const std::string& object_path, const std::string& method, WmiRow out,
                 const std::string& selector = "") {
    methods_[{object_path, method, selector}] = std::move(out);
  }
  void FailMethod(const std::string& object_path, const std::string& method, Status status,
                  const std::string& selector = "") {
    methods_[{object_path, method, selector}] = std::move(status);
  }

  Result<std::vector<WmiRow>> Query(const std::string& ns, const std::string& wql) override {
    queries.push_back(wql);
    const std::string lower = AsciiLower(wql);
    std::string wmi_class;
    if (auto pos = lower.find(" from "); pos != std::string::npos) {
      auto rest = TrimWhitespace(std::string_view(lower).substr(pos + 6));
      wmi_class = std::string(rest.substr(0, rest.find(' ')));
    }
    bool known_namespace = false;
    for (const auto& [key, answer] : queries_) {
      if (key.first != ns) continue;
      known_namespace = true;
      if (key.second != wmi_class) continue;
      if (const auto* status = std::get_if<Status>(&answer)) return *status;
      return std::get<std::vector<WmiRow>>(answer);
    }
    if (!known_namespace) return NotFoundError(ns + ": 0x8004100E (WBEM_E_INVALID_NAMESPACE)");
    return NotFoundError(wmi_class + ": 0x80041010 (WBEM_E_INVALID_CLASS)");
  }

  Result<WmiRow> CallMethod(const std::string& ns, const std::string& object_path,
                            const std::string& method, const WmiRow& in) override {
    (void)ns;
    std::string selector;
    for (const auto& [name, value] : in) {
      if (const auto* s = std::get_if<std::string>(&value)) {
        selector = *s;
        break;
      }
    }
    calls.push_back(method + (selector.empty() ? "" : "(" + selector + ")"));
    auto it = methods_.find({object_path, method, selector});
    if (it == methods_.end()) {
      return NotFoundError(object_path + "." + method + ": 0x80041002 (WBEM_E_NOT_FOUND)");
    }
    if (const auto* status = std::get_if<Status>(&it->second)) return *status;
    return std::get<WmiRow>(it->second);
  }

  std::vector<std::string> queries;  // every WQL text, in order
  std::vector<std::string> calls;    // "Method" or "Method(selector)", in order

 private:
  std::map<std::pair<std::string, std::string>, std::variant<std::vector<WmiRow>, Status>> queries_;
  std::map<std::tuple<std::string, std::string, std::string>, std::variant<WmiRow, Status>>
      methods_;
};

}  // namespace bulwark

#endif  // BULWARK_TESTS_TESTING_FAKE_WMI_CLIENT_H_
