// Blob ids of unchanged work-tree files from git's index (worktree_ids.hpp).
#include "prompt/worktree_ids.hpp"

#include "fsutil/file.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace mlci::prompt {

WorktreeIds::WorktreeIds(const std::string& index_path, std::string top) : m_top(std::move(top)) {
    struct stat st {};
    if (::stat(index_path.c_str(), &st) != 0) {
        return; // no index: nothing vouches for any file
    }
    m_written = st.st_mtim;
    m_index = git::lite::read_index(index_path);
}

std::optional<git::Oid> WorktreeIds::clean_id(const std::string& rel) const {
    if (!m_index) {
        return std::nullopt;
    }
    const auto& entries = m_index->entries;
    auto it =
        std::lower_bound(entries.begin(), entries.end(), rel,
                         [](const git::lite::IndexEntry& e, const std::string& p) { return e.path < p; });
    if (it == entries.end() || it->path != rel || (it->mode != 0100644 && it->mode != 0100755)) {
        return std::nullopt;
    }
    struct stat st {};
    if (::lstat((m_top + rel).c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !it->matches(st)) {
        return std::nullopt;
    }
    // Racily clean: written in the same instant as the index or after it, a change of the same size
    // leaves the stat data as they were (git's rule, read-cache.c is_racy_timestamp).
    bool before = st.st_mtim.tv_sec < m_written.tv_sec ||
                  (st.st_mtim.tv_sec == m_written.tv_sec && st.st_mtim.tv_nsec < m_written.tv_nsec);
    if (!before) {
        return std::nullopt;
    }
    size_t slash = rel.rfind('/');
    std::string_view folder(rel.data(), slash == std::string::npos ? 0 : slash + 1);
    auto ok = m_folder_ok.find(folder);
    if (ok == m_folder_ok.end()) {
        // The folder with its trailing '/': link_on_way looks at every folder of it, as for the file.
        ok = m_folder_ok.emplace(std::string(folder), link_on_way(m_top, folder).empty()).first;
    }
    if (!ok->second) {
        return std::nullopt;
    }
    return it->id;
}

} // namespace mlci::prompt
