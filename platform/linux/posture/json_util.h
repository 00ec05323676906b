// Small helpers for building the JSON extras of the posture facts. Header-only.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_JSON_UTIL_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_JSON_UTIL_H_

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace bulwark::posture_json {

inline boost::json::array Strings(const std::vector<std::string>& v,
                                  std::size_t limit = static_cast<std::size_t>(-1)) {
  boost::json::array out;
  for (std::size_t i = 0; i < v.size() && i < limit; ++i) out.emplace_back(v[i]);
  if (v.size() > limit) out.emplace_back("... " + std::to_string(v.size() - limit) + " more");
  return out;
}

template <typename T>
boost::json::value Opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

inline boost::json::value Opt(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

}  // namespace bulwark::posture_json

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_JSON_UTIL_H_
