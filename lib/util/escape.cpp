// Escaping of untrusted text (escape.hpp) for terminals, Markdown and shells. Text with no byte to
// escape (no control, DEL or byte >= 0x80) is passed through after one scan; the slow path decodes UTF-8.
#include "util/escape.hpp"

#include "util/strings.hpp"

#include <cstdint>
#include <cstdio>

namespace mlci {

namespace {

// Bytes that may start something to escape: C0, DEL and everything past ASCII (C1 controls, bidi
// controls and invalid UTF-8 are all encoded with bytes >= 0x80). Text without them is kept as is.
inline bool suspect(unsigned char c) {
    return c < 0x20 || c >= 0x7f;
}

// C1 controls, and the bidi embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069) that
// reorder what a terminal or a browser shows ("Trojan Source").
inline bool escaped_code_point(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void append_byte_escape(std::string& out, unsigned char c) {
    switch (c) {
    case '\a':
        out += "\\a";
        return;
    case '\b':
        out += "\\b";
        return;
    case '\t':
        out += "\\t";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\v':
        out += "\\v";
        return;
    case '\f':
        out += "\\f";
        return;
    case '\r':
        out += "\\r";
        return;
    case 0x1b:
        out += "\\e";
        return;
    default:
        break;
    }
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 0xf];
}

// The slow path from the first suspect byte on.
void append_escaped_tail(std::string& out, std::string_view s, size_t i) {
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                append_byte_escape(out, c);
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        uint32_t cp = 0;
        size_t len = utf8_sequence(s, i, cp);
        if (len == 0) {
            append_byte_escape(out, c);
            ++i;
            continue;
        }
        if (escaped_code_point(cp)) {
            char buf[16];
            int n = std::snprintf(buf, sizeof buf, "\\u{%x}", static_cast<unsigned>(cp));
            out.append(buf, static_cast<size_t>(n));
        } else {
            out.append(s.data() + i, len);
        }
        i += len;
    }
}

size_t first_suspect(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (suspect(static_cast<unsigned char>(s[i]))) {
            return i;
        }
    }
    return s.size();
}

} // namespace

void append_term_escaped(std::string& out, std::string_view s) {
    size_t i = first_suspect(s);
    out.append(s.data(), i);
    if (i < s.size()) {
        append_escaped_tail(out, s, i);
    }
}

std::string term_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    append_term_escaped(out, s);
    return out;
}

bool needs_term_escape(std::string_view s) {
    for (size_t i = first_suspect(s); i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
            ++i;
            continue;
        }
        uint32_t cp = 0;
        size_t len = utf8_sequence(s, i, cp);
        if (len == 0 || escaped_code_point(cp)) {
            return true;
        }
        i += len;
    }
    return false;
}

std::string message_lines(std::string_view prefix, std::string_view msg) {
    std::string out;
    out.reserve(prefix.size() + msg.size() + 1);
    size_t start = 0;
    do {
        size_t nl = msg.find('\n', start);
        std::string_view line =
            msg.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        out += prefix;
        append_term_escaped(out, line);
        out += '\n';
        start = nl == std::string_view::npos ? msg.size() + 1 : nl + 1;
    } while (start < msg.size());
    return out;
}

std::string md_escape(std::string_view s) {
    std::string text = term_escape(s);
    std::string out;
    out.reserve(text.size() + 8);
    for (char c : text) {
        switch (c) {
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '<':
        case '>':
        case '&':
        case '|':
        case '#':
        case '!':
        case '~':
        case '$':
        case ':': // https:// would be linked by GitHub's autolink extension
            out += '\\';
            break;
        case '.': // and so would www.
            if (out.size() >= 3 && (out[out.size() - 3] | 0x20) == 'w' &&
                (out[out.size() - 2] | 0x20) == 'w' && (out.back() | 0x20) == 'w') {
                out += '\\';
            }
            break;
        default:
            break;
        }
        out += c;
    }
    return out;
}

namespace {

// & < > " ' as character references; everything else as is.
void append_entities(std::string& out, std::string_view s) {
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char* ref = nullptr;
        switch (s[i]) {
        case '&':
            ref = "&amp;";
            break;
        case '<':
            ref = "&lt;";
            break;
        case '>':
            ref = "&gt;";
            break;
        case '"':
            ref = "&quot;";
            break;
        case '\'':
            ref = "&#39;";
            break;
        default:
            continue;
        }
        out.append(s.data() + start, i - start);
        out += ref;
        start = i + 1;
    }
    out.append(s.data() + start, s.size() - start);
}

} // namespace

void append_html_escaped(std::string& out, std::string_view s) {
    if (first_suspect(s) == s.size()) {
        append_entities(out, s);
        return;
    }
    append_entities(out, term_escape(s));
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    append_html_escaped(out, s);
    return out;
}

std::string html_escape_block(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i < s.size() && s[i] != '\n' && s[i] != '\t') {
            continue;
        }
        std::string_view part = s.substr(start, i - start);
        if (i < s.size() && s[i] == '\n' && !part.empty() && part.back() == '\r') {
            part.remove_suffix(1); // a CRLF line end is a line end
        }
        append_html_escaped(out, part);
        if (i < s.size()) {
            out += s[i];
        }
        start = i + 1;
    }
    return out;
}

std::string shell_quote(std::string_view s, bool always_quote) {
    bool bare = !s.empty() && !always_quote;
    for (char c : s) {
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '@' || c == '%' || c == '+' || c == '=' || c == ':' || c == ',' || c == '.' ||
                    c == '/' || c == '-';
        bare = bare && safe;
    }
    if (bare) {
        return std::string(s);
    }
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

void append_quoted_byte(std::string& out, unsigned char c, bool upper_hex) {
    switch (c) {
    case '"':
        out += "\\\"";
        return;
    case '\\':
        out += "\\\\";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    default:
        if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, upper_hex ? "\\u%04X" : "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
}

} // namespace mlci
