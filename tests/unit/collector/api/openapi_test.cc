// docs/openapi.yaml and the server's routing table list the same (method, path) pairs.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "agent/base/strings.h"
#include "collector/api/collector_api.h"

namespace bulwark::collector {
namespace {

// The (METHOD, path) operations of an OpenAPI document: a path is a 2-space-indented key
// starting with '/', an operation a 4-space-indented HTTP method key beneath it.
std::set<std::pair<std::string, std::string>> DocumentedRoutes(const std::string& yaml) {
  std::set<std::pair<std::string, std::string>> routes;
  std::istringstream in(yaml);
  std::string line;
  bool in_paths = false;
  std::string path;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ') break;
    if (StartsWith(line, "  /") && EndsWith(line, ":")) {
      path = line.substr(2, line.size() - 3);
      continue;
    }
    for (const char* method : {"get", "post", "put", "delete", "patch"}) {
      if (line == std::string("    ") + method + ":") {
        std::string upper = method;
        for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
        routes.emplace(upper, path);
      }
    }
  }
  return routes;
}

TEST(OpenApiTest, EveryServedRouteIsDocumentedAndNothingElse) {
  std::ifstream file(std::string(BULWARK_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_TRUE(file) << "docs/openapi.yaml is missing";
  std::ostringstream text;
  text << file.rdbuf();
  const auto documented = DocumentedRoutes(text.str());
  const auto served_list = CollectorApi::Routes();
  const std::set<std::pair<std::string, std::string>> served(served_list.begin(),
                                                             served_list.end());
  for (const auto& route : served) {
    EXPECT_TRUE(documented.count(route))
        << route.first << " " << route.second << " is served but not in docs/openapi.yaml";
  }
  for (const auto& route : documented) {
    EXPECT_TRUE(served.count(route))
        << route.first << " " << route.second << " is documented but not served";
  }
  EXPECT_EQ(served.size(), 13u);
}

}  // namespace
}  // namespace bulwark::collector
