// A routing file in YAML: ParseYaml's tree through the routing file's loader
// (ccengine/yaml/routing_yaml.h).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "ccengine/config/document.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/yaml/routing_yaml.h"
#include "fmt/format.h"

namespace ccengine::yaml {

absl::StatusOr<config::RoutingConfig> LoadRoutingYaml(std::string_view text,
                                                      std::string_view source_name,
                                                      std::vector<std::string>* errors) {
  config::Diagnostic error;
  absl::StatusOr<config::Node> root = ParseYaml(text, &error);
  if (!root.ok()) {
    const std::string line = fmt::format("{}: {}", source_name, error.message);
    if (errors != nullptr) *errors = {line};
    return absl::Status(root.status().code(), line);
  }
  return config::LoadRoutingDocument(*root, text, source_name, errors);
}

absl::StatusOr<config::RoutingConfig> LoadRoutingFileAnySyntax(
    const std::string& path, std::vector<std::string>* errors) {
  if (!absl::EndsWith(path, ".yaml") && !absl::EndsWith(path, ".yml")) {
    return config::LoadRoutingFile(path, errors);
  }
  absl::StatusOr<std::string> text = config::ReadRoutingFileText(path);
  if (!text.ok()) return text.status();
  return LoadRoutingYaml(*text, path, errors);
}

}  // namespace ccengine::yaml
