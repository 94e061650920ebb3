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
/// Wrap text in an ANSI colour when use_colour(); plain otherwise.
std::string paint(std::string_view text, Colour c);

/// Format a table: columns padded to their widest cell (by UTF-8 code points), two spaces apart.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

} // namespace mlci
