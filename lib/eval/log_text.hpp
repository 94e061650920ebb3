// The pieces of `git gate log`'s lines, appended to an output string without printf: over a whole
// history printf's format parsing cost more than the rest of a line. Each writes exactly what its
// general counterpart writes (the unit tests compare them).
#pragma once

#include "eval/report.hpp"
#include "git/repo.hpp"

#include <cstdint>
#include <functional>
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

/// Receives `git gate log`'s output in pieces of about 64 KiB, in order: a whole history's text in one
/// string would be megabytes of fresh memory (a page fault per 4 KiB) for nothing.
using LogSink = std::function<void(const std::string&)>;

/// `git gate log --json`: the points as Json::dump() would print an array of {commit, date, suite, run,
/// value, plus_minus?} objects, then the command's own newline ("[]\n\n" for none).
void write_log_json(const std::vector<LogPoint>& points, const LogSink& sink);
/// `git gate log`: a line per point (short commit, date, suite, value ± spread, summary), suite and
/// summary term_escape'd (notes and commit messages are untrusted, issue 12).
void write_log_text(const std::vector<LogPoint>& points, const LogSink& sink);

} // namespace mlci::eval
