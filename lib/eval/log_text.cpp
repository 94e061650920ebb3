// The pieces of `git gate log`'s lines (log_text.hpp), written without printf; each must produce exactly
// the bytes of its general counterpart (hex(), format_utc, "%.6g", json_escape).
#include "eval/log_text.hpp"

#include "util/escape.hpp"
#include "util/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace mlci::eval {

void append_hex(std::string& out, const git::Oid& id) {
    static constexpr char digits[] = "0123456789abcdef";
    char buf[2 * sizeof id.id];
    for (size_t i = 0; i < sizeof id.id; ++i) {
        buf[2 * i] = digits[id.id[i] >> 4];
        buf[2 * i + 1] = digits[id.id[i] & 0xf];
    }
    out.append(buf, sizeof buf);
}

void append_short_hex(std::string& out, const git::Oid& id) {
    static constexpr char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 7; ++i) {
        unsigned char b = id.id[i / 2];
        out += digits[i % 2 == 0 ? b >> 4 : b & 0xf];
    }
}

namespace {

// "%02d" of a field of struct tm (always 0-99 from gmtime_r).
void append_two(std::string& out, int v) {
    if (v < 0 || v > 99) {
        char buf[16];
        int n = std::snprintf(buf, sizeof buf, "%02d", v);
        out.append(buf, static_cast<size_t>(n));
        return;
    }
    out += static_cast<char>('0' + v / 10);
    out += static_cast<char>('0' + v % 10);
}

} // namespace

void append_utc(std::string& out, int64_t epoch) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm); // as format_utc: out of range leaves the zero date
    char buf[16];
    auto res = std::to_chars(buf, buf + sizeof buf, tm.tm_year + 1900);
    out.append(buf, res.ptr);
    const std::pair<char, int> rest[] = {
        {'-', tm.tm_mon + 1}, {'-', tm.tm_mday}, {'T', tm.tm_hour}, {':', tm.tm_min}, {':', tm.tm_sec}};
    for (const auto& [sep, v] : rest) {
        out += sep;
        append_two(out, v);
    }
    out += 'Z';
}

void append_value(std::string& out, double v) {
    // std::to_chars with a format and a precision writes what printf writes with the matching
    // conversion ("%.6g" here) in the C locale (C++17 [charconv.to.chars]).
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
    out.append(buf, res.ptr);
}

void append_json_string(std::string& out, const std::string& s) {
    for (unsigned char c : s) {
        // 0x7f, 0xC2 and 0xE2 (the lead bytes of the C1 and bidi controls) may need escaping too:
        // json_escape decides.
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f || c == 0xC2 || c == 0xE2) {
            out += json_escape(s); // something to escape: the general writer
            return;
        }
    }
    out += '"';
    out += s;
    out += '"';
}

namespace {

constexpr size_t k_log_chunk = 64 * 1024;

// Write `head`, then each point through `write(out, point, index)`, then `tail`, handing the text to
// `sink` in pieces of about k_log_chunk.
template <class F>
void write_points(const std::vector<LogPoint>& points, const LogSink& sink, const char* head,
                  const char* tail, F&& write) {
    std::string out;
    out.reserve(k_log_chunk + 1024);
    out += head;
    for (size_t i = 0; i < points.size(); ++i) {
        write(out, points[i], i);
        if (out.size() >= k_log_chunk) {
            sink(out);
            out.clear();
        }
    }
    out += tail;
    sink(out);
}

void append_number(std::string& out, double v) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

} // namespace

void write_log_json(const std::vector<LogPoint>& points, const LogSink& sink) {
    if (points.empty()) {
        sink("[]\n\n"); // Json::dump()'s newline, then the command's own, as every --json output
        return;
    }
    write_points(points, sink, "[", "\n]\n\n", [](std::string& out, const LogPoint& p, size_t i) {
        out += i == 0 ? "\n  {\n    \"commit\": \"" : ",\n  {\n    \"commit\": \"";
        append_hex(out, p.commit);
        out += "\",\n    \"date\": \"";
        append_utc(out, p.time);
        out += "\",\n    \"suite\": ";
        append_json_string(out, p.suite);
        out += ",\n    \"run\": ";
        append_json_string(out, p.run_id);
        out += ",\n    \"value\": ";
        if (std::isfinite(p.value)) {
            append_number(out, p.value);
        } else {
            out += "null";
        }
        if (p.spread > 0) {
            out += ",\n    \"plus_minus\": ";
            append_number(out, p.spread);
        }
        out += "\n  }";
    });
}

void write_log_text(const std::vector<LogPoint>& points, const LogSink& sink) {
    write_points(points, sink, "", "", [](std::string& out, const LogPoint& p, size_t) {
        append_short_hex(out, p.commit);
        out += "  ";
        append_utc(out, p.time);
        out += "  ";
        append_term_escaped(out, p.suite);
        out += "  ";
        append_value(out, p.value);
        if (p.spread > 0) {
            out += " ± ";
            append_value(out, p.spread);
        }
        out += "  ";
        append_term_escaped(out, p.summary);
        out += '\n';
    });
}

} // namespace mlci::eval
