// PackedStore (packed.hpp): a backend's loose objects plus its packs. Implementation details:
// - One mutex (State::mu) guards the listing, the indexes read and the packs uploaded by this store; a
//   lookup holds it for a binary search per pack, so the threads of a transfer share one listing.
// - Indexes are sorted vectors (32 bytes an object): a million packed objects cost ~32 MB, not a hash map.
// - put() reads a small object into memory outside any lock (the source may be slow: a disk, a network
//   mount), then appends it to the pack under way under its own mutex; the pack that reaches pack_size is
//   taken out and uploaded by that put while the others go on into a new writer. An upload that fails
//   there fails that put and, remembered, the next flush(): the objects before it were already reported
//   put, so the push must not end as if they were stored.
#include "artifact/pack/packed.hpp"

#include "config/config.hpp"
#include "fsutil/file.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <tuple>
#include <unistd.h>
#include <unordered_map>

namespace mlci::artifact::pack {

namespace {

// get_packed: the longest coalesced read. Reads run on `jobs` threads, each holding its buffer: 8 jobs
// keep at most 128 MiB in memory.
constexpr uint64_t k_max_read = 16ull << 20;
// Above this many packs, lookups go through one merged sorted table instead of a binary search per pack
// (a store pushed to a thousand times holds thousands of small packs).
constexpr size_t k_merge_above = 8;
constexpr uint64_t k_max_index = 1ull << 30; // an index above this is refused (32M objects)

std::string idx_name(const std::string& id) {
    return id + ".idx";
}
std::string pack_name(const std::string& id) {
    return id + ".pack";
}

// "<id>" when name is "<id><suffix>" with a pack id, else "".
std::string id_of(const std::string& name, std::string_view suffix) {
    if (!name.ends_with(suffix)) {
        return "";
    }
    std::string id = name.substr(0, name.size() - suffix.size());
    return is_pack_id(id) ? id : "";
}

} // namespace

Options options_of(const RemoteConfig* rc, const std::string& cache_root) {
    Options o;
    if (rc != nullptr) {
        o.write_packs = rc->pack;
        o.threshold = rc->pack_threshold;
        o.pack_size = rc->pack_size;
        o.gap = rc->pack_gap;
    }
    o.cache_root = cache_root;
    return o;
}

struct PackedStore::State {
    std::mutex mu; // listing, packs, stray
    bool listed = false;
    std::vector<Pack> packs;
    std::vector<StoreFile> stray;
    // Every entry of packs[0, merged_packs) as (hash, pack number), sorted by hash; the packs after them
    // (uploaded by this store since the listing) are searched one by one.
    std::vector<std::pair<Hash128, uint32_t>> merged;
    size_t merged_packs = 0;

    std::mutex write_mu; // writer, upload_error
    std::unique_ptr<Writer> writer;
    std::optional<Error> upload_error;
    int jobs = 4;

    /// The pack holding h and its entry, or nullptr (mu held).
    const Pack* find(const Hash128& h, const Entry** entry) const {
        if (merged_packs > 0) {
            auto it = std::lower_bound(merged.begin(), merged.end(), h,
                                       [](const auto& m, const Hash128& x) { return hash_less(m.first, x); });
            if (it != merged.end() && it->first == h) {
                const Pack& p = packs[it->second];
                *entry = p.index.find(h);
                return &p;
            }
        }
        for (size_t i = merged_packs; i < packs.size(); ++i) {
            if (const Entry* e = packs[i].index.find(h)) {
                *entry = e;
                return &packs[i];
            }
        }
        return nullptr;
    }

    /// Build `merged` over every pack listed, when there are many (mu held).
    void merge() {
        merged.clear();
        merged_packs = 0;
        if (packs.size() <= k_merge_above) {
            return;
        }
        size_t n = 0;
        for (const auto& p : packs) {
            n += p.index.entries.size();
        }
        merged.reserve(n);
        for (size_t i = 0; i < packs.size(); ++i) {
            for (const auto& e : packs[i].index.entries) {
                merged.emplace_back(e.hash, static_cast<uint32_t>(i));
            }
        }
        std::sort(merged.begin(), merged.end(),
                  [](const auto& a, const auto& b) { return hash_less(a.first, b.first); });
        merged_packs = packs.size();
    }
};

PackedStore::PackedStore(std::unique_ptr<Store> backend, Options opt)
    : m_backend(std::move(backend)), m_opt(std::move(opt)), m_state(std::make_unique<State>()) {}

PackedStore::~PackedStore() = default;

std::string PackedStore::describe() const {
    return m_backend->describe();
}

void PackedStore::check_readable() {
    m_backend->check_readable();
}

void PackedStore::check_writable() {
    m_backend->check_writable();
}

// --- The listing and the indexes.

namespace {

// An index kept in <cache_root>/packs/<id>.idx, if its bytes still hash to its name.
std::optional<std::string> cached_index(const std::string& cache_root, const std::string& id) {
    if (cache_root.empty()) {
        return std::nullopt;
    }
    std::optional<std::string> bytes;
    try {
        bytes = read_file_if_exists(path_join(path_join(cache_root, k_pack_dir), idx_name(id)), k_max_index);
    } catch (const Error&) {
        return std::nullopt; // unreadable: fetched again, and the fetch rewrites it
    }
    if (bytes && pack_id(*bytes) != id) {
        return std::nullopt;
    }
    return bytes;
}

// Keep an index in the cache: a temporary, fsync, rename; read-only as the cache's objects.
void keep_index(const std::string& cache_root, const std::string& id, std::string_view bytes) {
    std::string dir = path_join(cache_root, k_pack_dir);
    make_dirs(dir);
    AtomicFile f(path_join(dir, idx_name(id)), 0444);
    f.write(bytes);
    f.commit();
}

} // namespace

void PackedStore::reset() {
    std::lock_guard<std::mutex> lock(m_state->mu);
    m_state->listed = false;
    m_state->packs.clear();
    m_state->stray.clear();
    m_state->merged.clear();
    m_state->merged_packs = 0;
}

namespace {

// The index bytes of pack `id`: the cache's copy, else read from the store and checked against its name
// (nullopt, with a warning, when it does not match: never trusted).
std::optional<std::string> load_index(Store& backend, const Options& opt, const std::string& id,
                                      const StoreFile& file) {
    if (auto cached = cached_index(opt.cache_root, id)) {
        return cached;
    }
    if (file.size > k_max_index) {
        warn(backend.describe() + ": pack index " + id + " is " + std::to_string(file.size) +
             " bytes, more than any index: ignored");
        return std::nullopt;
    }
    std::string bytes;
    bytes.reserve(file.size);
    backend.read_range(k_pack_dir, file.name, 0, file.size,
                       [&](const char* p, size_t n) { bytes.append(p, n); });
    if (pack_id(bytes) != id) {
        warn(backend.describe() + ": pack index " + id + " does not match its name (corrupt): ignored");
        return std::nullopt;
    }
    if (!opt.cache_root.empty()) {
        keep_index(opt.cache_root, id, bytes);
    }
    return bytes;
}

} // namespace

const std::vector<Pack>& PackedStore::packs() {
    std::lock_guard<std::mutex> lock(m_state->mu);
    State& st = *m_state;
    if (st.listed) {
        return st.packs;
    }
    std::vector<StoreFile> files = m_backend->list_files(k_pack_dir);
    std::map<std::string, StoreFile> pack_files; // by id
    std::vector<std::pair<std::string, StoreFile>> indexes;
    std::vector<StoreFile> other;
    for (auto& f : files) {
        if (std::string id = id_of(f.name, ".idx"); !id.empty()) {
            indexes.emplace_back(id, f);
        } else if (std::string pid = id_of(f.name, ".pack"); !pid.empty()) {
            pack_files[pid] = f;
        } else {
            other.push_back(f);
        }
    }
    std::vector<std::optional<Pack>> loaded(indexes.size());
    parallel_for_or_throw(indexes.size(), st.jobs, [&](size_t i) {
        const auto& [id, file] = indexes[i];
        std::optional<std::string> bytes = load_index(*m_backend, m_opt, id, file);
        if (!bytes) {
            return;
        }
        Pack p{id, {}, file, {}};
        try {
            p.index = parse_index(*bytes, describe() + ": pack index " + id);
        } catch (const Error& e) {
            warn(std::string(e.what()) + ": ignored");
            return;
        }
        loaded[i] = std::move(p);
    });
    st.packs.clear();
    st.stray = std::move(other);
    for (size_t i = 0; i < loaded.size(); ++i) {
        if (!loaded[i]) {
            st.stray.push_back(indexes[i].second);
            continue;
        }
        if (auto it = pack_files.find(loaded[i]->id); it != pack_files.end()) {
            loaded[i]->pack_file = it->second;
            pack_files.erase(it);
        } else {
            loaded[i]->pack_file = StoreFile{pack_name(loaded[i]->id), 0, 0};
        }
        st.packs.push_back(std::move(*loaded[i]));
    }
    for (auto& [id, f] : pack_files) {
        st.stray.push_back(f);
    }
    st.merge();
    st.listed = true;
    return st.packs;
}

std::vector<StoreFile> PackedStore::stray_files() {
    packs();
    std::lock_guard<std::mutex> lock(m_state->mu);
    return m_state->stray;
}

// --- Lookups: the packs first, the backend for the rest.

bool PackedStore::has(const Hash128& h) {
    packs();
    {
        std::lock_guard<std::mutex> lock(m_state->mu);
        const Entry* e = nullptr;
        if (m_state->find(h, &e) != nullptr) {
            return true;
        }
    }
    return m_backend->has(h);
}

std::vector<Hash128> PackedStore::unpacked(const std::vector<Hash128>& hashes, HashSet* packed) {
    packs();
    std::vector<Hash128> rest;
    std::lock_guard<std::mutex> lock(m_state->mu);
    for (const auto& h : hashes) {
        const Entry* e = nullptr;
        if (m_state->find(h, &e) == nullptr) {
            rest.push_back(h);
        } else if (packed != nullptr) {
            packed->insert(h);
        }
    }
    return rest;
}

HashSet PackedStore::present(const std::vector<Hash128>& hashes, int jobs) {
    HashSet out;
    out.reserve(hashes.size());
    std::vector<Hash128> rest = unpacked(hashes, &out);
    for (const auto& h : m_backend->present(rest, jobs)) {
        out.insert(h);
    }
    return out;
}

std::vector<Hash128> PackedStore::missing(const std::vector<Hash128>& hashes, int jobs) {
    return m_backend->missing(unpacked(hashes, nullptr), jobs);
}

HashSet PackedStore::list() {
    HashSet out = m_backend->list();
    for (const auto& p : packs()) {
        for (const auto& e : p.index.entries) {
            out.insert(e.hash);
        }
    }
    return out;
}

std::vector<std::pair<Hash128, uint64_t>> PackedStore::objects() {
    std::vector<std::pair<Hash128, uint64_t>> out;
    HashSet seen;
    for (const auto& p : packs()) {
        for (const auto& e : p.index.entries) {
            if (seen.insert(e.hash).second) {
                out.emplace_back(e.hash, e.size);
            }
        }
    }
    for (auto& o : m_backend->objects()) {
        if (seen.insert(o.first).second) {
            out.push_back(o);
        }
    }
    return out;
}

// --- Reads.

void PackedStore::read_pack(const std::string& id, uint64_t offset, uint64_t length, const Sink& sink) {
    m_backend->read_range(k_pack_dir, pack_name(id), offset, length, sink);
}

namespace {

struct Located {
    std::string id;
    Entry entry;
};

// The pack holding h and its entry (copied: the listing may change once the lock is released).
std::optional<Located> locate_in(PackedStore& store, std::mutex& mu, const auto& state, const Hash128& h) {
    store.packs();
    std::lock_guard<std::mutex> lock(mu);
    const Entry* e = nullptr;
    if (const Pack* p = state.find(h, &e)) {
        return Located{p->id, *e};
    }
    return std::nullopt;
}

} // namespace

Error PackedStore::over_size(const Hash128& h, uint64_t max_bytes, uint64_t size,
                             const std::string& pack) const {
    return input_error(h.id() + " on " + describe() + " is over " + std::to_string(max_bytes) +
                           " bytes long (" + std::to_string(size) + " in pack " + pack +
                           "): refused before it was copied",
                       "repair the store from a clone that has a good copy (git model push)");
}

void PackedStore::get(const Hash128& h, uint64_t max_bytes, const Sink& sink) {
    std::optional<Located> at = locate_in(*this, m_state->mu, *m_state, h);
    if (!at) {
        m_backend->get(h, max_bytes, sink);
        return;
    }
    if (at->entry.size > max_bytes) {
        throw over_size(h, max_bytes, at->entry.size, at->id);
    }
    read_pack(at->id, at->entry.offset, at->entry.size, sink);
}

void PackedStore::get_sized(const Hash128& h, uint64_t size, const Sink& sink) {
    std::optional<Located> at = locate_in(*this, m_state->mu, *m_state, h);
    if (!at) {
        m_backend->get_sized(h, size, sink);
        return;
    }
    if (at->entry.size != size) {
        throw input_error(h.id() + " on " + describe() + " is not " + std::to_string(size) + " bytes long (" +
                              std::to_string(at->entry.size) + " in pack " + at->id +
                              "): it is corrupt, refused before it was copied",
                          "repair the store from a clone that has a good copy (git model push)");
    }
    read_pack(at->id, at->entry.offset, size, sink);
}

namespace {

// One coalesced read of a pack: [start, end) and the objects in it (indexes into the reads asked), in
// offset order and never overlapping.
struct Run {
    std::string id;
    uint64_t start = 0;
    uint64_t end = 0;
    std::vector<size_t> members;
};

// Group the reads by pack, by offset, and join neighbours whose hole is at most `gap` into one read of
// at most k_max_read bytes (an object longer than that is a read of its own). Objects that overlap (an
// index no mlci writes) go in reads of their own, so that a run's bytes can be handed out as they come.
std::vector<Run> plan_runs(const std::vector<PackedRead>& reads, uint64_t gap) {
    std::vector<size_t> order(reads.size());
    for (size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const PackedRead& x = reads[a];
        const PackedRead& y = reads[b];
        return std::tie(x.pack, x.entry.offset, x.entry.size) <
               std::tie(y.pack, y.entry.offset, y.entry.size);
    });
    std::vector<Run> runs;
    for (size_t i : order) {
        const PackedRead& r = reads[i];
        uint64_t end = r.entry.offset + r.entry.size;
        Run* cur = runs.empty() ? nullptr : &runs.back();
        bool joins = cur != nullptr && cur->id == r.pack && r.entry.offset >= cur->end &&
                     r.entry.offset - cur->end <= gap && end - cur->start <= k_max_read;
        if (!joins) {
            runs.push_back(Run{r.pack, r.entry.offset, end, {}});
            cur = &runs.back();
        }
        cur->end = end;
        cur->members.push_back(i);
    }
    return runs;
}

// Hands out a run's objects while its bytes stream in: an object within one piece is delivered from the
// piece itself, one that spans pieces is gathered in a buffer of its own size, and the holes between
// objects are skipped. No buffer of the whole run (16 MiB of fresh pages per read, and a copy of every
// byte) is made.
class RunStream {
  public:
    using Deliver = std::function<void(size_t, std::string_view)>;
    RunStream(const Run& run, const std::vector<PackedRead>& reads, const Deliver& deliver)
        : m_run(run), m_reads(reads), m_deliver(deliver), m_pos(run.start) {}

    void feed(const char* p, size_t n) {
        const char* end = p + n;
        while (m_next < m_run.members.size()) {
            const Entry& e = m_reads[m_run.members[m_next]].entry;
            if (m_pos < e.offset) { // a hole between objects
                uint64_t skip = std::min<uint64_t>(static_cast<uint64_t>(end - p), e.offset - m_pos);
                p += skip;
                m_pos += skip;
                if (m_pos < e.offset) {
                    return;
                }
            }
            size_t take = static_cast<size_t>(
                std::min<uint64_t>(static_cast<uint64_t>(end - p), e.size - m_part.size()));
            bool whole = m_part.empty() && take == e.size;
            if (!whole) {
                m_part.reserve(e.size);
                m_part.append(p, take);
            }
            p += take;
            m_pos += take;
            if (!whole && m_part.size() < e.size) {
                return; // the rest comes with the next piece
            }
            m_deliver(m_run.members[m_next],
                      whole ? std::string_view(p - take, take) : std::string_view(m_part));
            m_part.clear();
            ++m_next;
        }
    }
    /// Members not delivered yet (the read ended or failed before their last byte).
    size_t next() const { return m_next; }

  private:
    const Run& m_run;
    const std::vector<PackedRead>& m_reads;
    const Deliver& m_deliver;
    uint64_t m_pos;    // the pack offset of the next byte to come
    size_t m_next = 0; // the member whose bytes come next
    std::string m_part;
};

} // namespace

void PackedStore::read_objects(const std::vector<PackedRead>& reads, int jobs,
                               const std::function<void(size_t, std::string_view)>& deliver,
                               const std::function<void(size_t, const Error&)>& fail) {
    std::vector<Run> runs = plan_runs(reads, m_opt.gap);
    parallel_for_or_throw(runs.size(), jobs, [&](size_t i) {
        const Run& run = runs[i];
        RunStream stream(run, reads, deliver);
        try {
            read_pack(run.id, run.start, run.end - run.start,
                      [&](const char* p, size_t n) { stream.feed(p, n); });
            stream.feed(nullptr, 0); // empty objects at the run's end
            if (stream.next() < run.members.size()) {
                throw input_error("pack " + run.id + " on " + describe() + " gave fewer bytes than the " +
                                  std::to_string(run.end - run.start) + " asked");
            }
        } catch (const Error& e) {
            for (size_t m = stream.next(); m < run.members.size(); ++m) {
                fail(run.members[m], e);
            }
        }
    });
}

std::vector<TransferItem>
PackedStore::get_packed(const std::vector<TransferItem>& items, int jobs,
                        const std::function<void(const TransferItem&, std::string_view bytes)>& deliver,
                        std::vector<ObjectFailure>& failed) {
    if (items.empty()) {
        return {};
    }
    packs();
    std::vector<TransferItem> loose;
    std::vector<PackedRead> reads;
    std::vector<const TransferItem*> whose; // by read
    {
        std::lock_guard<std::mutex> lock(m_state->mu);
        for (const auto& item : items) {
            const Entry* e = nullptr;
            if (const Pack* p = m_state->find(item.hash, &e)) {
                if (e->size > item.size) { // larger than its pointer allows: not read at all
                    failed.push_back({item.hash, over_size(item.hash, item.size, e->size, p->id)});
                    continue;
                }
                reads.push_back({p->id, *e});
                whose.push_back(&item);
            } else {
                loose.push_back(item);
            }
        }
    }
    std::mutex mu;
    auto fail = [&](size_t i, const Error& e) {
        std::lock_guard<std::mutex> lock(mu);
        failed.push_back({whose[i]->hash, e});
    };
    read_objects(
        reads, jobs,
        [&](size_t i, std::string_view bytes) {
            try {
                deliver(*whose[i], bytes);
            } catch (const Error& e) {
                fail(i, e); // that object alone
            }
        },
        fail);
    return loose;
}

// --- Writes.

std::unique_ptr<Writer> PackedStore::new_writer() const {
    std::string dir = m_opt.temp_dir;
    if (dir.empty() && !m_opt.cache_root.empty()) {
        dir = path_join(m_opt.cache_root, "tmp");
    }
    if (dir.empty()) {
        const char* t = std::getenv("TMPDIR");
        dir = t != nullptr && *t != '\0' ? t : "/tmp";
    }
    make_dirs(dir);
    return std::make_unique<Writer>(dir);
}

std::string PackedStore::upload(Writer& w) {
    Index index = w.finish();
    std::string bytes = serialize_index(index);
    std::string id = pack_id(bytes);
    m_backend->put_file(k_pack_dir, pack_name(id), w.path());
    // The index goes up from the cache's copy (kept, so no later listing fetches it), else a temporary.
    std::string from;
    std::optional<std::string> temp;
    if (!m_opt.cache_root.empty()) {
        keep_index(m_opt.cache_root, id, bytes);
        from = path_join(path_join(m_opt.cache_root, k_pack_dir), idx_name(id));
    } else {
        temp = w.path() + ".idx";
        write_file_atomic(*temp, bytes);
        from = *temp;
    }
    try {
        m_backend->put_file(k_pack_dir, idx_name(id), from);
    } catch (...) {
        if (temp) {
            ::unlink(temp->c_str());
        }
        throw;
    }
    if (temp) {
        ::unlink(temp->c_str());
    }
    ::unlink(w.path().c_str());
    w.release();
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::lock_guard<std::mutex> lock(m_state->mu);
    if (m_state->listed) {
        Pack p{id, StoreFile{pack_name(id), index.pack_size, now}, StoreFile{idx_name(id), bytes.size(), now},
               std::move(index)};
        m_state->packs.push_back(std::move(p));
    }
    return id;
}

bool PackedStore::put(const Hash128& h, uint64_t size, const Source& source) {
    if (!m_opt.write_packs || size >= m_opt.threshold) {
        return m_backend->put(h, size, source);
    }
    std::string buf;
    buf.reserve(size);
    bool intact = source([&](const char* p, size_t n) {
        if (buf.size() + n > size) {
            throw io_error("upload of " + h.id() + " to " + describe() + " read more than " +
                           std::to_string(size) + " bytes");
        }
        buf.append(p, n);
    });
    if (!intact) {
        return false;
    }
    if (buf.size() != size) {
        throw io_error("upload of " + h.id() + " to " + describe() + " read " + std::to_string(buf.size()) +
                       " bytes, expected " + std::to_string(size));
    }
    std::unique_ptr<Writer> full;
    {
        std::lock_guard<std::mutex> lock(m_state->write_mu);
        if (!m_state->writer) {
            m_state->writer = new_writer();
        }
        m_state->writer->add(h, buf);
        if (m_state->writer->size() >= m_opt.pack_size) {
            full = std::move(m_state->writer);
        }
    }
    if (full) {
        try {
            upload(*full);
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(m_state->write_mu);
            if (!m_state->upload_error) {
                m_state->upload_error = e;
            }
            throw;
        }
    }
    return true;
}

void PackedStore::flush() {
    std::unique_ptr<Writer> w;
    {
        std::lock_guard<std::mutex> lock(m_state->write_mu);
        w = std::move(m_state->writer);
        if (m_state->upload_error) {
            Error e = *m_state->upload_error;
            m_state->upload_error.reset();
            throw e;
        }
    }
    if (w && w->count() > 0) {
        upload(*w);
    }
    m_backend->flush();
}

// --- Deletes and the rest: the backend's.

void PackedStore::remove(const Hash128& h) {
    m_backend->remove(h);
}

std::vector<ObjectFailure> PackedStore::remove_many(const std::vector<Hash128>& hashes, int jobs) {
    return m_backend->remove_many(hashes, jobs);
}

void PackedStore::set_jobs(int jobs) {
    {
        std::lock_guard<std::mutex> lock(m_state->mu);
        m_state->jobs = std::max(1, jobs);
    }
    m_backend->set_jobs(jobs);
}

std::vector<std::string> PackedStore::orphan_packs(double min_age_seconds, int64_t now) {
    // A pack file whose index was never written: a killed push (or one under way: hence the age). One
    // whose index is there but unreadable is not an orphan: it is never deleted unseen.
    std::vector<StoreFile> stray = stray_files();
    std::set<std::string> index_ids;
    for (const auto& f : stray) {
        if (std::string id = id_of(f.name, ".idx"); !id.empty()) {
            index_ids.insert(id);
        }
    }
    std::vector<std::string> names;
    for (const auto& f : stray) {
        std::string id = id_of(f.name, ".pack");
        if (!id.empty() && !index_ids.count(id) &&
            (min_age_seconds <= 0 || static_cast<double>(now - f.mtime) >= min_age_seconds)) {
            names.push_back(f.name);
        }
    }
    return names;
}

size_t PackedStore::remove_unfinished(double min_age_seconds, bool dry_run) {
    size_t n = m_backend->remove_unfinished(min_age_seconds, dry_run);
    std::vector<std::string> names = orphan_packs(min_age_seconds, static_cast<int64_t>(std::time(nullptr)));
    if (!dry_run && !names.empty()) {
        m_backend->remove_files(k_pack_dir, names);
        reset();
    }
    return n + names.size();
}

void PackedStore::remove_packs(const std::vector<std::string>& ids) {
    std::vector<std::string> idx;
    std::vector<std::string> pk;
    for (const auto& id : ids) {
        idx.push_back(idx_name(id));
        pk.push_back(pack_name(id));
    }
    m_backend->remove_files(k_pack_dir, idx);
    m_backend->remove_files(k_pack_dir, pk);
    reset();
}

uint64_t PackedStore::requests() const {
    return m_backend->requests();
}

std::vector<StoreFile> PackedStore::list_files(const std::string& dir) {
    return m_backend->list_files(dir);
}

void PackedStore::put_file(const std::string& dir, const std::string& name, const std::string& from) {
    m_backend->put_file(dir, name, from);
}

void PackedStore::read_range(const std::string& dir, const std::string& name, uint64_t offset,
                             uint64_t length, const Sink& sink) {
    m_backend->read_range(dir, name, offset, length, sink);
}

void PackedStore::remove_files(const std::string& dir, const std::vector<std::string>& names) {
    m_backend->remove_files(dir, names);
}

} // namespace mlci::artifact::pack
