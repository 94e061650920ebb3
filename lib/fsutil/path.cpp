// The path rules (path.hpp): relative_path_problem, and names_dot_git, which refuses the .git aliases
// git's verify_path refuses under core.protectNTFS and core.protectHFS.
#include "fsutil/path.hpp"

#include "util/strings.hpp"

#include <cstdint>

namespace mlci {

namespace {

bool ascii_ieq(char c, char lower) {
    return c == lower || (lower >= 'a' && lower <= 'z' && c == lower - 32);
}

// Is this code point one of those HFS+ ignores in names (git's is_hfs_dotgit skips them: ZWNJ, ZWJ, the
// direction marks and embeddings, the deprecated format characters, the BOM)?
bool hfs_ignorable(uint32_t cp) {
    return (cp >= 0x200c && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff;
}

// One code point of valid UTF-8 at s[*i]; advances *i.
uint32_t next_code_point(std::string_view s, size_t* i) {
    auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
    uint32_t c = b(*i);
    int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    uint32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1f) : extra == 2 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k <= extra && *i + static_cast<size_t>(k) < s.size(); ++k) {
        cp = (cp << 6) | (b(*i + static_cast<size_t>(k)) & 0x3f);
    }
    *i += static_cast<size_t>(extra) + 1;
    return cp;
}

} // namespace

// Does a name stand for ".git" on some filesystem a clone may be checked out on? git refuses the same
// names in every tree it checks out (verify_path with core.protectNTFS and core.protectHFS): ".git" in
// any case; on NTFS also with trailing dots and spaces, an alternate data stream (".git::$INDEX_ALLOCATION")
// and the 8.3 short name "git~1"; on HFS+ with ignorable code points anywhere in it (".g\u200cit").
bool names_dot_git(std::string_view part) {
    // NTFS: ".git" or "git~1", then only dots and spaces up to the end or a ':'.
    size_t n = 0;
    if (part.size() >= 4 && part[0] == '.' && ascii_ieq(part[1], 'g') && ascii_ieq(part[2], 'i') &&
        ascii_ieq(part[3], 't')) {
        n = 4;
    } else if (part.size() >= 5 && ascii_ieq(part[0], 'g') && ascii_ieq(part[1], 'i') &&
               ascii_ieq(part[2], 't') && part[3] == '~' && part[4] == '1') {
        n = 5;
    }
    if (n > 0) {
        size_t i = n;
        while (i < part.size() && (part[i] == '.' || part[i] == ' ')) {
            ++i;
        }
        if (i == part.size() || part[i] == ':') {
            return true;
        }
    }
    // HFS+: ".git" once the ignorable code points are left out (the part is valid UTF-8 here).
    static constexpr char k_dotgit[] = ".git";
    size_t matched = 0;
    for (size_t i = 0; i < part.size();) {
        uint32_t cp = next_code_point(part, &i);
        if (hfs_ignorable(cp)) {
            continue;
        }
        if (matched == 4 || cp >= 0x80 || !ascii_ieq(static_cast<char>(cp), k_dotgit[matched])) {
            return false;
        }
        ++matched;
    }
    return matched == 4;
}

std::string relative_path_problem(std::string_view path) {
    if (path.empty()) {
        return "it is empty";
    }
    if (path.size() > 4096) {
        return "it is longer than 4096 bytes";
    }
    if (path.front() == '/') {
        return "it is absolute";
    }
    for (char c : path) {
        if (c == '\0') {
            return "it contains a NUL byte";
        }
        if (c == '\\') {
            return "it contains a backslash";
        }
        if (c == '\n' || c == '\r') {
            return "it contains a line break";
        }
    }
    if (!valid_utf8(path)) {
        return "it is not valid UTF-8";
    }
    size_t start = 0;
    while (true) {
        size_t end = path.find('/', start);
        std::string_view part =
            path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (part.empty()) {
            return "it has an empty part ('//' or a trailing '/')";
        }
        if (part == "." || part == "..") {
            return "it has a '" + std::string(part) + "' part (it must stay inside the repository)";
        }
        if (names_dot_git(part)) {
            return part.size() == 4
                       ? "it has a '.git' part"
                       : "it has a part that names '.git' on some filesystems (" + quoted(part) + ")";
        }
        if (part.size() > 255) {
            return "it has a name longer than 255 bytes";
        }
        if (end == std::string_view::npos) {
            return {};
        }
        start = end + 1;
    }
}

} // namespace mlci
