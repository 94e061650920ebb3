// The pieces of `git gate log`'s lines, appended to an output string without printf: over a whole
// history printf's format parsing cost more than the rest of a line. Each writes exactly what its
// general counterpart writes (the unit tests compare them).
#pragma once

#include "git/repo.hpp"

#include <cstdint>
#include <string>

namespace mlci::eval {

/// Oid::hex() (40 digits).
void append_hex(std::string& out, const git::Oid& id);
/// Oid::short_hex() (7 digits).
void append_short_hex(std::string& out, const git::Oid& id);
/// format_utc(epoch) of note.hpp: "2026-01-01T00:00:00Z".
void append_utc(std::string& out, int64_t epoch);
/// value_text(v) of report.hpp: "%.6g".
void append_value(std::string& out, double v);
/// json_escape(s) of util/json.hpp (quoted), without a temporary string for text with nothing to escape.
void append_json_string(std::string& out, const std::string& s);

} // namespace mlci::eval
