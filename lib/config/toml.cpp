// Guarded TOML parsing (toml.hpp): size, nesting depth (measured on the raw text) and UTF-8 are checked
// before TOML++ sees the text, so hostile input never reaches its recursive parser or its key asserts.
#include "config/toml.hpp"

#include "util/escape.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace mlci {

namespace {

// Nesting of arrays, inline tables and dotted keys, measured on the raw text so that hostile input
// never reaches the recursive parser. Strings and comments are skipped. The measure approximates the
// container depth of the tree TOML++ would build: open brackets, plus the dots of every key on the way
// (`a.b.c = 1` nests two tables, inside inline tables too: `x = {a.b.c = 1}`), plus the depth of the
// current `[table.header]` for the lines under it.
int nesting_depth(std::string_view t) {
    struct Frame {
        char bracket;
        int saved_key_dots; // dots of the key whose value this bracket opens
    };
    std::vector<Frame> stack;
    int depth = 0;
    int max_depth = 0;
    int base = 0;           // dots of the keys enclosing the current position
    int key_dots = 0;       // dots in the current key
    bool in_key = true;     // before '=' on a top-level line, or in a key of an inline table
    bool in_header = false; // inside `[a.b]` / `[[a.b]]`
    int header_level = 0;   // depth of the last table header, for the lines under it
    int header_max = 0;
    size_t i = 0;
    while (i < t.size()) {
        char c = t[i];
        if (c == '#') {
            while (i < t.size() && t[i] != '\n') {
                ++i;
            }
            continue;
        }
        if (c == '"' || c == '\'') {
            bool triple = t.substr(i, 3) == std::string(3, c);
            size_t q = triple ? 3 : 1;
            i += q;
            while (i < t.size()) {
                if (c == '"' && t[i] == '\\') {
                    i += 2;
                    continue;
                }
                if (!triple && t[i] == '\n') {
                    break;
                }
                if (triple ? t.substr(i, 3) == std::string(3, c) : t[i] == c) {
                    i += q;
                    break;
                }
                ++i;
            }
            continue;
        }
        if (c == '\n') {
            if (depth == 0) {
                in_key = true;
                key_dots = 0;
                in_header = false;
            }
        } else if (c == '=' && in_key) {
            in_key = false;
        } else if (c == '[' || c == '{') {
            if (c == '[' && depth == 0 && in_key) {
                in_header = true;
                header_max = 0;
            }
            stack.push_back({c, key_dots});
            base += key_dots;
            key_dots = 0;
            ++depth;
            in_key = c == '{' || in_header;
        } else if (c == ']' || c == '}') {
            if (!stack.empty()) {
                base -= stack.back().saved_key_dots;
                key_dots = stack.back().saved_key_dots;
                stack.pop_back();
                --depth;
            }
            if (in_header && depth == 0) {
                header_level = header_max;
                in_header = false;
            }
            in_key = false;
        } else if (c == ',' && !stack.empty() && stack.back().bracket == '{') {
            in_key = true;
            key_dots = 0;
        } else if (c == '.' && in_key) {
            ++key_dots;
        }
        int here = depth + base + key_dots;
        if (in_header) {
            header_max = std::max(header_max, here);
        } else {
            here += header_level;
        }
        max_depth = std::max(max_depth, here);
        ++i;
    }
    return max_depth;
}

} // namespace

toml::table parse_toml(std::string_view text, const std::string& source, ErrorKind kind, int line_offset) {
    if (text.size() > k_max_toml_bytes) {
        throw Error(kind, source + ": too large (" + std::to_string(text.size()) + " bytes, limit 1 MiB)");
    }
    if (text.find('\0') != std::string_view::npos) {
        throw Error(kind, source + ": contains a NUL byte");
    }
    // TOML++ accepts some invalid UTF-8 in keys and writes it back unparseable (found by fuzzing the
    // pointer parser): refuse it here, once for every format.
    if (size_t bad = 0; !valid_utf8(text, &bad)) {
        long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
        throw Error(kind, source + ":" + std::to_string(line + line_offset) + ": is not valid UTF-8");
    }
    if (nesting_depth(text) > k_max_toml_depth) {
        throw Error(kind, source + ": nested deeper than " + std::to_string(k_max_toml_depth) + " levels");
    }
    // Debian's TOML++ is built with exceptions: parse() throws toml::parse_error.
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::string msg = source;
        if (e.source().begin) {
            msg += ":" + std::to_string(e.source().begin.line + line_offset);
        }
        msg += ": invalid TOML: ";
        msg += std::string(e.description());
        throw Error(kind, msg);
    }
}

std::string where(const std::string& source, const toml::node& node, int line_offset) {
    const auto& src = node.source();
    if (src.begin) {
        return source + ":" + std::to_string(src.begin.line + line_offset);
    }
    return source;
}

std::string toml_key(std::string_view k) {
    bool bare = !k.empty();
    for (char c : k) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
            bare = false;
        }
    }
    return bare ? std::string(k) : toml_quote(k);
}

std::string toml_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        append_quoted_byte(out, c, true);
    }
    out += '"';
    return out;
}

} // namespace mlci
