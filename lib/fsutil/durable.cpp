// SyncBatch and sync_paths (durable.hpp): durable before visible, and the renames spread over the cores
// when there are many.
#include "fsutil/durable.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/pool.hpp"

#include <cerrno>
#include <fcntl.h>
#include <map>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci {

SyncBatch::~SyncBatch() {
    for (const auto& it : m_items) {
        ::unlinkat(it.dirfd, it.temp.c_str(), 0);
    }
}

void SyncBatch::add(std::string temp, std::string final_path) {
    std::lock_guard<std::mutex> lock(m_mu);
    const char* dir = m_dirs.insert(dirname_of(final_path)).first->c_str();
    m_items.push_back({AT_FDCWD, dir, std::move(temp), std::move(final_path)});
}

void SyncBatch::add_at(int dirfd, const std::string& dir, std::string temp_name, std::string final_name,
                       const std::shared_ptr<const void>& keep) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (keep && (m_keep.empty() || m_keep.back() != keep)) {
        m_keep.push_back(keep);
    }
    auto it = m_dirs.find(dir);
    if (it == m_dirs.end()) {
        it = m_dirs.insert(dir).first;
    }
    m_items.push_back({dirfd, it->c_str(), std::move(temp_name), std::move(final_name)});
}

void SyncBatch::commit(std::vector<std::string>* later) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_items.empty()) {
        return;
    }
    // 1. Durable before visible. Few files: fsync each. Many: one syncfs pass over the filesystem (one
    // fsync per small file would cost a disk round trip each).
    constexpr size_t k_few = 16;
    if (m_items.size() <= k_few) {
        for (const auto& it : m_items) {
            Fd fd(::openat(it.dirfd, it.temp.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
            if (fd && ::fsync(fd.get()) != 0 && errno != EINVAL) {
                throw io_error("cannot sync '" + it.temp + "': " + errno_text(errno));
            }
        }
    } else {
        Fd fd(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd || ::syncfs(fd.get()) != 0) {
            throw io_error("cannot sync the filesystem of '" + m_root + "': " + errno_text(errno));
        }
    }
    // 2. The renames: independent, so spread over the cores when there are many (each resolves one name
    // in its own small folder).
    std::vector<char> done(m_items.size(), 0);
    FirstError first;
    parallel_for(m_items.size(), m_items.size() > 256 ? default_jobs() : 1, [&](size_t i) {
        const Item& it = m_items[i];
        if (::renameat(it.dirfd, it.temp.c_str(), it.dirfd, it.final.c_str()) == 0) {
            done[i] = 1;
            return;
        }
        int err = errno;
        std::string where = it.dirfd == AT_FDCWD ? "" : std::string(it.dir) + "/";
        first.keep(i, io_error("cannot rename '" + where + it.temp + "' to '" + where + it.final +
                               "': " + errno_text(err)));
    });
    std::vector<std::string> dirs;
    std::set<const char*> seen;
    std::vector<Item> left;
    for (size_t i = 0; i < m_items.size(); ++i) {
        if (!done[i]) {
            left.push_back(std::move(m_items[i])); // the destructor deletes them
            continue;
        }
        if (seen.insert(m_items[i].dir).second) {
            dirs.emplace_back(m_items[i].dir);
        }
    }
    m_items = std::move(left);
    first.rethrow();
    // 3. The folders, so that the renames are durable too.
    if (later != nullptr) {
        later->insert(later->end(), dirs.begin(), dirs.end());
        return;
    }
    for (const auto& d : dirs) {
        Fd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (fd && ::fsync(fd.get()) != 0 && errno != EINVAL) {
            throw io_error("cannot sync '" + d + "': " + errno_text(errno));
        }
    }
}

void sync_paths(const std::vector<std::string>& paths) {
    // Grouped by filesystem: many paths on one (the 256 fan-out folders of a large add) cost one syncfs
    // there instead of an fsync each — one fsync of a folder took ~4 ms here, and 256 of them a second.
    std::set<std::string> seen;
    std::map<dev_t, std::vector<const std::string*>> by_dev;
    for (const auto& p : paths) {
        struct stat st {};
        if (seen.insert(p).second && ::stat(p.c_str(), &st) == 0) {
            by_dev[st.st_dev].push_back(&p);
        }
    }
    constexpr size_t k_few = 16;
    for (const auto& [dev, list] : by_dev) {
        if (list.size() > k_few) {
            Fd fd(::open(list.front()->c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd || ::syncfs(fd.get()) != 0) {
                throw io_error("cannot sync the filesystem of '" + *list.front() + "': " + errno_text(errno));
            }
            continue;
        }
        for (const auto* p : list) {
            Fd fd(::open(p->c_str(), O_RDONLY | O_CLOEXEC));
            if (fd && ::fsync(fd.get()) != 0 && errno != EINVAL) {
                throw io_error("cannot sync '" + *p + "': " + errno_text(errno));
            }
        }
    }
}

} // namespace mlci
