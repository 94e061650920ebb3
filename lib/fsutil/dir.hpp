// Folder listings: the one opendir/readdir loop of mlci. The callback gets each name with the folder's
// descriptor (for fstatat, unlinkat) and costs no allocation per entry, so the cache's and stores' scans
// of 256 fan-out folders use it as they are.
#pragma once

#include <dirent.h>
#include <string>
#include <type_traits>
#include <vector>

namespace mlci {

/// One entry of a listing ("." and ".." are never given).
struct DirEntry {
    const char* name;   // valid until the callback returns
    unsigned char type; // d_type: DT_REG, DT_DIR, DT_LNK … or DT_UNKNOWN when the filesystem does not say
    int dirfd;          // the listed folder, for the *at calls
};

/// Open the folder `path` for listing; nullptr (errno set) when it cannot be.
DIR* open_dir(const std::string& path);
/// Open `name` below the open folder dirfd for listing, never through a symbolic link (O_NOFOLLOW); "."
/// lists dirfd itself on a descriptor of its own (its offset is not shared with dirfd). nullptr (errno
/// set) when it cannot be.
DIR* open_dir_at(int dirfd, const char* name);

/// Call f(const DirEntry&) for every entry of d, then close d. f returns void, or bool: false stops.
template <typename F>
void each_entry(DIR* d, F&& f) {
    if (d == nullptr) {
        return;
    }
    int fd = ::dirfd(d);
    while (dirent* e = ::readdir(d)) {
        const char* n = e->d_name;
        if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) {
            continue;
        }
        DirEntry entry{n, e->d_type, fd};
        if constexpr (std::is_same_v<decltype(f(entry)), bool>) {
            if (!f(entry)) {
                break;
            }
        } else {
            f(entry);
        }
    }
    ::closedir(d);
}

/// List the folder `path`: f(const DirEntry&) per entry (see each_entry). False when it could not be
/// opened (errno set), true otherwise.
template <typename F>
bool list_dir(const std::string& path, F&& f) {
    DIR* d = open_dir(path);
    each_entry(d, f);
    return d != nullptr;
}

/// List `name` below the open folder dirfd without following a link (see open_dir_at).
template <typename F>
bool list_dir_at(int dirfd, const char* name, F&& f) {
    DIR* d = open_dir_at(dirfd, name);
    each_entry(d, f);
    return d != nullptr;
}

/// The names in the folder `path` that keep(const char* name) accepts, in readdir order; empty when the
/// folder cannot be opened.
template <typename Keep>
std::vector<std::string> dir_names(const std::string& path, Keep&& keep) {
    std::vector<std::string> out;
    list_dir(path, [&](const DirEntry& e) {
        if (keep(e.name)) {
            out.emplace_back(e.name);
        }
    });
    return out;
}

} // namespace mlci
