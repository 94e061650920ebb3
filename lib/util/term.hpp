// The one terminal check (as ninja's line_printer): colour only on a terminal and never with NO_COLOR;
// progress only when stderr is a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlci {

bool stdout_is_tty();
bool stderr_is_tty();
/// Colour on stdout: a terminal, NO_COLOR unset (any value disables it), TERM not "dumb".
bool use_colour();

enum class Colour { none, red, green, yellow, blue, bold, dim };
/// Wrap text in an ANSI colour when use_colour(); plain otherwise. paint() is the only producer of
/// escape sequences in mlci's output: text from notes, tags, files or stores is escaped (escape.hpp)
/// before it is painted or put in a table.
std::string paint(std::string_view text, Colour c);

/// The safety net of human output (cli::out, the hooks' lines): text with every control character
/// except '\n' (and '\t' when keep_tabs) escaped as term_escape does, C1 and bidi controls and
/// invalid UTF-8 included. Escape sequences are escaped too, except the colour sequences paint()
/// writes, which are kept when keep_colour: with colour off (NO_COLOR, not a terminal) no ESC byte is
/// ever written. Untrusted fields are escaped where they enter the output; this catches what was missed.
std::string terminal_safe(std::string_view text, bool keep_colour, bool keep_tabs = false);
/// Whether text holds only printable ASCII and '\n': then terminal_safe returns it as it is, and a
/// writer can skip the copy (`git gate log` writes megabytes of such lines).
bool plain_lines(std::string_view text);

/// Format a table: columns padded to their widest cell (by UTF-8 code points), two spaces apart.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

} // namespace mlci
