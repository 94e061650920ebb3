// A store seen through its packs (DESIGN.md section 4): what it has is its loose objects plus every
// object a visible index lists. Every store is opened behind a PackedStore (open_store), so reads always
// see packed objects; writes bundle objects under the threshold into packs unless the store's config
// says pack = false. The backend (LocalStore, S3Store) supplies the loose objects and the file
// primitives (Store::list_files, put_file, read_range, remove_files) the packs are built on.
//
// - Visibility: a pack is uploaded before its index, and only an index makes it visible, so a killed
//   push leaves an invisible pack that gc collects; nothing half-written is ever read.
// - Indexes are immutable and named by their hash: each is fetched once, checked against its name and
//   kept in <cache_root>/packs/<id>.idx; a has-check of a million objects is one listing of packs/ plus
//   the indexes not yet kept.
// - Reads: one ranged read per object for get(); get_packed() coalesces neighbours (gap <= Options::gap)
//   of the same pack into one read. The caller verifies every object's hash, as for a loose object.
#pragma once

#include "artifact/pack/format.hpp"
#include "artifact/store/store.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mlci {
struct RemoteConfig;
}

namespace mlci::artifact::pack {

struct Options {
    bool write_packs = true;         // false: every put stays loose ([remote.NAME] pack = false)
    uint64_t threshold = 1ull << 20; // objects smaller than this are packed
    uint64_t pack_size = 256ull << 20;
    uint64_t gap = 1ull << 20; // get_packed: largest hole read through to join two objects
    std::string cache_root;    // indexes kept in <cache_root>/packs/; "" keeps none
    std::string temp_dir;      // packs being written; "" means <cache_root>/tmp, else $TMPDIR
};

/// The options of a configured store (rc may be nullptr: the defaults).
Options options_of(const RemoteConfig* rc, const std::string& cache_root);

/// A visible pack: its index was listed and read.
struct Pack {
    std::string id;
    StoreFile pack_file; // size 0 and mtime 0 when the pack file itself was not listed (lost)
    StoreFile index_file;
    Index index;
};

inline constexpr const char* k_pack_dir = "packs";

/// One object to read from a pack: the pack's id and the object's entry in its index.
struct PackedRead {
    std::string pack;
    Entry entry;
};

class PackedStore : public Store {
  public:
    PackedStore(std::unique_ptr<Store> backend, Options opt);
    ~PackedStore() override;

    std::string describe() const override;
    void check_readable() override;
    void check_writable() override;
    bool has(const Hash128& h) override;
    HashSet list() override;
    /// Under the threshold (and write_packs): the source is read into memory and, if it vouched for
    /// its bytes, appended to the pack under way; a pack reaching pack_size is uploaded at once. Else
    /// the backend's put.
    bool put(const Hash128& h, uint64_t size, const Source& source) override;
    void get(const Hash128& h, uint64_t max_bytes, const Sink& sink) override;
    void get_sized(const Hash128& h, uint64_t size, const Sink& sink) override;
    /// Upload the pack under way (pack file, then index), then the backend's flush.
    void flush() override;
    HashSet present(const std::vector<Hash128>& hashes, int jobs) override;
    /// Packed objects are looked up in the indexes; the backend is asked only for the rest.
    std::vector<Hash128> missing(const std::vector<Hash128>& hashes, int jobs) override;
    /// Loose objects and packed ones (with their sizes); an object in several places is listed once.
    std::vector<std::pair<Hash128, uint64_t>> objects() override;
    /// A loose object only: packed objects go with their pack (gc, repack).
    void remove(const Hash128& h) override;
    std::vector<ObjectFailure> remove_many(const std::vector<Hash128>& hashes, int jobs) override;
    void set_jobs(int jobs) override;
    /// The backend's unfinished uploads, and pack files without an index older than min_age_seconds.
    size_t remove_unfinished(double min_age_seconds, bool dry_run) override;
    uint64_t requests() const override;
    std::vector<TransferItem>
    get_packed(const std::vector<TransferItem>& items, int jobs,
               const std::function<void(const TransferItem&, std::string_view bytes)>& deliver,
               std::vector<ObjectFailure>& failed) override;
    std::vector<StoreFile> list_files(const std::string& dir) override;
    void put_file(const std::string& dir, const std::string& name, const std::string& from) override;
    void read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                    const Sink& sink) override;
    void remove_files(const std::string& dir, const std::vector<std::string>& names) override;

    // --- Packs, for verify, gc and repack (pack/maint.hpp).
    /// Every visible pack with its index (listed and read once per PackedStore; reset() forgets).
    const std::vector<Pack>& packs();
    /// Files of packs/ that no visible index accounts for: pack files without their index (a killed
    /// push, or one under way elsewhere: look at mtime) and anything else found there.
    std::vector<StoreFile> stray_files();
    /// The names of the stray pack files with no index at all, written at least min_age_seconds before
    /// `now` (seconds since the epoch): what a killed push left, for remove_unfinished and gc.
    std::vector<std::string> orphan_packs(double min_age_seconds, int64_t now);
    /// Forget the listing and indexes read (after packs changed).
    void reset();
    /// Upload a finished pack (its file, then its index) and return its id; the writer's temporary is
    /// removed. Used by flush and by repack.
    std::string upload(Writer& w);
    /// Make packs invisible, then delete them: each index first, then its pack file.
    void remove_packs(const std::vector<std::string>& ids);
    /// Stream bytes of pack `id` (no check: the caller hashes).
    void read_pack(const std::string& id, uint64_t offset, uint64_t length, const Sink& sink);
    /// Read these objects in coalesced runs (those of one pack by offset, neighbours whose hole is at most
    /// Options::gap joined, a run at most 16 MiB) on `jobs` threads: each object's bytes go to deliver
    /// (any thread, no lock held; by its index in `reads`), each object of a run that cannot be read to
    /// fail. No hash is checked: the caller does. An Error deliver throws is thrown once every run is done.
    void read_objects(const std::vector<PackedRead>& reads, int jobs,
                      const std::function<void(size_t, std::string_view)>& deliver,
                      const std::function<void(size_t, const Error&)>& fail);
    /// A new writer in the temporary folder.
    std::unique_ptr<Writer> new_writer() const;
    const Options& options() const { return m_opt; }
    Store& backend() { return *m_backend; }

  private:
    /// The hashes of `hashes` no index lists, in their order; the others go to *packed when given.
    std::vector<Hash128> unpacked(const std::vector<Hash128>& hashes, HashSet* packed);
    /// The refusal of packed object h, `size` bytes in `pack`, where at most max_bytes are allowed.
    Error over_size(const Hash128& h, uint64_t max_bytes, uint64_t size, const std::string& pack) const;

    struct State;
    std::unique_ptr<Store> m_backend;
    Options m_opt;
    std::unique_ptr<State> m_state;
};

} // namespace mlci::artifact::pack
