// Small string helpers (strings.hpp): split, trim, sizes, durations, UTF-8 checks, and glob_match, whose `**`
// search remembers the (pattern, path) offsets already refused so hostile patterns stay polynomial.
#include "util/strings.hpp"

#include "util/escape.hpp"

#include <ctime>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

namespace mlci {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

std::vector<std::string> split_lines(std::string_view s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < s.size()) {
        size_t pos = s.find('\n', start);
        size_t end = pos == std::string_view::npos ? s.size() : pos;
        std::string_view line = s.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        out.emplace_back(line);
        if (pos == std::string_view::npos) {
            break;
        }
        start = pos + 1;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) {
            out += sep;
        }
        out += parts[i];
    }
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

namespace {

// Iterative-with-backtracking matcher (no recursion on `*`, so no blow-up on hostile patterns
// beyond O(n*m)); `**` is handled by a recursive call per occurrence, bounded by the pattern.
bool match_class(std::string_view pat, size_t& pi, char c) {
    // pat[pi] == '['
    size_t i = pi + 1;
    bool negate = false;
    if (i < pat.size() && (pat[i] == '!' || pat[i] == '^')) {
        negate = true;
        ++i;
    }
    bool matched = false;
    bool first = true;
    while (i < pat.size() && (first || pat[i] != ']')) {
        first = false;
        char lo = pat[i];
        char hi = lo;
        if (i + 2 < pat.size() && pat[i + 1] == '-' && pat[i + 2] != ']') {
            hi = pat[i + 2];
            i += 2;
        }
        if (c >= lo && c <= hi) {
            matched = true;
        }
        ++i;
    }
    if (i >= pat.size()) {
        // No closing bracket: treat '[' literally.
        return c == '[' && (pi += 1, true);
    }
    pi = i + 1;
    return matched != negate;
}

// `**` tries every split of the path, recursively: without memory, k of them on a path of n characters
// cost O(n^k) (`**a**a**a**b` against "aaa…" ran for minutes). Each (pattern offset, path offset) pair
// is decided once: the pairs known not to match are remembered for the whole call of glob_match.
struct GlobMemo {
    const char* pat0;
    const char* str0;
    size_t str_size;
    std::unordered_set<uint64_t> failed;
};

bool glob_impl(std::string_view pat, std::string_view str, GlobMemo& memo);

bool glob_rec(std::string_view pat, std::string_view str, GlobMemo& memo) {
    uint64_t key = static_cast<uint64_t>(pat.data() - memo.pat0) * (memo.str_size + 1) +
                   static_cast<uint64_t>(str.data() - memo.str0);
    if (memo.failed.count(key)) {
        return false;
    }
    bool r = glob_impl(pat, str, memo);
    if (!r) {
        memo.failed.insert(key);
    }
    return r;
}

bool glob_impl(std::string_view pat, std::string_view str, GlobMemo& memo) {
    size_t p = 0, s = 0;
    size_t star_p = std::string_view::npos, star_s = 0;
    while (s < str.size() || p < pat.size()) {
        if (p < pat.size()) {
            char pc = pat[p];
            if (pc == '*' && p + 1 < pat.size() && pat[p + 1] == '*') {
                // `**`: any sequence including '/'. `**/` may also match nothing.
                size_t rest = p + 2;
                if (rest < pat.size() && pat[rest] == '/') {
                    std::string_view tail = pat.substr(rest + 1);
                    for (size_t k = s; k <= str.size(); ++k) {
                        if ((k == s || str[k - 1] == '/') && glob_rec(tail, str.substr(k), memo)) {
                            return true;
                        }
                    }
                } else {
                    std::string_view tail = pat.substr(rest);
                    for (size_t k = s; k <= str.size(); ++k) {
                        if (glob_rec(tail, str.substr(k), memo)) {
                            return true;
                        }
                    }
                }
                // No split works from here: an earlier single `*` may still take more (below).
                goto mismatch;
            }
            if (pc == '*') {
                star_p = p++;
                star_s = s;
                continue;
            }
            if (s < str.size()) {
                if (pc == '?' && str[s] != '/') {
                    ++p;
                    ++s;
                    continue;
                }
                if (pc == '[') {
                    size_t np = p;
                    if (str[s] != '/' && match_class(pat, np, str[s])) {
                        p = np;
                        ++s;
                        continue;
                    }
                } else if (pc == '\\' && p + 1 < pat.size() && pat[p + 1] == str[s]) {
                    p += 2;
                    ++s;
                    continue;
                } else if (pc == str[s]) {
                    ++p;
                    ++s;
                    continue;
                }
            }
        }
    mismatch:
        // Mismatch: backtrack to the last single `*`, which may not swallow '/'.
        if (star_p != std::string_view::npos && star_s < str.size() && str[star_s] != '/') {
            p = star_p + 1;
            s = ++star_s;
            continue;
        }
        return false;
    }
    return true;
}

} // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
    if (pattern.empty()) {
        return false;
    }
    // A leading '/' anchors the pattern at the top, as in .gitignore: no last-component match then.
    bool anchored = pattern.front() == '/';
    if (anchored) {
        pattern.remove_prefix(1);
    }
    GlobMemo memo{pattern.data(), path.data(), path.size(), {}};
    if (glob_rec(pattern, path, memo)) {
        return true;
    }
    if (!anchored && pattern.find('/') == std::string_view::npos) {
        size_t slash = path.rfind('/');
        if (slash != std::string_view::npos) {
            std::string_view base = path.substr(slash + 1);
            GlobMemo base_memo{pattern.data(), base.data(), base.size(), {}};
            return glob_rec(pattern, base, base_memo);
        }
    }
    return false;
}

std::optional<uint64_t> parse_size(std::string_view s) {
    s = trim(s);
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
        ++i;
    }
    if (i == 0) {
        return std::nullopt;
    }
    std::string num(s.substr(0, i));
    std::string unit = to_lower(trim(s.substr(i)));
    uint64_t mult = 1;
    if (unit.empty() || unit == "b") {
        mult = 1;
    } else if (unit == "kb" || unit == "k") {
        mult = 1000;
    } else if (unit == "mb" || unit == "m") {
        mult = 1000 * 1000;
    } else if (unit == "gb" || unit == "g") {
        mult = 1000 * 1000 * 1000;
    } else if (unit == "tb" || unit == "t") {
        mult = 1000ull * 1000 * 1000 * 1000;
    } else if (unit == "kib") {
        mult = 1ull << 10;
    } else if (unit == "mib") {
        mult = 1ull << 20;
    } else if (unit == "gib") {
        mult = 1ull << 30;
    } else if (unit == "tib") {
        mult = 1ull << 40;
    } else {
        return std::nullopt;
    }
    // Sizes are integers in [0, 2^63) (DESIGN.md section 8). Whole numbers are computed exactly: a
    // double would round byte counts past 2^53.
    constexpr uint64_t k_max = static_cast<uint64_t>(INT64_MAX);
    if (num.find('.') == std::string::npos) {
        errno = 0;
        char* end = nullptr;
        unsigned long long v = std::strtoull(num.c_str(), &end, 10);
        if (errno == ERANGE || end != num.c_str() + num.size() || v > k_max / mult) {
            return std::nullopt;
        }
        return static_cast<uint64_t>(v) * mult;
    }
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size() || !std::isfinite(v) || v < 0) {
        return std::nullopt;
    }
    double bytes = v * static_cast<double>(mult);
    if (!(bytes < 9223372036854775808.0)) { // 2^63
        return std::nullopt;
    }
    return static_cast<uint64_t>(bytes + 0.5);
}

std::optional<double> parse_duration(std::string_view s) {
    s = trim(s);
    if (s.empty()) {
        return std::nullopt;
    }
    double total = 0;
    size_t i = 0;
    bool any = false;
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
            ++i;
        }
        if (i == start) {
            return std::nullopt;
        }
        std::string num(s.substr(start, i - start));
        char* end = nullptr;
        double v = std::strtod(num.c_str(), &end);
        if (end != num.c_str() + num.size() || !std::isfinite(v)) {
            return std::nullopt;
        }
        size_t ustart = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) {
            ++i;
        }
        std::string unit = to_lower(s.substr(ustart, i - ustart));
        if (unit.empty() || unit == "s") {
            total += v;
        } else if (unit == "ms") {
            total += v / 1000;
        } else if (unit == "m" || unit == "min") {
            total += v * 60;
        } else if (unit == "h") {
            total += v * 3600;
        } else {
            return std::nullopt;
        }
        any = true;
    }
    if (!any || !std::isfinite(total)) {
        return std::nullopt;
    }
    return total;
}

std::string human_size(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    }
    return buf;
}

size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    for (size_t k = 1; k < len; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

bool valid_utf8(std::string_view s, size_t* bad_offset) {
    size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        uint32_t cp = 0;
        size_t len = utf8_sequence(s, i, cp);
        if (len == 0) {
            if (bad_offset) {
                *bad_offset = i;
            }
            return false;
        }
        i += len;
    }
    return true;
}

std::string quoted(std::string_view s) {
    std::string out = "'";
    append_term_escaped(out, s);
    out += "'";
    return out;
}

namespace {

std::string utc_format(int64_t seconds, const char* format) {
    std::time_t tt = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

} // namespace

std::string utc_minute(int64_t seconds) {
    return utc_format(seconds, "%Y-%m-%d %H:%M");
}

std::string utc_second(int64_t seconds) {
    return utc_format(seconds, "%Y-%m-%d %H:%M:%S UTC");
}

bool is_lower_hex(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace mlci
