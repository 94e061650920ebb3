// The warning sink (diag.hpp): by default `warning: ` lines on stderr with control characters escaped,
// since warnings quote notes, tags and file names.
#include "util/diag.hpp"

#include "util/escape.hpp"

#include <cstdio>

namespace mlci {

namespace {
WarningSink& sink() {
    // Each line `warning: …`, control characters escaped: warnings quote notes, tags and file names.
    static WarningSink s = [](const std::string& m) {
        std::string text = message_lines("warning: ", m);
        std::fwrite(text.data(), 1, text.size(), stderr);
    };
    return s;
}
} // namespace

WarningSink set_warning_sink(WarningSink s) {
    WarningSink old = std::move(sink());
    sink() = std::move(s);
    return old;
}

void warn(const std::string& message) {
    if (sink()) {
        sink()(message);
    }
}

} // namespace mlci
