// Reading git objects as stored, for the fast paths of `git gate log` (log_walk, note_table,
// metric_log): an owned odb object, hex digits, and the time of a signature line.
#pragma once

#include <cstdint>
#include <string_view>

struct git_odb_object;

namespace mlci::eval::raw {

// An object read with git_odb_read, freed when it goes out of scope.
struct OdbObject {
    git_odb_object* p = nullptr;
    OdbObject() = default;
    OdbObject(const OdbObject&) = delete;
    OdbObject& operator=(const OdbObject&) = delete;
    ~OdbObject();
};

// The value of a hex digit, or -1. Upper case only when `any_case` (git_oid parsing takes either case;
// names in a notes tree are lower case).
inline int hex_value(char c, bool any_case) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (any_case && c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// The seconds of a signature "NAME <EMAIL> SECONDS +HHMM" (the text after "author " or "committer "),
// in the plain form only: the time right after the last '>', at most 18 digits, a signed four-digit
// zone. libgit2's git_signature__parse reads the same seconds from such a line; for anything else the
// answer is false and the caller asks libgit2.
bool signature_seconds(std::string_view line, int64_t& seconds);

} // namespace mlci::eval::raw
