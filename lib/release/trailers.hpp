// The release trailers of registry tags (issue 17), beside those of DESIGN.md section 3:
//   Mlci-Traffic: 5                          on a stage assignment: its integer share of traffic, 1–100
//                                            (absent: 100, the whole stage)
//   Mlci-Input: data/train.jsonl.mlci xxh128:<32 hex>   on a model version: a pointer input and its hash
//   Mlci-Input: train.py git:<40|64 hex>                 a plain file input and its git blob id
//   Mlci-Prompt: triage v1.2.0               a prompt at the version's commit and the version it equals
//   Mlci-Prompt: triage git:<blob>           …or its blob when it equals no registered version
// Tags are untrusted (anyone can push one): every reader validates and drops what does not parse.
#pragma once

#include "registry/traffic.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::release {

// The Mlci-Traffic helpers live in registry/traffic.hpp (promotion writes and reads them below release).
using registry::k_full_traffic;
using registry::parse_traffic;
using registry::traffic_of;
using registry::traffic_value;

/// One input of a model version.
struct Input {
    std::string path; // relative to the repository's top (relative_path_problem passes), no space at the end
    std::string hash; // "xxh128:<32 lowercase hex>" (a pointer's hash) or "git:<40|64 lowercase hex>"
    bool is_pointer() const { return hash.starts_with("xxh128:"); }
    bool operator==(const Input&) const = default;
};
/// "PATH HASH" (the hash is the last space-separated word, so a path may hold spaces).
std::string input_value(const Input& in);
/// Parse an Mlci-Input value; nullopt when the path or the hash is not acceptable.
std::optional<Input> parse_input(std::string_view value);
/// Every valid Mlci-Input of a tag message, in order; `*dropped` counts the invalid ones when given.
std::vector<Input> inputs_of(const std::string& tag_message, int* dropped = nullptr);

/// A prompt pinned by a model version's commit.
struct PromptPin {
    std::string name;    // a valid registry name
    std::string version; // "v1.2.0" when the file equals that registered version, else ""
    std::string blob;    // "git:<hex>" when version is ""
    bool operator==(const PromptPin&) const = default;
};
std::string prompt_value(const PromptPin& p);
std::optional<PromptPin> parse_prompt_pin(std::string_view value);
std::vector<PromptPin> prompt_pins_of(const std::string& tag_message);

} // namespace mlci::release
