// The path rules of DESIGN.md section 8 for every relative path mlci takes from untrusted input (trees,
// pointers, manifests, notes, configs): what git's verify_path refuses, and a little more.
#pragma once

#include <string>
#include <string_view>

namespace mlci {

/// Why `path` is not an acceptable relative path (empty string when it is): absolute, empty or `.`/`..`
/// parts, a part that names `.git` (any case, and the NTFS and HFS+ aliases git's verify_path refuses:
/// `.git.`, `git~1`, `.git::$DATA`, `.g\u200cit`), a part over 255 bytes, NUL, backslash, newline, invalid
/// UTF-8. Every path mlci takes from a tree, a pointer, a manifest, a note or a config passes it.
std::string relative_path_problem(std::string_view path);

/// Does this one path part name `.git` on some filesystem (the aliases above)?
bool names_dot_git(std::string_view part);

} // namespace mlci
