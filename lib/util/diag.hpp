// Warnings from lib code. lib does not print: it reports through this sink, which cmd/ owns.
// The default sink writes git-style `warning: …` lines to stderr, control characters escaped.
#pragma once

#include <functional>
#include <string>

namespace mlci {

using WarningSink = std::function<void(const std::string&)>;

/// Replace the sink (tests collect warnings; cmd/ may silence them). Returns the previous one.
WarningSink set_warning_sink(WarningSink sink);

/// Report one warning line (no `warning:` prefix, no newline).
void warn(const std::string& message);

} // namespace mlci
