#include "util/term.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace mlci {

bool stdout_is_tty() {
    return isatty(STDOUT_FILENO) == 1;
}
bool stderr_is_tty() {
    return isatty(STDERR_FILENO) == 1;
}

bool use_colour() {
    static const bool colour = [] {
        if (std::getenv("NO_COLOR") != nullptr) {
            return false;
        }
        const char* term = std::getenv("TERM");
        if (term != nullptr && std::strcmp(term, "dumb") == 0) {
            return false;
        }
        return stdout_is_tty();
    }();
    return colour;
}

std::string paint(std::string_view text, Colour c) {
    if (c == Colour::none || !use_colour()) {
        return std::string(text);
    }
    const char* code = "";
    switch (c) {
    case Colour::red:
        code = "\033[31m";
        break;
    case Colour::green:
        code = "\033[32m";
        break;
    case Colour::yellow:
        code = "\033[33m";
        break;
    case Colour::blue:
        code = "\033[34m";
        break;
    case Colour::bold:
        code = "\033[1m";
        break;
    case Colour::dim:
        code = "\033[2m";
        break;
    case Colour::none:
        break;
    }
    return std::string(code) + std::string(text) + "\033[0m";
}

namespace {
// Display width: code points, ANSI escapes not counted.
size_t display_width(const std::string& s) {
    size_t w = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == 0x1b) {
            while (i < s.size() && s[i] != 'm') {
                ++i;
            }
            continue;
        }
        if ((c & 0xC0) != 0x80) {
            ++w;
        }
    }
    return w;
}
} // namespace

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& r : rows) {
        if (widths.size() < r.size()) {
            widths.resize(r.size(), 0);
        }
        for (size_t i = 0; i < r.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(r[i]));
        }
    }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) {
                line.append(widths[i] - display_width(r[i]) + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line;
        out += '\n';
    }
    return out;
}

} // namespace mlci
