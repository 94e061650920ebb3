// Durable writes in batches: temporaries are made durable together (one fsync each when few, one syncfs
// of their filesystem when many), then renamed onto their names, then their folders synced. Thousands of
// small files (the objects of a large `git model add`) cost one sync pass, not one fsync each.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace mlci {

/// Temporaries waiting to become durable and then renamed onto their final names (thread-safe).
/// commit(): one sync pass (fsync of each temp when few, syncfs of the filesystem when many), the
/// renames, then the folders' sync. Destroyed uncommitted, it deletes the temporaries.
class SyncBatch {
  public:
    explicit SyncBatch(std::string fs_root) : m_root(std::move(fs_root)) {}
    ~SyncBatch();
    SyncBatch(const SyncBatch&) = delete;
    SyncBatch& operator=(const SyncBatch&) = delete;

    void add(std::string temp, std::string final_path);
    /// Same, with both names relative to the open folder `dirfd` (whose path is `dir`): the sync and the
    /// rename resolve one name instead of the whole path. `keep` holds whatever owns dirfd alive until
    /// the batch is done.
    void add_at(int dirfd, const std::string& dir, std::string temp_name, std::string final_name,
                const std::shared_ptr<const void>& keep);
    /// Sync, rename (in parallel when many), then sync the folders — or, with a `later` list, append the
    /// folders to it for the caller's one final pass (see sync_paths).
    void commit(std::vector<std::string>* later = nullptr);
    size_t size() const { return m_items.size(); }

  private:
    struct Item {
        int dirfd;         // AT_FDCWD: temp and final_path are whole paths
        const char* dir;   // the folder (for the final folder sync); owned by m_dirs
        std::string temp;  // relative to dirfd
        std::string final; // relative to dirfd
    };
    std::string m_root;
    std::mutex m_mu;
    std::vector<Item> m_items;
    std::set<std::string> m_dirs; // stable storage for Item::dir
    std::vector<std::shared_ptr<const void>> m_keep;
};

/// Make each path durable: fsync each when a filesystem holds few of them, else one syncfs of that
/// filesystem (on a filesystem without a journal every folder fsync is a disk write of its own).
void sync_paths(const std::vector<std::string>& paths);

} // namespace mlci
