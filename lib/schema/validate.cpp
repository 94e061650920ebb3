// Record readers (JSON Lines, CSV) and the field rules of a schema. The JSON reader is a small bounded
// recursive-descent parser for one line: it keeps top-level fields, skips nested values (depth ≤ 64).
#include "schema/schema.hpp"

#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <re2/re2.h>

namespace mlci::schema {

namespace {

struct Value {
    enum class Kind { null, string, number, boolean, other } kind = Kind::null;
    std::string text; // strings unescaped; numbers and booleans as written
    double num = 0;
    bool is_int = false;
};

using Record = std::map<std::string, Value>;

class JsonLine {
  public:
    explicit JsonLine(std::string_view s) : m_s(s) {}

    /// Parse one object; on failure returns false and sets error().
    bool object(Record& out) {
        ws();
        if (!eat('{')) {
            return fail("a JSON Lines record must be an object");
        }
        ws();
        if (eat('}')) {
            return end();
        }
        while (true) {
            ws();
            std::string key;
            if (!string(key)) {
                return fail("expected a field name");
            }
            ws();
            if (!eat(':')) {
                return fail("expected ':' after a field name");
            }
            ws();
            Value v;
            if (!value(v, 1)) {
                return false;
            }
            out[key] = std::move(v);
            ws();
            if (eat(',')) {
                continue;
            }
            if (eat('}')) {
                return end();
            }
            return fail("expected ',' or '}'");
        }
    }
    const std::string& error() const { return m_err; }

  private:
    std::string_view m_s;
    size_t m_i = 0;
    std::string m_err;

    bool fail(const std::string& e) {
        if (m_err.empty()) {
            m_err = e + " (column " + std::to_string(m_i + 1) + ")";
        }
        return false;
    }
    void ws() {
        while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\r')) {
            ++m_i;
        }
    }
    bool eat(char c) {
        if (m_i < m_s.size() && m_s[m_i] == c) {
            ++m_i;
            return true;
        }
        return false;
    }
    bool end() {
        ws();
        return m_i == m_s.size() ? true : fail("unexpected text after the record");
    }
    bool string(std::string& out) {
        if (!eat('"')) {
            return false;
        }
        while (m_i < m_s.size()) {
            char c = m_s[m_i++];
            if (c == '"') {
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                return fail("control character in a string");
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_i >= m_s.size()) {
                break;
            }
            char e = m_s[m_i++];
            if (int u = json_unescape_char(e); u >= 0) {
                out += static_cast<char>(u);
                continue;
            }
            switch (e) {
            case 'u': {
                if (m_i + 4 > m_s.size()) {
                    return fail("bad \\u escape");
                }
                unsigned cp = 0;
                auto [p, ec] = std::from_chars(m_s.data() + m_i, m_s.data() + m_i + 4, cp, 16);
                if (ec != std::errc() || p != m_s.data() + m_i + 4) {
                    return fail("bad \\u escape");
                }
                m_i += 4;
                // Surrogates are kept as U+FFFD: only lengths and patterns look at the text.
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    if (cp <= 0xDBFF && m_i + 6 <= m_s.size() && m_s[m_i] == '\\' && m_s[m_i + 1] == 'u') {
                        m_i += 6;
                    }
                    cp = 0xFFFD;
                }
                append_utf8(out, cp);
                break;
            }
            default:
                return fail("bad escape in a string");
            }
        }
        return fail("unterminated string");
    }
    bool value(Value& v, int depth) {
        if (depth > 64) {
            return fail("nested deeper than 64 levels");
        }
        if (m_i >= m_s.size()) {
            return fail("expected a value");
        }
        char c = m_s[m_i];
        if (c == '"') {
            v.kind = Value::Kind::string;
            return string(v.text) || fail("bad string");
        }
        if (c == '{' || c == '[') {
            v.kind = Value::Kind::other;
            char close = c == '{' ? '}' : ']';
            ++m_i;
            ws();
            if (eat(close)) {
                return true;
            }
            while (true) {
                ws();
                if (c == '{') {
                    std::string k;
                    if (!string(k)) {
                        return fail("expected a field name");
                    }
                    ws();
                    if (!eat(':')) {
                        return fail("expected ':'");
                    }
                    ws();
                }
                Value inner;
                if (!value(inner, depth + 1)) {
                    return false;
                }
                ws();
                if (eat(',')) {
                    continue;
                }
                if (eat(close)) {
                    return true;
                }
                return fail(std::string("expected ',' or '") + close + "'");
            }
        }
        for (const char* lit : {"true", "false", "null"}) {
            std::string_view l(lit);
            if (m_s.substr(m_i, l.size()) == l) {
                m_i += l.size();
                v.kind = l == "null" ? Value::Kind::null : Value::Kind::boolean;
                v.text = lit;
                return true;
            }
        }
        size_t start = m_i;
        if (m_i < m_s.size() && m_s[m_i] == '-') {
            ++m_i;
        }
        bool frac = false;
        while (m_i < m_s.size() &&
               (std::isdigit(static_cast<unsigned char>(m_s[m_i])) || m_s[m_i] == '.' || m_s[m_i] == 'e' ||
                m_s[m_i] == 'E' || m_s[m_i] == '+' || m_s[m_i] == '-')) {
            frac = frac || !std::isdigit(static_cast<unsigned char>(m_s[m_i]));
            ++m_i;
        }
        std::string_view t = m_s.substr(start, m_i - start);
        double d = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        if (t.empty() || ec != std::errc() || p != t.data() + t.size() || t.back() == '.' || t == "-") {
            m_i = start;
            return fail("expected a value");
        }
        v.kind = Value::Kind::number;
        v.text = std::string(t);
        v.num = d;
        v.is_int = !frac;
        return true;
    }
};

/// One CSV record starting at `pos` (RFC 4180 quoting; a quoted field may span lines).
bool csv_record(std::string_view s, size_t& pos, size_t& line, std::vector<std::string>& out,
                std::string& err) {
    out.clear();
    std::string field;
    bool quoted_field = false;
    while (true) {
        if (pos < s.size() && s[pos] == '"' && field.empty() && !quoted_field) {
            quoted_field = true;
            ++pos;
            while (true) {
                if (pos >= s.size()) {
                    err = "unterminated quoted field";
                    return false;
                }
                char c = s[pos++];
                if (c == '"') {
                    if (pos < s.size() && s[pos] == '"') {
                        field += '"';
                        ++pos;
                        continue;
                    }
                    break;
                }
                if (c == '\n') {
                    ++line;
                }
                field += c;
            }
            continue;
        }
        if (pos >= s.size() || s[pos] == '\n' ||
            (s[pos] == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n')) {
            out.push_back(std::move(field));
            if (pos < s.size()) {
                pos += s[pos] == '\r' ? 2 : 1;
            }
            return true;
        }
        char c = s[pos++];
        if (c == ',') {
            out.push_back(std::move(field));
            field.clear();
            quoted_field = false;
            continue;
        }
        if (quoted_field) {
            err = "text after a closing quote";
            return false;
        }
        field += c;
    }
}

size_t code_points(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) {
        n += (c & 0xC0) != 0x80;
    }
    return n;
}

std::string fmt_num(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", d);
    return buf;
}

struct Checker {
    const Schema& s;
    const std::string& path;
    size_t limit;
    std::vector<SchemaError> errors;
    size_t dropped = 0;

    bool full() const { return errors.size() >= limit; }
    void add(size_t line, const std::string& field, const std::string& rule, const std::string& msg) {
        if (full()) {
            ++dropped;
            return;
        }
        errors.push_back({path, line, field, rule, msg});
    }

    void record(size_t line, const Record& rec, bool from_csv) {
        for (const auto& r : s.fields) {
            auto it = rec.find(r.name);
            bool missing = it == rec.end() || it->second.kind == Value::Kind::null ||
                           (from_csv && it->second.text.empty());
            if (missing) {
                if (r.required) {
                    add(line, r.name, "required", it == rec.end() ? "missing" : "empty");
                }
                continue;
            }
            Value v = it->second;
            if (from_csv) {
                // CSV cells are text: read them as the declared type.
                if (r.type == FieldType::number || r.type == FieldType::integer) {
                    double d = 0;
                    auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
                    if (ec == std::errc() && p == v.text.data() + v.text.size()) {
                        v.kind = Value::Kind::number;
                        v.num = d;
                        v.is_int = v.text.find_first_of(".eE") == std::string::npos;
                    }
                } else if (r.type == FieldType::boolean && (v.text == "true" || v.text == "false")) {
                    v.kind = Value::Kind::boolean;
                }
            }
            const char* want = nullptr;
            switch (r.type) {
            case FieldType::string:
                want = v.kind == Value::Kind::string ? nullptr : "a string";
                break;
            case FieldType::number:
                want = v.kind == Value::Kind::number ? nullptr : "a number";
                break;
            case FieldType::integer:
                want = v.kind == Value::Kind::number && (v.is_int || v.num == std::floor(v.num))
                           ? nullptr
                           : "an integer";
                break;
            case FieldType::boolean:
                want = v.kind == Value::Kind::boolean ? nullptr : "true or false";
                break;
            case FieldType::any:
                break;
            }
            if (want != nullptr) {
                add(line, r.name, "type", quoted(v.text.substr(0, 80)) + " is not " + want);
                continue;
            }
            if (!r.enum_values.empty() &&
                std::find(r.enum_values.begin(), r.enum_values.end(), v.text) == r.enum_values.end()) {
                std::vector<std::string> q;
                for (const auto& e : r.enum_values) {
                    q.push_back(quoted(e));
                }
                add(line, r.name, "enum", quoted(v.text.substr(0, 80)) + " is not one of " + join(q, ", "));
            }
            if (v.kind == Value::Kind::number) {
                if (r.min && v.num < *r.min) {
                    add(line, r.name, "min", v.text + " is below " + fmt_num(*r.min));
                }
                if (r.max && v.num > *r.max) {
                    add(line, r.name, "max", v.text + " is above " + fmt_num(*r.max));
                }
            }
            if (v.kind == Value::Kind::string) {
                size_t n = code_points(v.text);
                if (r.min_length && n < *r.min_length) {
                    add(line, r.name, "min_length",
                        std::to_string(n) + " characters, fewer than " + std::to_string(*r.min_length));
                }
                if (r.max_length && n > *r.max_length) {
                    add(line, r.name, "max_length",
                        std::to_string(n) + " characters, more than " + std::to_string(*r.max_length));
                }
                // The whole value must match, as std::regex_match did; RE2 takes any length.
                if (r.re && !RE2::FullMatch(v.text, *r.re)) {
                    add(line, r.name, "pattern",
                        quoted(v.text.substr(0, 80)) + " does not match /" + term_escape(r.pattern) + "/");
                }
            }
        }
    }
};

} // namespace

std::vector<SchemaError> validate(const Schema& s, const std::string& path, std::string_view content,
                                  size_t limit) {
    Checker ck{s, path, limit == 0 ? 1 : limit, {}, 0};
    if (!valid_utf8(content)) {
        ck.add(0, "", "format", "not valid UTF-8");
        return ck.errors;
    }
    if (s.format == "jsonl") {
        size_t pos = 0, line = 0;
        while (pos < content.size()) {
            ++line;
            size_t nl = content.find('\n', pos);
            std::string_view l =
                content.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
            pos = nl == std::string_view::npos ? content.size() : nl + 1;
            if (trim(l).empty()) {
                continue;
            }
            Record rec;
            JsonLine p(l);
            if (!p.object(rec)) {
                ck.add(line, "", "format", "not a JSON object: " + p.error());
                continue;
            }
            ck.record(line, rec, false);
        }
    } else {
        size_t pos = 0, line = 1;
        std::vector<std::string> header, row;
        std::string err;
        if (!csv_record(content, pos, line, header, err)) {
            ck.add(line, "", "format", err);
            return ck.errors;
        }
        for (const auto& r : s.fields) {
            if (r.required && std::find(header.begin(), header.end(), r.name) == header.end()) {
                ck.add(1, r.name, "required", "no such column in the header");
            }
        }
        while (pos < content.size()) {
            size_t start_line = ++line;
            if (!csv_record(content, pos, line, row, err)) {
                ck.add(start_line, "", "format", err);
                break;
            }
            if (row.size() == 1 && row[0].empty()) {
                continue; // blank line
            }
            if (row.size() != header.size()) {
                ck.add(start_line, "", "format",
                       std::to_string(row.size()) + " columns, the header has " +
                           std::to_string(header.size()));
                continue;
            }
            Record rec;
            for (size_t i = 0; i < header.size(); ++i) {
                Value v;
                v.kind = Value::Kind::string;
                v.text = row[i];
                rec[header[i]] = std::move(v);
            }
            ck.record(start_line, rec, true);
        }
    }
    if (ck.dropped > 0) {
        ck.errors.push_back({path, 0, "", "limit", "and " + std::to_string(ck.dropped) + " more errors"});
    }
    return ck.errors;
}

} // namespace mlci::schema
