// verify, gc and repack of a packed store (maint.hpp). Implementation details:
// - verify streams each pack from its first byte to its last in reads of k_verify_range, hashing the
//   whole file and, with one cursor over the entries sorted by offset, each object (objects never
//   overlap: parse_index checks), so memory stays flat whatever the pack's size.
// - gc first decides, from the indexes alone, which packs stay, go or are rewritten; objects a staying
//   pack holds are not copied again, so a gc killed after its upload (old pack still there) converges.
// - New packs are written through one PackOut; nothing they replace is deleted before reset() and a new
//   listing show every one of their indexes.
#include "artifact/pack/maint.hpp"

#include "util/error.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace mlci::artifact::pack {

namespace {

constexpr uint64_t k_verify_range = 64ull << 20; // one read of a pack while verifying
constexpr uint64_t k_repack_batch = 64ull << 20; // loose objects read in memory at once by repack

int64_t now_or(int64_t now) {
    return now != 0 ? now : static_cast<int64_t>(std::time(nullptr));
}

} // namespace

int64_t parse_grace(const std::string& text) {
    auto bad = [&]() {
        return usage_error("invalid --grace " + quoted(text) +
                               ": expected 0 or a whole number with s, m, h or d",
                           "git model gc --remote --grace 2h --force");
    };
    if (text == "0") {
        return 0;
    }
    if (text.size() < 2 || text.size() > 12) {
        throw bad();
    }
    int64_t n = 0;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') {
            throw bad();
        }
        n = n * 10 + (text[i] - '0');
    }
    switch (text.back()) {
    case 's':
        return n;
    case 'm':
        return n * 60;
    case 'h':
        return n * 3600;
    case 'd':
        return n * 86400;
    default:
        throw bad();
    }
}

// --- verify

namespace {

// Stream pack p once and check it; findings go to `out` under `mu`.
void verify_one(PackedStore& store, const Pack& p, PackCheck& out, std::mutex& mu) {
    const std::string where = "pack " + p.id + " on " + store.describe();
    auto bad = [&](const std::string& why) {
        std::lock_guard<std::mutex> lock(mu);
        out.bad.push_back({p.id, why});
    };
    if (p.pack_file.size == 0 && p.pack_file.mtime == 0) {
        bad("pack index " + p.index_file.name + " on " + store.describe() + " lists " +
            std::to_string(p.index.entries.size()) + " objects, but its pack file is missing");
        return;
    }
    uint64_t length = std::min(p.pack_file.size, p.index.pack_size);
    if (p.pack_file.size != p.index.pack_size) {
        bad(where + " is " + std::to_string(p.pack_file.size) + " bytes, its index says " +
            std::to_string(p.index.pack_size));
    }
    std::vector<Entry> entries = p.index.entries;
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
    Xxh128 whole;
    Xxh128 object;
    size_t cur = 0; // the entry being hashed
    uint64_t pos = 0;
    std::vector<CorruptPacked> corrupt;
    auto feed = [&](const char* data, size_t n) {
        whole.update(data, n);
        uint64_t end = pos + n;
        while (cur < entries.size() && entries[cur].offset < end) {
            const Entry& e = entries[cur];
            uint64_t from = std::max(e.offset, pos);
            uint64_t to = std::min(e.offset + e.size, end);
            if (to > from) {
                object.update(data + (from - pos), to - from);
            }
            if (e.offset + e.size > end) {
                break; // continues in the next chunk
            }
            if (!(object.digest() == e.hash)) {
                corrupt.push_back({p.id, e.hash, e.size});
            }
            object.reset();
            ++cur;
        }
        pos = end;
    };
    try {
        for (uint64_t off = 0; off < length; off += k_verify_range) {
            store.read_pack(p.id, off, std::min(k_verify_range, length - off), feed);
        }
    } catch (const Error& e) {
        bad(where + " cannot be read: " + e.what());
        return;
    }
    for (; cur < entries.size(); ++cur) { // beyond the end of a short pack file
        corrupt.push_back({p.id, entries[cur].hash, entries[cur].size});
    }
    std::lock_guard<std::mutex> lock(mu);
    ++out.packs;
    out.objects += entries.size();
    out.bytes += pos;
    if (length == p.index.pack_size && !(whole.digest() == p.index.pack_checksum)) {
        out.bad.push_back({p.id, where + " does not match the checksum its index holds: it is corrupt"});
    }
    out.corrupt.insert(out.corrupt.end(), corrupt.begin(), corrupt.end());
}

} // namespace

PackCheck verify_packs(PackedStore& store, int jobs) {
    PackCheck out;
    const std::vector<Pack> packs = store.packs();
    std::mutex mu;
    parallel_for(packs.size(), jobs, [&](size_t i) { verify_one(store, packs[i], out, mu); });
    for (const auto& f : store.stray_files()) {
        std::string id = f.name.size() == 36 && f.name.ends_with(".idx") ? f.name.substr(0, 32) : "";
        if (is_pack_id(id)) {
            out.bad.push_back({id, "pack index " + f.name + " on " + store.describe() +
                                       " is corrupt (it does not match its name or cannot be read): the "
                                       "objects of its pack cannot be found"});
        }
    }
    std::sort(out.bad.begin(), out.bad.end(), [](const BadPack& a, const BadPack& b) { return a.id < b.id; });
    std::sort(out.corrupt.begin(), out.corrupt.end(),
              [](const CorruptPacked& a, const CorruptPacked& b) { return a.hash.hex() < b.hash.hex(); });
    return out;
}

// --- Writing new packs.

namespace {

// New packs for gc and repack: objects added in any order, a pack uploaded when it reaches pack_size.
class PackOut {
  public:
    explicit PackOut(PackedStore& store) : m_store(store) {}
    void add(const Hash128& h, std::string_view bytes) {
        if (!m_writer) {
            m_writer = m_store.new_writer();
        }
        m_writer->add(h, bytes);
        if (m_writer->size() >= m_store.options().pack_size) {
            finish();
        }
    }
    /// Upload the pack under way; returns the ids of every pack uploaded.
    const std::vector<std::string>& finish() {
        if (m_writer && m_writer->count() > 0) {
            m_written.push_back(m_store.upload(*m_writer));
        }
        m_writer.reset();
        return m_written;
    }
    /// Throw io_error unless a fresh listing of the store shows every pack uploaded.
    void confirm_visible() {
        if (m_written.empty()) {
            return;
        }
        m_store.reset();
        std::set<std::string> seen;
        for (const auto& p : m_store.packs()) {
            seen.insert(p.id);
        }
        for (const auto& id : m_written) {
            if (!seen.count(id)) {
                throw io_error("pack " + id + " was uploaded to " + m_store.describe() +
                                   " but its index is not listed there: nothing it replaces was deleted",
                               "run the command again later");
            }
        }
    }

  private:
    PackedStore& m_store;
    std::unique_ptr<Writer> m_writer;
    std::vector<std::string> m_written;
};

} // namespace

// --- gc

namespace {

struct Plan {
    std::vector<const Pack*> drop;    // no live object
    std::vector<const Pack*> rewrite; // live share below the threshold
    HashSet staying;                  // objects of the packs that stay
};

PackAction action_of(const Pack& p, const HashSet& live) {
    PackAction a{p.id, p.index.entries.size(), 0, p.pack_file.size};
    for (const auto& e : p.index.entries) {
        a.live += live.count(e.hash);
    }
    return a;
}

Plan plan_gc(const std::vector<Pack>& packs, const HashSet& live, const PackGcOptions& opt,
             PackGcReport& rep) {
    Plan plan;
    int64_t now = now_or(opt.now);
    for (const auto& p : packs) {
        int64_t newest = std::max(p.pack_file.mtime, p.index_file.mtime);
        uint64_t live_bytes = 0, all_bytes = 0;
        bool any_live = false;
        for (const auto& e : p.index.entries) {
            all_bytes += e.size;
            if (live.count(e.hash)) {
                live_bytes += e.size;
                any_live = true;
            }
        }
        // No grace (0) spares nothing, not even a pack whose time lies ahead of this clock: S3 servers
        // round Last-Modified up to the second (Swift does), and servers' clocks differ from ours.
        if (opt.grace > 0 && now - newest < opt.grace) {
            ++rep.young;
        } else if (!any_live) {
            plan.drop.push_back(&p);
            continue;
        } else if (static_cast<double>(live_bytes) < opt.repack_below * static_cast<double>(all_bytes)) {
            plan.rewrite.push_back(&p);
            continue;
        }
        for (const auto& e : p.index.entries) {
            plan.staying.insert(e.hash);
        }
    }
    return plan;
}

void count_freed(const Pack& p, const HashSet& live, PackGcReport& rep) {
    for (const auto& e : p.index.entries) {
        if (!live.count(e.hash)) {
            rep.removed.emplace_back(e.hash, e.size);
            rep.freed += e.size;
        }
    }
}

// Copy the live objects of plan.rewrite that no staying pack holds into new packs; returns the packs
// that may go (every live object copied or held elsewhere).
std::vector<const Pack*> rewrite_packs(PackedStore& store, const Plan& plan, const HashSet& live, int jobs,
                                       PackOut& out, PackGcReport& rep) {
    std::vector<const Pack*> done;
    HashSet copied = plan.staying;
    std::mutex mu;
    for (const Pack* p : plan.rewrite) {
        std::vector<PackedRead> reads;
        for (const auto& e : p->index.entries) {
            if (live.count(e.hash) && !copied.count(e.hash)) {
                reads.push_back({p->id, e});
            }
        }
        bool intact = true;
        store.read_objects(
            reads, jobs,
            [&](size_t i, std::string_view bytes) {
                const Entry& e = reads[i].entry;
                bool ok = xxh128(bytes) == e.hash;
                std::lock_guard<std::mutex> lock(mu);
                if (!ok) {
                    intact = false;
                    rep.problems.push_back({ErrorKind::input,
                                            "object " + e.hash.id() + " in pack " + p->id + " on " +
                                                store.describe() + " is corrupt: not copied, pack " + p->id +
                                                " kept",
                                            "push a good copy from a clone that has it (git model push)"});
                    return;
                }
                out.add(e.hash, bytes);
                copied.insert(e.hash);
            },
            [&](size_t i, const Error& err) {
                const Entry& e = reads[i].entry;
                std::lock_guard<std::mutex> lock(mu);
                intact = false;
                rep.problems.push_back({err.kind(),
                                        "cannot read object " + e.hash.id() + " of pack " + p->id + ": " +
                                            err.what() + "; pack kept",
                                        err.hint()});
            });
        if (intact) {
            done.push_back(p);
        }
    }
    return done;
}

} // namespace

PackGcReport gc_packs(PackedStore& store, const HashSet& live, const PackGcOptions& opt) {
    PackGcReport rep;
    const std::vector<Pack> packs = store.packs(); // a copy: rewriting resets the store's listing
    Plan plan = plan_gc(packs, live, opt, rep);
    // Pack files without an index: a killed push, or one under way elsewhere (hence the grace period).
    std::vector<std::string> stray = store.orphan_packs(static_cast<double>(opt.grace), now_or(opt.now));
    rep.stray = stray.size();
    std::vector<const Pack*> gone = plan.drop;
    if (opt.dry_run) {
        gone.insert(gone.end(), plan.rewrite.begin(), plan.rewrite.end());
    } else {
        PackOut out(store);
        std::vector<const Pack*> done = rewrite_packs(store, plan, live, opt.jobs, out, rep);
        rep.written = out.finish();
        out.confirm_visible();
        gone.insert(gone.end(), done.begin(), done.end());
    }
    std::vector<std::string> ids;
    for (const Pack* p : gone) {
        bool rewritten = std::find(plan.rewrite.begin(), plan.rewrite.end(), p) != plan.rewrite.end();
        (rewritten ? rep.rewritten : rep.deleted).push_back(action_of(*p, live));
        count_freed(*p, live, rep);
        ids.push_back(p->id);
    }
    if (!opt.dry_run) {
        if (!ids.empty()) {
            store.remove_packs(ids);
        }
        if (!stray.empty()) {
            store.backend().remove_files(k_pack_dir, stray);
            store.reset();
        }
    }
    std::sort(rep.removed.begin(), rep.removed.end(),
              [](const auto& a, const auto& b) { return a.first.hex() < b.first.hex(); });
    return rep;
}

// --- repack

namespace {

// Read a batch of loose objects (each under the threshold) on `jobs` threads and verify them; the good
// ones go into `out` in the batch's order, the corrupt ones to problems.
void pack_batch(PackedStore& store, const std::vector<std::pair<Hash128, uint64_t>>& batch, int jobs,
                PackOut& out, RepackReport& rep, std::vector<Hash128>& moved) {
    std::vector<std::string> bytes(batch.size());
    std::vector<std::optional<Problem>> bad(batch.size());
    uint64_t limit = store.options().threshold;
    parallel_for(batch.size(), jobs, [&](size_t i) {
        const Hash128& h = batch[i].first;
        try {
            store.backend().get(h, limit, [&](const char* p, size_t n) { bytes[i].append(p, n); });
            if (!(xxh128(bytes[i]) == h)) {
                bad[i] =
                    Problem{ErrorKind::input,
                            "object " + h.id() + " on " + store.describe() +
                                " is corrupt (its bytes do not match its name): left as it is, not packed",
                            "push a good copy from a clone that has it (git model push)"};
            }
        } catch (const Error& e) {
            bad[i] = Problem{e.kind(), std::string(e.what()) + ": left as it is, not packed", e.hint()};
        }
    });
    for (size_t i = 0; i < batch.size(); ++i) {
        if (bad[i]) {
            rep.problems.push_back(*bad[i]);
            continue;
        }
        out.add(batch[i].first, bytes[i]);
        std::string().swap(bytes[i]);
        moved.push_back(batch[i].first);
        rep.packed.push_back(batch[i]);
        rep.bytes += batch[i].second;
    }
}

} // namespace

RepackReport repack(PackedStore& store, bool dry_run, int jobs) {
    if (!store.options().write_packs) {
        throw usage_error(store.describe() +
                              " is configured with pack = false: repack would put its objects in "
                              "packs that it is meant not to have",
                          "set pack = true (or remove the key) in its [remote.NAME] of .mlci/config.toml");
    }
    RepackReport rep;
    std::vector<std::pair<Hash128, uint64_t>> small;
    for (const auto& o : store.backend().objects()) {
        if (o.second < store.options().threshold) {
            small.push_back(o);
        }
    }
    std::sort(small.begin(), small.end(),
              [](const auto& a, const auto& b) { return a.first.hex() < b.first.hex(); });
    rep.loose_small = small.size();
    if (dry_run) {
        for (const auto& o : small) {
            rep.bytes += o.second;
        }
        rep.packed = std::move(small);
        return rep;
    }
    PackOut out(store);
    std::vector<Hash128> moved;
    for (size_t i = 0; i < small.size();) {
        std::vector<std::pair<Hash128, uint64_t>> batch;
        uint64_t bytes = 0;
        for (; i < small.size() && (batch.empty() || bytes + small[i].second <= k_repack_batch); ++i) {
            batch.push_back(small[i]);
            bytes += small[i].second;
        }
        pack_batch(store, batch, jobs, out, rep, moved);
    }
    rep.written = out.finish();
    out.confirm_visible();
    std::vector<ObjectFailure> failed = store.remove_many(moved, jobs);
    for (const auto& f : failed) {
        rep.problems.push_back({f.error.kind(), f.error.what(), f.error.hint()});
    }
    rep.removed = moved.size() - failed.size();
    return rep;
}

} // namespace mlci::artifact::pack
