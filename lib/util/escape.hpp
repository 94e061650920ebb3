// Escaping of untrusted text for where mlci shows it (issue 12). A clone, a teammate's notes, a store's
// contents and tags written by hand or by another tool can hold any bytes: escape sequences that retitle
// the terminal or clear it, a carriage return that overwrites a verdict, bidi overrides that reorder a
// line, Markdown that renders as a heading or raw HTML in a pull request, a `$(…)` in a hint meant to be
// pasted into a shell. Every string from those sources goes through one of these where it enters the
// output; cmd/ adds a safety net at the sinks (term.hpp: terminal_safe; common.hpp).
#pragma once

#include <string>
#include <string_view>

namespace mlci {

/// Text made inert on a terminal, in the spirit of git's core.quotePath: C0 controls as \a \b \t \n \v
/// \f \r \e or \xNN, DEL as \x7f, C1 controls (U+0080–U+009F, which some terminals read as CSI) as
/// \u{9b}, Unicode bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) as \u{202e}, and each
/// byte that is not part of valid UTF-8 as \xNN. Printable UTF-8 (é, ✅) and backslashes are kept, so
/// the result is one line of printable text and escaping it again changes nothing.
std::string term_escape(std::string_view s);
/// Append term_escape(s) to out. Text with nothing to escape, the common case, costs one scan.
void append_term_escaped(std::string& out, std::string_view s);
/// Whether term_escape(s) differs from s.
bool needs_term_escape(std::string_view s);

/// A message for stderr as git-style lines: each line of msg (split at '\n'; a final '\n' ends the
/// last line) as prefix + term_escape(line) + '\n'. mlci's own multi-line messages keep their lines,
/// and every line carries the prefix, so text inside a line can never pose as a line of its own.
std::string message_lines(std::string_view prefix, std::string_view msg);

/// Inert Markdown for a table cell or a list item: term_escape'd (one line, no control character),
/// then every character that means something to GitHub-flavoured Markdown or HTML — \ ` * _ [ ] < > &
/// | # ! ~ $ — escaped with a backslash, and ':' and the '.' of "www." so that GitHub's autolink extension
/// makes no link of "https://…" or "www.…" (it still links "name@host.tld": its e-mail links ignore
/// escapes). "\n\n### PASS\n\n<img src=x>" stays text in one cell.
std::string md_escape(std::string_view s);

/// Inert HTML text for element content and for attribute values in double or single quotes (a report
/// page, an SVG <title>): term_escape'd (one line, no control character, no bidi override), then & < > "
/// ' as character references. "<script>" shows as text and a quote cannot end an attribute.
std::string html_escape(std::string_view s);
/// Append html_escape(s) to out. Text with nothing to escape, the common case, costs one scan.
void append_html_escaped(std::string& out, std::string_view s);
/// The same for a block of text shown in <pre> (a model's output): line breaks and tabs are kept, every
/// other control character is escaped as term_escape does.
std::string html_escape_block(std::string_view s);

/// A word for a POSIX shell: as is when it holds only [A-Za-z0-9_@%+=:,./-] (and is not empty) and
/// always_quote is false, else in single quotes, each ' written as '\''. Safe to paste: no expansion,
/// no word splitting. (A control character inside stays raw here: the sink that prints the hint shows
/// it escaped, and the pasted word then names no file rather than another one.)
std::string shell_quote(std::string_view s, bool always_quote = false);

/// One byte inside a JSON or TOML basic string ("..."): '"' and '\\' with a backslash, \n \r \t by
/// name, every other C0 control and DEL as \uXXXX (hex digits upper- or lower-case, as each format's
/// writer has always written them), anything else as is.
void append_quoted_byte(std::string& out, unsigned char c, bool upper_hex);

} // namespace mlci
