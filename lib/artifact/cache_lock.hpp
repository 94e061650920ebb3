// Who may delete what from a cache. `git model gc` deletes objects that nothing keeps; a command that
// has just added or fetched objects, and has not yet written the pointers or files that keep them, must
// not lose them to a gc running beside it (DESIGN.md section 8). Two mechanisms:
//
// - a lock (flock on <cache>/lock): every command that puts objects in the cache or relies on them holds
//   it shared until it ends; gc holds it exclusive, so it never sees half of another command's work.
// - a registry of the work trees that use the cache (<cache>/worktrees/<hash of the path>, holding the
//   path): gc keeps what each of them keeps, so that a cache shared by clones (cache.dir) or by git
//   worktrees never loses one clone's objects to another's gc.
#pragma once

#include "fsutil/file.hpp"

#include <string>
#include <utility>
#include <vector>

namespace mlci::artifact {

class Cache;

class CacheLock {
  public:
    enum class Mode { shared, exclusive };
    /// Take the lock, waiting for an exclusive holder (a gc) or, for exclusive, for every holder; a
    /// warning says so when it has to wait. Throws io_error when the lock file cannot be opened.
    CacheLock(const Cache& cache, Mode mode);
    CacheLock(const CacheLock&) = delete;
    CacheLock& operator=(const CacheLock&) = delete;
    Mode mode() const { return m_mode; }

  private:
    Fd m_fd; // the lock lives as long as the descriptor
    Mode m_mode;
};

/// Record that the work tree `top` uses this cache (best effort: an unwritable cache records nothing).
void register_worktree(const Cache& cache, const std::string& top);
/// Every work tree registered with the cache: (registry file, work tree path).
std::vector<std::pair<std::string, std::string>> registered_worktrees(const Cache& cache);
/// Forget a registry entry (its work tree is gone or uses another cache).
void forget_worktree(const std::string& registry_file);

} // namespace mlci::artifact
