// Repository discovery without libgit2 (discover.hpp): the `.git` folder or file above a start folder,
// its commondir and config, read by hand for the plain layouts only; anything else answers nullopt and
// the caller opens the repository with libgit2, which decides. Also the git folder of a known work tree
// (common_dir_of), for the config files kept there.
#include "git/lite/discover.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::git::lite {

namespace {

std::optional<std::string> small_file(const std::string& path) {
    try {
        return read_file_if_exists(path, 64 * 1024);
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::string trim_line_end(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
        s.pop_back();
    }
    return s;
}

bool is_dir(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Does a folder look like a git folder (as libgit2 checks: HEAD, objects/ and refs/, or a commondir)?
bool looks_like_git_dir(const std::string& d) {
    return is_file(d + "/HEAD") &&
           ((is_dir(d + "/objects") && is_dir(d + "/refs")) || is_file(d + "/commondir"));
}

// Is this config plain enough to know the work tree without reading it as git does? Any mention of a
// work tree (core.worktree), an include, an extension (another object format: libgit2 may refuse it),
// or a `bare` that is not false is not.
bool plain_config(const std::string& text) {
    std::string lower = to_lower(text);
    if (lower.find("worktree") != std::string::npos || lower.find("include") != std::string::npos ||
        lower.find("extensions") != std::string::npos) {
        return false;
    }
    for (const auto& raw : split(lower, '\n')) {
        if (raw.find("bare") == std::string::npos) {
            continue;
        }
        std::string line;
        for (char c : raw) {
            if (c != ' ' && c != '\t' && c != '\r') {
                line += c;
            }
        }
        if (line != "bare=false") {
            return false;
        }
    }
    return true;
}

} // namespace

std::optional<RepoPaths> discover_plain(const std::string& start) {
    for (const char* var : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                            "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_OBJECT_DIRECTORY", "GIT_INDEX_FILE"}) {
        if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
            return std::nullopt;
        }
    }
    char buf[PATH_MAX];
    if (::realpath(start.c_str(), buf) == nullptr) {
        return std::nullopt;
    }
    std::string dir = buf;
    struct stat st0 {};
    if (::stat(dir.c_str(), &st0) != 0 || !S_ISDIR(st0.st_mode)) {
        return std::nullopt;
    }
    std::string git_dir;
    while (true) {
        std::string dot_git = (dir == "/" ? "" : dir) + "/.git";
        struct stat st {};
        if (::lstat(dot_git.c_str(), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (!looks_like_git_dir(dot_git)) {
                    return std::nullopt;
                }
                git_dir = dot_git;
            } else if (S_ISREG(st.st_mode)) {
                auto text = small_file(dot_git);
                if (!text || text->rfind("gitdir: ", 0) != 0) {
                    return std::nullopt;
                }
                std::string target = trim_line_end(text->substr(8));
                if (target.empty() || target.find('\n') != std::string::npos) {
                    return std::nullopt;
                }
                git_dir = target.front() == '/' ? target : dir + "/" + target;
                if (!looks_like_git_dir(git_dir)) {
                    return std::nullopt;
                }
            } else {
                return std::nullopt; // a symlink or anything else: libgit2 decides
            }
            break;
        }
        if (errno != ENOENT || looks_like_git_dir(dir) || dir == "/") {
            return std::nullopt; // inside a git folder, a bare repository, an error, or no repository
        }
        dir = dirname_of(dir);
        if (dir.empty()) {
            dir = "/";
        }
        struct stat up {};
        if (::stat(dir.c_str(), &up) != 0 || up.st_dev != st0.st_dev) {
            return std::nullopt; // libgit2 does not cross filesystems: let it say so
        }
    }
    if (::realpath(git_dir.c_str(), buf) == nullptr) {
        return std::nullopt;
    }
    RepoPaths r;
    r.top = dir;
    r.git_dir = std::string(buf) + "/";
    r.common_dir = r.git_dir;
    if (auto c = small_file(r.git_dir + "commondir")) {
        std::string rel = trim_line_end(*c);
        std::string common = !rel.empty() && rel.front() == '/' ? rel : r.git_dir + rel;
        if (rel.empty() || ::realpath(common.c_str(), buf) == nullptr) {
            return std::nullopt;
        }
        r.common_dir = std::string(buf) + "/";
    }
    auto config = small_file(r.common_dir + "config");
    if (!config || !plain_config(*config)) {
        return std::nullopt;
    }
    if (r.git_dir != r.common_dir && is_file(r.git_dir + "config.worktree")) {
        return std::nullopt;
    }
    // libgit2 refuses a repository another user owns (unless safe.directory says otherwise).
    struct stat top_st {
    }, git_st{};
    if (::stat(r.top.c_str(), &top_st) != 0 || ::stat(r.git_dir.c_str(), &git_st) != 0 ||
        top_st.st_uid != ::geteuid() || git_st.st_uid != ::geteuid()) {
        return std::nullopt;
    }
    return r;
}

std::string common_dir_of(const std::string& top) {
    std::string git_dir;
    if (const char* env = std::getenv("GIT_DIR"); env != nullptr && *env != '\0') {
        git_dir = env;
    } else if (is_directory(path_join(top, ".git"))) {
        git_dir = path_join(top, ".git");
    } else if (auto text = read_file_below(top, ".git", 64 * 1024); text && text->starts_with("gitdir: ")) {
        git_dir = std::string(trim(text->substr(8)));
        if (!git_dir.empty() && git_dir.front() != '/') {
            git_dir = path_join(top, git_dir);
        }
    }
    if (git_dir.empty()) {
        return {};
    }
    if (auto common = read_file_if_exists(path_join(git_dir, "commondir"), 64 * 1024)) {
        std::string c(trim(*common));
        if (!c.empty()) {
            return c.front() == '/' ? c : path_join(git_dir, c);
        }
    }
    return git_dir;
}

} // namespace mlci::git::lite
