// The fast note reader of `git gate log` (note_scan.hpp): a line scanner for the canonical note layout.
// Whatever it is unsure about it refuses, and parse_note decides; what it accepts parse_note reads alike.
#include "eval/note_scan.hpp"

#include "config/toml.hpp"
#include "eval/note.hpp"
#include "hash/xxh128.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace mlci::eval {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// A TOML bare key: A-Z a-z 0-9 _ -.
bool bare_key(std::string_view k) {
    if (k.empty()) {
        return false;
    }
    for (char c : k) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

// A basic string without escapes: "…" holding no quote, backslash or control character (the text is
// known to be valid UTF-8). What toml_quote writes for ordinary text.
bool simple_string(std::string_view v, std::string_view& out) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') {
        return false;
    }
    std::string_view s = v.substr(1, v.size() - 2);
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
            return false;
        }
    }
    out = s;
    return true;
}

// What parse_note's num() makes of a TOML value, for the plain forms only: a decimal integer (no '+',
// no '_', no leading zero, within int64), a float with a fraction and/or exponent that is finite and
// normal (or zero). Anything else (inf, nan, hex, underscores, the booleans num() refuses…) is left to
// parse_note.
bool number(std::string_view v, double& out) {
    if (v.empty() || v.size() > 24) {
        return false;
    }
    size_t i = v[0] == '-' ? 1 : 0;
    size_t int_start = i;
    while (i < v.size() && is_digit(v[i])) {
        ++i;
    }
    size_t int_len = i - int_start;
    if (int_len == 0 || (int_len > 1 && v[int_start] == '0')) {
        return false;
    }
    bool is_float = false;
    if (i < v.size() && v[i] == '.') {
        size_t frac = ++i;
        while (i < v.size() && is_digit(v[i])) {
            ++i;
        }
        if (i == frac) {
            return false;
        }
        is_float = true;
    }
    if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
        ++i;
        if (i < v.size() && (v[i] == '+' || v[i] == '-')) {
            ++i;
        }
        size_t exp = i;
        while (i < v.size() && is_digit(v[i])) {
            ++i;
        }
        if (i == exp) {
            return false;
        }
        is_float = true;
    }
    if (i != v.size()) {
        return false;
    }
    const char* end = v.data() + v.size();
    if (!is_float) {
        int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), end, n);
        if (ec != std::errc{} || p != end) {
            return false;
        }
        out = static_cast<double>(n);
        return true;
    }
    double d = 0;
    auto [p, ec] = std::from_chars(v.data(), end, d);
    if (ec != std::errc{} || p != end || !std::isfinite(d) || (d != 0 && std::fabs(d) < DBL_MIN)) {
        return false;
    }
    out = d;
    return true;
}

int two_digits(std::string_view s, size_t at) {
    if (!is_digit(s[at]) || !is_digit(s[at + 1])) {
        return -1;
    }
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

} // namespace

// parse_note normalises such a date-time to the same text (format_utc of its time), so the value's own
// text is the `at` it yields.
bool is_canonical_utc(std::string_view v) {
    if (v.size() != 20 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' ||
        v[19] != 'Z') {
        return false;
    }
    int y1 = two_digits(v, 0);
    int y2 = two_digits(v, 2);
    int mo = two_digits(v, 5);
    int d = two_digits(v, 8);
    int h = two_digits(v, 11);
    int mi = two_digits(v, 14);
    int s = two_digits(v, 17);
    if (y1 < 10 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 59) {
        return false;
    }
    int year = y1 * 100 + y2;
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max_day = days[mo - 1] + (mo == 2 && leap ? 1 : 0);
    return d <= max_day;
}

namespace {

enum class Section { none, run, metrics, cases };

// Keys of a run table parse_note knows; each may appear once.
enum RunKey : unsigned {
    k_suite = 1,
    k_id = 2,
    k_at = 4,
    k_by = 8,
    k_duration = 16,
    k_fingerprint = 32,
    k_status = 64,
    k_reason = 128,
    k_reused = 256,
    k_details = 512,
    k_details_format = 1024,
    k_details_size = 2048,
    k_details_all = k_details | k_details_format | k_details_size,
};

bool has_duplicate(std::vector<std::string_view>& keys) {
    if (keys.size() < 2) {
        return false;
    }
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

} // namespace

namespace {

// One "key = value" line of a [[run]] table into `run`: a key parse_note knows, its value in the form
// the scanner reads, and not met before in this run (`seen` holds the keys met, one bit each).
bool run_key(std::string_view key, std::string_view value, ScannedRun& run, unsigned& seen) {
    if (!bare_key(key)) {
        return false;
    }
    unsigned bit = 0;
    std::string_view s;
    double ignored = 0;
    bool ok = false;
    if (key == "suite") {
        bit = k_suite;
        ok = simple_string(value, run.suite);
    } else if (key == "id") {
        bit = k_id;
        ok = simple_string(value, run.id);
    } else if (key == "at") {
        bit = k_at;
        if (is_canonical_utc(value)) {
            run.at = value;
            ok = true;
        } else {
            ok = simple_string(value, run.at);
        }
    } else if (key == "by") {
        bit = k_by;
        ok = simple_string(value, s);
    } else if (key == "duration_s") {
        bit = k_duration;
        ok = number(value, ignored);
    } else if (key == "fingerprint") {
        bit = k_fingerprint;
        ok = simple_string(value, s);
    } else if (key == "status") {
        bit = k_status;
        ok = value == "\"ok\"" || value == "\"error\"";
    } else if (key == "reason") {
        bit = k_reason;
        ok = simple_string(value, s);
    } else if (key == "reused_from") {
        bit = k_reused;
        ok = simple_string(value, s);
    } else if (key == "details") {
        bit = k_details;
        ok = simple_string(value, s) && is_hash_id(s);
    } else if (key == "details_format") {
        bit = k_details_format;
        ok = simple_string(value, s) && valid_details_format(s);
    } else if (key == "details_size") {
        bit = k_details_size;
        ok = number(value, ignored) && value.find_first_of(".eE-") == std::string_view::npos;
    }
    if (!ok || (seen & bit) != 0) {
        return false;
    }
    seen |= bit;
    return true;
}

} // namespace

bool scan_note(std::string_view text, std::string_view metric, std::vector<ScannedRun>& out) {
    out.clear();
    if (text.size() > k_max_toml_bytes || std::memchr(text.data(), '\0', text.size()) != nullptr ||
        std::memchr(text.data(), '\r', text.size()) != nullptr || !valid_utf8(text)) {
        return false;
    }
    thread_local std::vector<std::string_view> table_keys; // keys of the current metrics/cases table
    table_keys.clear();
    Section sec = Section::none;
    unsigned seen = 0;
    bool had_metrics = false;
    bool had_cases = false;

    // A run is complete when the next header or the end comes: parse_note refuses one without a suite
    // or an id, and a table holding a key twice.
    auto close_table = [&] {
        bool dup = has_duplicate(table_keys);
        table_keys.clear();
        return !dup;
    };
    auto close_run = [&] {
        if (sec == Section::none) {
            return true;
        }
        // parse_note refuses a run with some of the details keys but not all.
        bool details_whole = (seen & k_details_all) == 0 || (seen & k_details_all) == k_details_all;
        return close_table() && details_whole && !out.back().suite.empty() && !out.back().id.empty();
    };

    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (line.empty()) {
            continue;
        }
        if (line[0] == '[') {
            if (line == "[[run]]") {
                if (!close_run()) {
                    return false;
                }
                out.emplace_back();
                sec = Section::run;
                seen = 0;
                had_metrics = had_cases = false;
            } else if (line == "[run.metrics]" && sec != Section::none && !had_metrics) {
                if (!close_table()) {
                    return false;
                }
                sec = Section::metrics;
                had_metrics = true;
            } else if (line == "[run.cases]" && sec != Section::none && !had_cases) {
                if (!close_table()) {
                    return false;
                }
                sec = Section::cases;
                had_cases = true;
            } else {
                return false;
            }
            continue;
        }
        size_t eq = line.find(" = ");
        if (eq == std::string_view::npos || sec == Section::none) {
            return false;
        }
        std::string_view key = line.substr(0, eq);
        std::string_view value = line.substr(eq + 3);
        ScannedRun& run = out.back();
        if (sec == Section::metrics || sec == Section::cases) {
            // A metric's name: bare, or quoted without escapes as toml_key writes names with spaces.
            if (!bare_key(key) && !simple_string(key, key)) {
                return false;
            }
            double v = 0;
            if (!number(value, v) || (sec == Section::cases && !is_case_value(v))) {
                return false; // parse_note refuses a case outside [0, 1]
            }
            table_keys.push_back(key);
            if (sec == Section::metrics && key == metric) {
                run.value = v;
            }
            continue;
        }
        if (!run_key(key, value, run, seen)) { // the run table itself
            return false;
        }
    }
    return close_run();
}

} // namespace mlci::eval
