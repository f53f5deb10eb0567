// -----------------------------------------------------------------------------
// File: ccengine/yaml/routing_yaml.h
// -----------------------------------------------------------------------------
//
// The routing file written in YAML (optional adapter, libyaml). `ParseYaml`
// builds the same document tree as config::ParseJson — every value with its
// line, column and byte offset — so `LoadRoutingYaml` checks a YAML routing
// file exactly as a JSON one and names every error's place in the YAML text:
//   routing.yaml:12:16: /queues/3/max_wait_s: must be > 0 seconds, got -5
//
// The YAML accepted is the part of YAML 1.2 a configuration file needs, read
// strictly so that a value never means something else than it looks:
//   - one document; block or flow style; comments;
//   - UTF-8 text (a leading byte order mark is skipped), lines ending in LF
//     or CRLF;
//   - plain scalars: `null`, `~` or nothing is null; `true` / `false` (also
//     True, TRUE, False, FALSE) are bools — `yes`, `no`, `on`, `off` are
//     strings; decimal numbers (`-12`, `0.5`, `1e3`) are numbers, which
//     must be finite (one too small to hold reads as the nearest double,
//     subnormal or 0, as in JSON);
//     anything else is a string: `08:00`, `2026-10-01`, `0x1F`, `1_000` (a
//     YAML 1.1 reader's sexagesimal, date and integers), and keys always;
//   - quoted scalars and block scalars (`|`, `>`) are always strings;
//   - mapping keys are scalars, each at most once per mapping;
//   - `%YAML 1.2`, or no directive.
// Refused with their place, because YAML 1.1 and 1.2 (or a reader and its
// editor) read them differently or a document would expand: a number with a
// leading zero (`010`: 8 or 10?), a lone CR, U+0085, U+2028 or U+2029
// (line breaks to YAML 1.1 only), `%YAML` other than 1.2, `%TAG`, any tag
// (`!` included), anchors and aliases; and a second document, complex keys,
// invalid UTF-8 (UTF-16 included), and the limits the JSON parser has
// (kMaxDocumentBytes, kMaxDocumentDepth, kMaxDocumentNodes).
//
// Errors: InvalidArgument "<problem> at <line>:<column> (byte <offset>)"
// (the size: ResourceExhausted); `error` (when not null) receives the same
// as a Diagnostic.
//
// Thread safety: pure functions.
//
// Example:
//   absl::StatusOr<config::RoutingConfig> routing =
//       ccengine::yaml::LoadRoutingYamlFile("examples/routing/hotline.yaml");

#ifndef CCENGINE_ADAPTERS_YAML_INCLUDE_CCENGINE_YAML_ROUTING_YAML_H_
#define CCENGINE_ADAPTERS_YAML_INCLUDE_CCENGINE_YAML_ROUTING_YAML_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/config/document.h"
#include "ccengine/config/expression.h"
#include "ccengine/config/routing_file.h"

namespace ccengine::yaml {

absl::StatusOr<config::Node> ParseYaml(std::string_view text,
                                       config::Diagnostic* error = nullptr,
                                       size_t max_bytes = config::kMaxDocumentBytes);

// config::LoadRoutingJson for YAML text: a syntax error is one error line,
// as for JSON (`source_name: message at line:col (byte n)`); the file's own
// errors as for JSON (`source_name:line:col: /pointer: message`).
absl::StatusOr<config::RoutingConfig> LoadRoutingYaml(
    std::string_view text, std::string_view source_name = "routing.yaml",
    std::vector<std::string>* errors = nullptr);

// Reads `path` and loads it: as YAML when it ends in ".yaml" or ".yml",
// else as JSON (config::LoadRoutingFile). NotFound / PermissionDenied when
// it cannot be read; ResourceExhausted, before reading, past
// kMaxDocumentBytes.
absl::StatusOr<config::RoutingConfig> LoadRoutingFileAnySyntax(
    const std::string& path, std::vector<std::string>* errors = nullptr);

}  // namespace ccengine::yaml

#endif  // CCENGINE_ADAPTERS_YAML_INCLUDE_CCENGINE_YAML_ROUTING_YAML_H_
