// What the three mains share: the one place that maps mlci::Error to an exit code and prints git-style
// `error:` / `hint:` lines (DESIGN.md section 7), and small CLI11 helpers.
#pragma once

#include "eval/check.hpp"
#include "util/error.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace mlci::cli {

/// The exit code of a verdict (DESIGN.md section 7): pass 0, fail 1, cannot decide 2. The one mapping
/// of verdicts to exit codes, as run() below is the one of mlci::Error kinds.
int exit_code(eval::Verdict v);
/// The exit code of an error kind: a check that says no (ErrorKind::check) 1, every other kind 2.
int exit_code(ErrorKind k);

/// Parse with CLI11 and run `body`; returns the process exit code. Usage errors exit 2, `--help` 0,
/// mlci::Error its kind's code, anything else 2 with the exception's text.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

/// Print human output (tables, status lines) to stdout — a single write so a pipe sees whole lines.
/// The safety net of issue 12: every control character but '\n' is escaped (terminal_safe, term.hpp),
/// paint()'s colours excepted while colour is on. Untrusted fields are escaped before (escape.hpp).
void out(const std::string& text);
/// Print output that is data, exactly as given: JSON (escaped by its writer), a bundle for a file.
void out_raw(const std::string& text);
/// Print data that a user may also read on a terminal (a prompt body, a diff of prompts): exact when
/// stdout is not a terminal; on a terminal, control characters but '\n' and tabs are escaped.
void out_data(const std::string& text);
/// `error: …` / `warning: …` / `hint: …` on stderr: each line of msg is a line with that prefix, and
/// every control character in it is escaped (message_lines, escape.hpp).
void error(const std::string& msg);
void warning(const std::string& msg);
void hint(const std::string& msg);
/// Plain progress/status line on stderr (not data): one line, control characters escaped.
void note(const std::string& msg);

/// Apply mlci's help formatting and common flags to a subcommand-style app.
void setup_app(CLI::App& app, const std::string& tool);

} // namespace mlci::cli
