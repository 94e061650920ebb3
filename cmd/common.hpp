// What the three mains share: the one place that maps mlci::Error to an exit code and prints git-style
// `error:` / `hint:` lines (DESIGN.md section 7), and small CLI11 helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace mlci::cli {

/// Parse with CLI11 and run `body`; returns the process exit code. Usage errors exit 2, `--help` 0,
/// mlci::Error its kind's code, anything else 2 with the exception's text.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

/// Print to stdout (data) — a single write so a pipe sees whole lines.
void out(const std::string& text);
/// `error: …` / `warning: …` / `hint: …` on stderr.
void error(const std::string& msg);
void hint(const std::string& msg);
/// Plain progress/status line on stderr (not data).
void note(const std::string& msg);

/// Apply mlci's help formatting and common flags to a subcommand-style app.
void setup_app(CLI::App& app, const std::string& tool);

} // namespace mlci::cli
