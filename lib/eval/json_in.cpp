// Recursive descent with an explicit depth counter: the depth check runs before each descent, so
// hostile nesting is refused at k_max_json_depth instead of overflowing the stack.
#include "eval/json_in.hpp"

#include "util/json.hpp"
#include "util/strings.hpp"

#include <charconv>
#include <cmath>
#include <set>

namespace mlci::eval {

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const auto& [k, v] : object) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

namespace {

class Parser {
  public:
    Parser(std::string_view t, const std::string& source) : m_t(t), m_source(source) {}

    JsonValue document() {
        skip_ws();
        JsonValue v = value(0);
        skip_ws();
        if (m_i != m_t.size()) {
            fail("unexpected text after the JSON value");
        }
        return v;
    }

  private:
    std::string_view m_t;
    const std::string& m_source;
    size_t m_i = 0;

    [[noreturn]] void fail(const std::string& why) const {
        size_t line = 1;
        size_t col = 1;
        for (size_t k = 0; k < m_i && k < m_t.size(); ++k) {
            if (m_t[k] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw input_error(m_source + ":" + std::to_string(line) + ":" + std::to_string(col) +
                          ": invalid JSON: " + why);
    }

    bool at_end() const { return m_i >= m_t.size(); }
    char peek() const { return at_end() ? '\0' : m_t[m_i]; }

    void skip_ws() {
        while (!at_end() && (m_t[m_i] == ' ' || m_t[m_i] == '\t' || m_t[m_i] == '\n' || m_t[m_i] == '\r')) {
            ++m_i;
        }
    }

    void expect(char c) {
        if (peek() != c) {
            fail(std::string("expected '") + c + "'");
        }
        ++m_i;
    }

    void literal(std::string_view word) {
        if (m_t.substr(m_i, word.size()) != word) {
            fail("unexpected character");
        }
        m_i += word.size();
    }

    // The items of an object or array after its opening bracket, separated by commas, up to close.
    template <typename F>
    void items(char close, const F& item) {
        skip_ws();
        if (peek() == close) {
            ++m_i;
            return;
        }
        while (true) {
            skip_ws();
            item();
            skip_ws();
            if (peek() == ',') {
                ++m_i;
                continue;
            }
            expect(close);
            return;
        }
    }

    JsonValue value(int depth) {
        if (depth >= k_max_json_depth) {
            fail("nested deeper than " + std::to_string(k_max_json_depth) + " levels");
        }
        JsonValue v;
        char c = peek();
        if (c == '{') {
            v.type = JsonValue::Type::object;
            ++m_i;
            std::set<std::string, std::less<>> seen;
            items('}', [&] {
                if (peek() != '"') {
                    fail("expected a string key");
                }
                std::string key = string();
                if (!seen.insert(key).second) {
                    fail("duplicate key " + quoted(key));
                }
                skip_ws();
                expect(':');
                skip_ws();
                v.object.emplace_back(std::move(key), value(depth + 1));
            });
            return v;
        }
        if (c == '[') {
            v.type = JsonValue::Type::array;
            ++m_i;
            items(']', [&] { v.array.push_back(value(depth + 1)); });
            return v;
        }
        if (c == '"') {
            v.type = JsonValue::Type::string;
            v.string = string();
            return v;
        }
        if (c == 't') {
            literal("true");
            v.type = JsonValue::Type::boolean;
            v.boolean = true;
            return v;
        }
        if (c == 'f') {
            literal("false");
            v.type = JsonValue::Type::boolean;
            return v;
        }
        if (c == 'n') {
            literal("null");
            return v;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            v.type = JsonValue::Type::number;
            v.number = number();
            return v;
        }
        if (at_end()) {
            fail("unexpected end of input");
        }
        fail("unexpected character");
    }

    double number() {
        size_t start = m_i;
        auto digit = [&] { return !at_end() && m_t[m_i] >= '0' && m_t[m_i] <= '9'; };
        if (peek() == '-') {
            ++m_i;
        }
        if (peek() == '0') {
            ++m_i;
        } else if (digit()) {
            while (digit()) {
                ++m_i;
            }
        } else {
            fail("invalid number");
        }
        if (peek() == '.') {
            ++m_i;
            if (!digit()) {
                fail("invalid number: digits expected after '.'");
            }
            while (digit()) {
                ++m_i;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_i;
            if (peek() == '+' || peek() == '-') {
                ++m_i;
            }
            if (!digit()) {
                fail("invalid number: digits expected in the exponent");
            }
            while (digit()) {
                ++m_i;
            }
        }
        double d = 0;
        auto [ptr, ec] = std::from_chars(m_t.data() + start, m_t.data() + m_i, d);
        if (ec != std::errc() || ptr != m_t.data() + m_i || !std::isfinite(d)) {
            m_i = start;
            fail("number out of range");
        }
        return d;
    }

    unsigned hex4() {
        if (m_i + 4 > m_t.size()) {
            fail("truncated \\u escape");
        }
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
            char c = m_t[m_i++];
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                v |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                fail("invalid \\u escape");
            }
        }
        return v;
    }

    std::string string() {
        expect('"');
        std::string out;
        while (true) {
            if (at_end()) {
                fail("unterminated string");
            }
            char c = m_t[m_i];
            if (c == '"') {
                ++m_i;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("control character in a string");
            }
            if (c != '\\') {
                out += c;
                ++m_i;
                continue;
            }
            ++m_i;
            char e = peek();
            ++m_i;
            if (int u = json_unescape_char(e); u >= 0) {
                out += static_cast<char>(u);
                continue;
            }
            switch (e) {
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (m_t.substr(m_i, 2) != "\\u") {
                        fail("unpaired surrogate in \\u escape");
                    }
                    m_i += 2;
                    unsigned lo = hex4();
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        fail("unpaired surrogate in \\u escape");
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail("unpaired surrogate in \\u escape");
                }
                append_utf8(out, cp);
                break;
            }
            default:
                --m_i;
                fail("invalid escape");
            }
        }
    }
};

} // namespace

JsonValue parse_json(std::string_view text, const std::string& source) {
    if (text.size() > k_max_json_bytes) {
        throw input_error(source + ": too large (" + std::to_string(text.size()) + " bytes, limit 16 MiB)");
    }
    size_t bad = 0;
    if (!valid_utf8(text, &bad)) {
        throw input_error(source + ": invalid UTF-8 at byte " + std::to_string(bad));
    }
    return Parser(text, source).document();
}

} // namespace mlci::eval
