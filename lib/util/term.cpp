// The terminal check and colours (term.hpp): use_colour, paint(), the only producer of escape sequences,
// and terminal_safe, which escapes every control in human output except paint()'s own sequences.
#include "util/term.hpp"

#include "util/escape.hpp"

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

namespace {

// The sequences paint() writes: SGR colours and the reset. terminal_safe keeps exactly these.
constexpr std::string_view k_sgr[] = {"\033[0m",  "\033[31m", "\033[32m", "\033[33m",
                                      "\033[34m", "\033[1m",  "\033[2m"};

// k_sgr is indexed by Colour (none = 0 stands for the reset, which paint() writes after the text).
static_assert(static_cast<int>(Colour::dim) == 6 && std::size(k_sgr) == 7);

std::string_view sgr_of(Colour c) {
    return c == Colour::none ? std::string_view{} : k_sgr[static_cast<size_t>(c)];
}

// The length of paint()'s sequence at text[i] (an ESC), or 0.
size_t own_sequence(std::string_view text, size_t i) {
    for (std::string_view seq : k_sgr) {
        if (text.compare(i, seq.size(), seq) == 0) {
            return seq.size();
        }
    }
    return 0;
}

} // namespace

std::string paint(std::string_view text, Colour c) {
    if (c == Colour::none || !use_colour()) {
        return std::string(text);
    }
    std::string out(sgr_of(c));
    out += text;
    out += k_sgr[0];
    return out;
}

bool plain_lines(std::string_view text) {
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\n') || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

std::string terminal_safe(std::string_view text, bool keep_colour, bool keep_tabs) {
    std::string out;
    out.reserve(text.size());
    // Runs between the characters kept raw ('\n', a tab, paint()'s sequences) go through the escaper.
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        size_t keep = 0;
        if (c == '\n' || (c == '\t' && keep_tabs)) {
            keep = 1;
        } else if (c == '\033' && keep_colour) {
            keep = own_sequence(text, i);
        }
        if (keep == 0) {
            continue;
        }
        append_term_escaped(out, text.substr(start, i - start));
        out.append(text.data() + i, keep);
        i += keep - 1;
        start = i + 1;
    }
    append_term_escaped(out, text.substr(start));
    return out;
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
