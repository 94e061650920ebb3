// Semantic Versioning 2.0.0 (semver.hpp): parse, precedence and bump. A bump of a pre-release releases
// it when it is already on the way to that level (2.0.0-rc.1 --major gives 2.0.0, not 3.0.0).
#include "semver/semver.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <cctype>

namespace mlci {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

bool ident_chars(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
            return false;
        }
    }
    return true;
}

bool parse_number(std::string_view s, uint64_t* out, std::string* why, const char* what) {
    if (!all_digits(s)) {
        if (why) {
            *why = std::string(what) + " version '" + std::string(s) + "' is not a number";
        }
        return false;
    }
    if (s.size() > 1 && s[0] == '0') {
        if (why) {
            *why = std::string(what) + " version '" + std::string(s) + "' has a leading zero";
        }
        return false;
    }
    uint64_t v = 0;
    for (char c : s) {
        auto d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) {
            if (why) {
                *why = std::string(what) + " version '" + std::string(s) + "' is too large";
            }
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

// The dot-separated identifiers of a pre-release (numeric ones without a leading zero) or of build
// metadata, appended to out; false with the reason in why.
bool parse_idents(std::string_view list, const char* what, bool numeric_rule, std::vector<std::string>* out,
                  std::string* why) {
    for (auto& id : split(list, '.')) {
        if (!ident_chars(id)) {
            *why = std::string(what) + " identifier '" + id +
                   "' is empty or has characters outside [0-9A-Za-z-]";
            return false;
        }
        if (numeric_rule && all_digits(id) && id.size() > 1 && id[0] == '0') {
            *why = "numeric " + std::string(what) + " identifier '" + id + "' has a leading zero";
            return false;
        }
        out->push_back(id);
    }
    return true;
}

} // namespace

std::optional<Version> Version::parse(std::string_view s, std::string* why, bool allow_v) {
    std::string_view orig = s;
    auto fail = [&](std::string msg) -> std::optional<Version> {
        if (why) {
            *why = "'" + std::string(orig) + "' is not a semantic version: " + msg;
        }
        return std::nullopt;
    };
    if (allow_v && !s.empty() && s[0] == 'v') {
        s.remove_prefix(1);
    }
    if (s.empty()) {
        return fail("empty");
    }
    Version v;
    std::string bad;
    size_t plus = s.find('+');
    if (plus != std::string_view::npos) {
        if (!parse_idents(s.substr(plus + 1), "build metadata", false, &v.build, &bad)) {
            return fail(bad);
        }
        s = s.substr(0, plus);
    }
    size_t dash = s.find('-');
    if (dash != std::string_view::npos) {
        if (!parse_idents(s.substr(dash + 1), "pre-release", true, &v.pre, &bad)) {
            return fail(bad);
        }
        s = s.substr(0, dash);
    }
    // MAJOR.MINOR.PATCH, split without allocating (registries parse thousands of tag names).
    std::string_view parts[3];
    for (int i = 0; i < 3; ++i) {
        size_t dot = i < 2 ? s.find('.') : std::string_view::npos;
        if ((i < 2 && dot == std::string_view::npos) || (i == 2 && s.find('.') != std::string_view::npos)) {
            return fail("expected MAJOR.MINOR.PATCH");
        }
        parts[i] = s.substr(0, dot);
        s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    }
    std::string inner;
    if (!parse_number(parts[0], &v.major, &inner, "major") ||
        !parse_number(parts[1], &v.minor, &inner, "minor") ||
        !parse_number(parts[2], &v.patch, &inner, "patch")) {
        return fail(inner);
    }
    return v;
}

std::string Version::str() const {
    std::string out = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    if (!pre.empty()) {
        out += "-" + join(pre, ".");
    }
    if (!build.empty()) {
        out += "+" + join(build, ".");
    }
    return out;
}

int compare(const Version& a, const Version& b) {
    auto cmp = [](uint64_t x, uint64_t y) { return x < y ? -1 : (x > y ? 1 : 0); };
    if (int c = cmp(a.major, b.major)) {
        return c;
    }
    if (int c = cmp(a.minor, b.minor)) {
        return c;
    }
    if (int c = cmp(a.patch, b.patch)) {
        return c;
    }
    // A pre-release has lower precedence than the release.
    if (a.pre.empty() != b.pre.empty()) {
        return a.pre.empty() ? 1 : -1;
    }
    size_t n = std::min(a.pre.size(), b.pre.size());
    for (size_t i = 0; i < n; ++i) {
        const std::string& x = a.pre[i];
        const std::string& y = b.pre[i];
        bool xn = all_digits(x);
        bool yn = all_digits(y);
        if (xn && yn) {
            // Compare numerically without overflow: length first (no leading zeros), then digits.
            if (x.size() != y.size()) {
                return x.size() < y.size() ? -1 : 1;
            }
            if (int c = x.compare(y)) {
                return c < 0 ? -1 : 1;
            }
        } else if (xn != yn) {
            return xn ? -1 : 1; // numeric identifiers are lower than alphanumeric ones
        } else if (int c = x.compare(y)) {
            return c < 0 ? -1 : 1;
        }
    }
    return cmp(a.pre.size(), b.pre.size());
}

Version Version::bumped(Level level, const std::string& pre_id) const {
    // A pre-release already "is" its release at a level when the lower fields are zero:
    // 2.0.0-rc.1 is on the way to the major 2.0.0, so --major releases it rather than skipping to 3.0.0.
    bool applied = !pre.empty() && ((level == Level::major && minor == 0 && patch == 0) ||
                                    (level == Level::minor && patch == 0) || level == Level::patch);
    Version next{major, minor, patch, {}, {}};
    if (!applied) {
        // Past the largest number parse() accepts, the result would wrap to a lower version.
        uint64_t field = level == Level::major ? major : (level == Level::minor ? minor : patch);
        if (field == UINT64_MAX) {
            throw input_error("cannot bump " + std::string(level_name(level)) + " version of " + str() +
                              ": the number is at its limit");
        }
        switch (level) {
        case Level::major:
            next.major += 1;
            next.minor = 0;
            next.patch = 0;
            break;
        case Level::minor:
            next.minor += 1;
            next.patch = 0;
            break;
        case Level::patch:
            next.patch += 1;
            break;
        }
    }
    if (!pre_id.empty()) {
        // The next number of the same series, counted in decimal text: pre-release numbers have no
        // size limit (compare() orders them by length, then digits), so any counter moves forward.
        std::string counter = "1";
        if (applied && pre[0] == pre_id && pre.size() >= 2 && all_digits(pre[1])) {
            counter = pre[1];
            size_t k = counter.size();
            while (k > 0 && counter[k - 1] == '9') {
                counter[--k] = '0';
            }
            if (k == 0) {
                counter.insert(counter.begin(), '1');
            } else {
                ++counter[k - 1];
            }
        }
        next.pre = {pre_id, counter};
    }
    return next;
}

const char* level_name(Version::Level l) {
    constexpr const char* names[] = {"major", "minor", "patch"}; // in Version::Level's order
    return names[static_cast<size_t>(l)];
}

} // namespace mlci
