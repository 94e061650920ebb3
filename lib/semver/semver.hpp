// Semantic Versioning 2.0.0: parse, precedence, bump. Knows nothing of git or mlci.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci {

struct Version {
    uint64_t major = 0;
    uint64_t minor = 0;
    uint64_t patch = 0;
    std::vector<std::string> pre;   // dot-separated pre-release identifiers
    std::vector<std::string> build; // build metadata: ignored by precedence

    /// Strict SemVer 2.0.0 parse of "1.2.3-rc.1+build.5"; a leading 'v' is accepted when allow_v.
    /// nullopt with *why set on failure.
    static std::optional<Version> parse(std::string_view s, std::string* why = nullptr, bool allow_v = true);

    std::string str() const; // "1.2.3-rc.1+b"
    std::string tag() const { return "v" + str(); }
    bool is_prerelease() const { return !pre.empty(); }

    enum class Level { major, minor, patch };
    /// Next version: a release bumps the level and clears pre-release; with pre_id, the result is
    /// a pre-release "<next>-<pre_id>.1", or the next number of the same pre-release series.
    /// Throws input_error when the number to bump is already the largest parse() accepts (2^64-1).
    Version bumped(Level level, const std::string& pre_id = "") const;
};

/// SemVer precedence (build metadata ignored): <0, 0, >0.
int compare(const Version& a, const Version& b);
inline bool operator<(const Version& a, const Version& b) {
    return compare(a, b) < 0;
}
inline bool operator>(const Version& a, const Version& b) {
    return compare(a, b) > 0;
}
inline bool same_precedence(const Version& a, const Version& b) {
    return compare(a, b) == 0;
}

const char* level_name(Version::Level l);

} // namespace mlci
