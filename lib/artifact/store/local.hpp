// The folder store: a local (or mounted) folder laid out like the cache (<root>/xxh128/ab/<30 hex>), a
// path or file:// URL, possibly a team's network mount; the embedded default behind the Store interface.
#pragma once

#include "artifact/store/store.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>

namespace mlci::artifact {

/// A store on a local (or mounted) folder.
class LocalStore : public Store {
  public:
    LocalStore(std::string name, std::string root);
    std::string describe() const override;
    void check_readable() override;
    void check_writable() override;
    bool has(const Hash128& h) override;
    HashSet list() override;
    bool put(const Hash128& h, uint64_t size, const Source& source) override;
    void get(const Hash128& h, uint64_t max_bytes, const Sink& sink) override;
    void get_sized(const Hash128& h, uint64_t size, const Sink& sink) override;
    void flush() override;
    std::vector<std::pair<Hash128, uint64_t>> objects() override;
    void remove(const Hash128& h) override;
    size_t remove_unfinished(double min_age_seconds, bool dry_run) override;
    std::vector<StoreFile> list_files(const std::string& dir) override;
    void put_file(const std::string& dir, const std::string& name, const std::string& from) override;
    void read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                    const Sink& sink) override;
    void remove_files(const std::string& dir, const std::vector<std::string>& names) override;
    const std::string& root() const { return m_root; }
    /// Object h opened for reading as get_sized reads it (no link followed, only a regular file of
    /// exactly `size` bytes, else input_error; io_error when absent), for a caller that copies it in the
    /// kernel and verifies the copy itself (git model get).
    Fd open_sized(const Hash128& h, uint64_t size);

  private:
    std::string m_name;
    std::string m_root;
    std::unique_ptr<SyncBatch> m_batch;
    std::mutex m_mu;
    Fd m_root_fd;                                  // the store's folder, opened on first use
    std::array<std::shared_ptr<Fd>, 256> m_fans{}; // its fan-out folders, opened on first use
    std::string object_path(const Hash128& h) const;
    int root_fd();
    /// The fan-out folder `slot` (xxh128/ab), opened without following a link (throws for one);
    /// nullptr when it does not exist and create is false.
    std::shared_ptr<Fd> fan_dir(int slot, bool create);
    /// f(slot, DirEntry) for every entry of every fan-out folder that exists (a link in place of one is
    /// skipped).
    template <typename F>
    void each_fan(F&& f);
    /// f(hash, folder descriptor, const char* name) for every name of the fan-out folders that names an
    /// object.
    template <typename F>
    void each_object(F&& f);
    /// Open object h for reading with no link followed below the store's folder, refusing anything but
    /// a regular file; its stat in *st.
    Fd open_object(const Hash128& h, struct stat* st);
    /// Open `rel` below the store's folder for reading, no link followed, refusing anything but a regular
    /// file (input_error with repair_hint); io_error with absent_hint when it is not there. `shown` names
    /// it in messages. Both open_object and open_file.
    Fd open_regular(const std::string& rel, const std::string& shown, const std::string& absent_hint,
                    const std::string& repair_hint, struct stat* st);
    void read_object(const Hash128& h, uint64_t max_bytes, std::optional<uint64_t> exact, const Sink& sink);
    /// The folder `dir` of the file primitives (checked by check_store_file_name), opened without
    /// following a link (input_error for one, or for a file in its place); an invalid Fd when it does not
    /// exist and create is false. *created tells whether this call made it.
    Fd files_dir(const std::string& dir, bool create, bool* created = nullptr);
    /// Open dir/name for reading with no link followed; a regular file only, its stat in *st.
    Fd open_file(const std::string& dir, const std::string& name, struct stat* st);
};

} // namespace mlci::artifact
