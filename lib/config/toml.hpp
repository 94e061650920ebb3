// Guarded TOML parsing for every mlci file format (config, gates, pointers, notes, prompt front matter):
// size and nesting are bounded before TOML++ sees the text (it recurses), and parse errors carry
// file:line:column. Internal to lib/: includes TOML++.
#pragma once

#include "util/error.hpp"

#include <string>
#include <string_view>
#include <toml++/toml.h>

namespace mlci {

inline constexpr size_t k_max_toml_bytes = 1024 * 1024;
inline constexpr int k_max_toml_depth = 64;

/// Parse `text` (named `source` in messages, `line_offset` added to reported lines, e.g. for front
/// matter inside a prompt file). Throws Error of `kind` on any failure.
toml::table parse_toml(std::string_view text, const std::string& source, ErrorKind kind = ErrorKind::config,
                       int line_offset = 0);

/// "file:line" of a node, for messages ("file" alone when the node has no source position).
std::string where(const std::string& source, const toml::node& node, int line_offset = 0);

/// Serialize a TOML string value with escapes (for files mlci writes by hand).
std::string toml_quote(std::string_view s);
/// A key as TOML writes it: bare when it is made of [A-Za-z0-9_-] only (and not empty), else toml_quote'd.
std::string toml_key(std::string_view k);

} // namespace mlci
