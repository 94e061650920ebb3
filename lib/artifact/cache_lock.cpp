// The cache's lock and its registry of work trees (see cache_lock.hpp for why both exist).
#include "artifact/cache_lock.hpp"

#include "artifact/cache.hpp"
#include "fsutil/dir.hpp"
#include "hash/xxh128.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::artifact {

namespace {

std::string registry_dir(const Cache& cache) {
    return cache.root() + "/worktrees";
}

} // namespace

CacheLock::CacheLock(const Cache& cache, Mode mode) : m_mode(mode) {
    cache.prepare();
    std::string path = cache.root() + "/lock";
    // Read-only is enough for flock; O_NOFOLLOW: the lock file is ours, never a link to elsewhere.
    m_fd = Fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666));
    if (!m_fd) {
        throw io_error("cannot open the cache's lock '" + path + "': " + errno_text(errno),
                       "check that the cache folder is writable");
    }
    int op = mode == Mode::shared ? LOCK_SH : LOCK_EX;
    if (::flock(m_fd.get(), op | LOCK_NB) == 0) {
        return;
    }
    if (errno != EWOULDBLOCK) {
        throw io_error("cannot lock the cache ('" + path + "'): " + errno_text(errno));
    }
    warn(mode == Mode::shared
             ? "waiting for 'git model gc' to finish with the cache (" + path + ")"
             : "waiting for the other mlci commands using the cache to finish (" + path + ")");
    while (::flock(m_fd.get(), op) != 0) {
        if (errno != EINTR) {
            throw io_error("cannot lock the cache ('" + path + "'): " + errno_text(errno));
        }
    }
}

void register_worktree(const Cache& cache, const std::string& top) {
    std::string dir = registry_dir(cache);
    std::string file = dir + "/" + xxh128(top).hex();
    struct stat st {};
    if (::lstat(file.c_str(), &st) == 0) {
        return;
    }
    try {
        make_dirs(dir);
        write_file_atomic(file, top + "\n", false);
    } catch (const Error&) {
        // Best effort: a cache this work tree cannot write to holds no object only it added.
    }
}

std::vector<std::pair<std::string, std::string>> registered_worktrees(const Cache& cache) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string dir = registry_dir(cache);
    auto names = dir_names(dir, [](std::string_view n) {
        return n.size() == 32 && n.find_first_not_of("0123456789abcdef") == std::string::npos;
    });
    for (const auto& n : names) {
        std::string file = dir + "/" + n;
        std::optional<std::string> text;
        try {
            text = read_file_below(dir, n, 64 * 1024);
        } catch (const Error&) {
            continue; // a link or a FIFO: not one of ours
        }
        if (!text || text->empty() || text->back() != '\n' || text->front() != '/') {
            continue; // not one of ours
        }
        out.emplace_back(file, text->substr(0, text->size() - 1));
    }
    return out;
}

void forget_worktree(const std::string& registry_file) {
    ::unlink(registry_file.c_str());
}

} // namespace mlci::artifact
