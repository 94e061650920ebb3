// The output-only JSON value (json.hpp): building, dumping, and the string escaping that --json and the
// JSON readers share.
#include "util/json.hpp"

#include "util/escape.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mlci {

Json& Json::operator[](const std::string& key) {
    if (is_null()) {
        m_v = Object{};
    }
    auto& obj = std::get<Object>(m_v);
    for (auto& kv : obj) {
        if (kv.first == key) {
            return kv.second;
        }
    }
    obj.emplace_back(key, Json());
    return obj.back().second;
}

void Json::push_back(Json v) {
    if (is_null()) {
        m_v = Array{};
    }
    std::get<Array>(m_v).push_back(std::move(v));
}

std::string json_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        // DEL, the C1 controls (U+0080–U+009F, UTF-8 C2 80–C2 9F) and the bidi overrides and isolates
        // (U+202A–U+202E, U+2066–U+2069) are legal raw in JSON, but a terminal showing the output may act
        // on them (issue 12): written as \uXXXX, the same string for a reader.
        if (c == 0x7f || c == 0xC2 || c == 0xE2) {
            unsigned cp = 0;
            auto next = [&](size_t k) {
                return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
            };
            if (c == 0x7f) {
                cp = 0x7f;
            } else if (c == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) {
                cp = next(1);
                i += 1;
            } else if (c == 0xE2 && ((next(1) == 0x80 && next(2) >= 0xAA && next(2) <= 0xAE) ||
                                     (next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9))) {
                cp = next(1) == 0x80 ? 0x2000 + (next(2) - 0x80) : 0x2040 + (next(2) - 0x80);
                i += 2;
            }
            if (cp != 0) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", cp);
                out += buf;
                continue;
            }
        }
        append_quoted_byte(out, c, false);
    }
    out += '"';
    return out;
}

int json_unescape_char(char e) {
    switch (e) {
    case '"':
    case '\\':
    case '/':
        return e;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return -1;
    }
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string Json::dump(bool indent) const {
    std::string out;
    dump_to(out, indent, 0);
    if (indent) {
        out += '\n';
    }
    return out;
}

void Json::dump_to(std::string& out, bool indent, int depth) const {
    auto newline = [&](int d) {
        if (indent) {
            out += '\n';
            out.append(static_cast<size_t>(d) * 2, ' ');
        }
    };
    // An array or object: "[]"/"{}" when empty, else one item a line (indented) or all on one line.
    auto container = [&](char open, char close, const auto& items, const auto& item) {
        out += open;
        for (size_t i = 0; i < items.size(); ++i) {
            if (i) {
                out += ',';
            }
            newline(depth + 1);
            item(items[i]);
        }
        if (!items.empty()) {
            newline(depth);
        }
        out += close;
    };
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
                out += "null";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, int64_t>) {
                out += std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v)) {
                    out += "null";
                } else {
                    // The shortest text that reads back as the same double, fixed or exponent form
                    // whichever is shorter: 480 (not 4.8e+02), 0.1, 1e+21. %.Ng picked the exponent
                    // form for whole numbers such as 480.
                    char buf[64];
                    auto res = std::to_chars(buf, buf + sizeof buf, v);
                    out.append(buf, res.ptr);
                }
            } else if constexpr (std::is_same_v<T, std::string>) {
                out += json_escape(v);
            } else if constexpr (std::is_same_v<T, Array>) {
                container('[', ']', v, [&](const Json& item) { item.dump_to(out, indent, depth + 1); });
            } else {
                container('{', '}', v, [&](const std::pair<std::string, Json>& kv) {
                    out += json_escape(kv.first);
                    out += indent ? ": " : ":";
                    kv.second.dump_to(out, indent, depth + 1);
                });
            }
        },
        m_v);
}

} // namespace mlci
