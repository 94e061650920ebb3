// The stat cache (statcache.hpp): an open-addressing hash table keyed by StatKey, saved as a header plus
// the raw slots and loaded by a read-only mmap (copied only when written to). The older one-line-per-
// entry text format is still read. A failed save only warns: the next command re-hashes.
#include "artifact/statcache.hpp"

#include "fsutil/file.hpp"
#include "hash/fasthash.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <charconv>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace mlci::artifact {

namespace {

constexpr std::string_view k_header = "mlci-state 1\n";
constexpr size_t k_max_entries = 4'000'000;

template <typename T>
bool next_num(std::string_view& s, T* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec != std::errc() || p == s.data() + s.size() || *p != ' ') {
        return false;
    }
    s.remove_prefix(static_cast<size_t>(p - s.data()) + 1);
    return true;
}

// The table's index: StatKeyHash mixed so that its low bits (the ones a power-of-two mask keeps) depend
// on every bit of the key (murmur3's finalizer).
size_t slot_hash(const StatKey& k) {
    uint64_t x = StatKeyHash()(k) ^ k.size ^ static_cast<uint64_t>(k.ctime_ns);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return static_cast<size_t>(x);
}

} // namespace

StatKey StatKey::of(const struct stat& st) {
    StatKey k;
    k.dev = st.st_dev;
    k.ino = st.st_ino;
    k.size = static_cast<uint64_t>(st.st_size);
    // In unsigned arithmetic (wrapping, never undefined) for times past 2262; the key only compares.
    k.mtime_ns = static_cast<int64_t>(static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u +
                                      static_cast<uint64_t>(st.st_mtim.tv_nsec));
    k.ctime_ns = static_cast<int64_t>(static_cast<uint64_t>(st.st_ctim.tv_sec) * 1'000'000'000u +
                                      static_cast<uint64_t>(st.st_ctim.tv_nsec));
    return k;
}

StatCache::Mapping& StatCache::Mapping::operator=(Mapping&& o) noexcept {
    if (this != &o) {
        if (p != nullptr) {
            ::munmap(p, len);
        }
        p = o.p;
        len = o.len;
        o.p = nullptr;
        o.len = 0;
    }
    return *this;
}

StatCache::Mapping::~Mapping() {
    if (p != nullptr) {
        ::munmap(p, len);
    }
}

StatCache::StatCache(StatCache&& o) noexcept
    : m_path(std::move(o.m_path)), m_slots(o.m_slots), m_nslots(o.m_nslots), m_owned(std::move(o.m_owned)),
      m_map(std::move(o.m_map)), m_writable(o.m_writable), m_count(o.m_count), m_dirty(o.m_dirty) {
    o.m_slots = nullptr;
    o.m_nslots = 0;
    o.m_count = 0;
}

namespace {

// Format 2: this header, then the table's slots as they are in memory.
struct TableHeader {
    char magic[16];      // k_header_2, zero-padded
    uint32_t slot_size;  // sizeof(Slot): another layout (or build) is not read
    uint32_t byte_order; // k_byte_order as written by this machine
    uint64_t nslots;     // a power of two
    uint64_t count;      // slots in use
    uint64_t reserved = 0;
    Hash128 checksum; // XXH3-128 of the slots' bytes
};
static_assert(sizeof(TableHeader) == 64);
constexpr std::string_view k_header_2 = "mlci-state 2\n";
constexpr uint32_t k_byte_order = 0x01020304;
constexpr uint64_t k_max_slots = uint64_t{1} << 23;

} // namespace

bool StatCache::load_table(StatCache& sc, int fd, uint64_t file_size) {
    TableHeader h{};
    if (file_size < sizeof h || ::pread(fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) ||
        std::string_view(h.magic, k_header_2.size()) != k_header_2 || h.slot_size != sizeof(Slot) ||
        h.byte_order != k_byte_order || h.nslots < 64 || h.nslots > k_max_slots ||
        (h.nslots & (h.nslots - 1)) != 0 || h.count > h.nslots * 7 / 10 ||
        file_size != sizeof h + h.nslots * sizeof(Slot)) {
        return false;
    }
    // Read-only and populated in one call: the pages are the page cache's own (nothing copied); a
    // writable private mapping would be populated by copying every page.
    void* p = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) {
        return false;
    }
    Mapping map(p, file_size);
    auto* slots = reinterpret_cast<Slot*>(static_cast<char*>(p) + sizeof h);
    std::string_view bytes(reinterpret_cast<const char*>(slots), h.nslots * sizeof(Slot));
    if (!(fast_xxh128(bytes) == h.checksum)) {
        return false; // damaged: an empty cache (everything re-hashed) rather than a wrong hash
    }
    size_t used = 0;
    for (size_t i = 0; i < h.nslots; ++i) {
        if (slots[i].used > 1) {
            return false;
        }
        used += slots[i].used;
    }
    if (used != h.count) {
        return false;
    }
    sc.m_map = std::move(map);
    sc.m_slots = slots;
    sc.m_nslots = h.nslots;
    sc.m_count = used;
    sc.m_writable = false;
    return true;
}

void StatCache::load_text(StatCache& sc, std::string_view all) {
    sc.grow(all.size() / 100 + 16); // a line is about 105 bytes
    while (!all.empty()) {
        size_t nl = all.find('\n');
        if (nl == std::string_view::npos) {
            break;
        }
        std::string_view line = all.substr(0, nl);
        all.remove_prefix(nl + 1);
        StatKey k;
        Entry e;
        if (!next_num(line, &k.dev) || !next_num(line, &k.ino) || !next_num(line, &k.size) ||
            !next_num(line, &k.mtime_ns) || !next_num(line, &k.ctime_ns) || !next_num(line, &e.recorded_s)) {
            continue;
        }
        if (!parse_hash_id(line, &e.hash)) {
            continue;
        }
        if (sc.m_count >= k_max_entries) {
            break;
        }
        sc.insert(k) = e;
    }
}

StatCache StatCache::load(std::string path) {
    StatCache sc;
    sc.m_path = std::move(path);
    sc.m_loaded_s = static_cast<int64_t>(::time(nullptr));
    // O_NONBLOCK: a FIFO put in its place must not hang the command (it is then not a regular file).
    Fd fd(::open(sc.m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return sc; // absent or unreadable: an empty cache, everything is re-hashed
    }
    if (load_table(sc, fd.get(), static_cast<uint64_t>(st.st_size))) {
        return sc;
    }
    // Format 1 (text, one entry a line), as older versions wrote it.
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(sc.m_path, 1ull << 30);
    } catch (const Error&) {
        return sc;
    }
    if (text && std::string_view(*text).starts_with(k_header)) {
        load_text(sc, std::string_view(*text).substr(k_header.size()));
    }
    return sc;
}

size_t StatCache::find_slot(const StatKey& k) const {
    size_t mask = m_nslots - 1;
    for (size_t i = slot_hash(k) & mask;; i = (i + 1) & mask) {
        if (m_slots[i].used == 0 || m_slots[i].key == k) {
            return i;
        }
    }
}

void StatCache::grow(size_t min_entries) {
    // At most 70% full: probes stay short, and 20,000 entries fit in 32,768 slots (2.3 MB).
    size_t want = 64;
    while (want * 7 < min_entries * 10) {
        want *= 2;
    }
    if (want <= m_nslots) {
        return;
    }
    std::vector<Slot> table(want, Slot{});
    const Slot* old = m_slots;
    size_t old_n = m_nslots;
    m_slots = table.data();
    m_nslots = want;
    for (size_t i = 0; i < old_n; ++i) {
        if (old[i].used != 0) {
            m_slots[find_slot(old[i].key)] = old[i];
        }
    }
    m_owned = std::move(table); // the buffer moves with the vector: m_slots stays valid
    m_map = Mapping();
    m_writable = true;
}

void StatCache::make_writable() {
    if (m_writable) {
        return;
    }
    // Copy-on-write from here: only the pages written to are copied.
    if (::mprotect(m_map.p, m_map.len, PROT_READ | PROT_WRITE) != 0) {
        std::vector<Slot> table(m_slots, m_slots + m_nslots);
        m_slots = table.data();
        m_owned = std::move(table);
        m_map = Mapping();
    }
    m_writable = true;
}

StatCache::Entry& StatCache::insert(const StatKey& k) {
    if ((m_count + 1) * 10 > m_nslots * 7) {
        grow(m_count + 1);
    }
    make_writable();
    size_t i = find_slot(k);
    if (m_slots[i].used == 0) {
        m_slots[i].used = 1;
        m_slots[i].key = k;
        m_slots[i].e = Entry{};
        ++m_count;
    }
    return m_slots[i].e;
}

std::optional<Hash128> StatCache::lookup(const struct stat& st) const {
    return lookup(StatKey::of(st));
}

namespace {
// The whole seconds of a time in nanoseconds (tv_sec of the timespec it came from: floor, also below 0).
int64_t seconds_of(int64_t ns) {
    int64_t s = ns / 1'000'000'000;
    return (ns % 1'000'000'000 < 0) ? s - 1 : s;
}
} // namespace

std::optional<Hash128> StatCache::lookup(const StatKey& k) const {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_nslots == 0) {
        return std::nullopt;
    }
    const Slot& sl = m_slots[find_slot(k)];
    if (sl.used == 0) {
        return std::nullopt;
    }
    // Racy: recorded within the second of the last change; a later write in that second would keep the key.
    if (sl.e.recorded_s <= seconds_of(k.mtime_ns) || sl.e.recorded_s <= seconds_of(k.ctime_ns)) {
        return std::nullopt;
    }
    return sl.e.hash;
}

void StatCache::record(const struct stat& st, const Hash128& h) {
    StatKey k = StatKey::of(st);
    int64_t now = m_loaded_s != 0 ? m_loaded_s : static_cast<int64_t>(::time(nullptr));
    std::lock_guard<std::mutex> lock(m_mu);
    auto& e = insert(k);
    if (e.hash == h && e.recorded_s == now) {
        return;
    }
    e.hash = h;
    e.recorded_s = now;
    m_dirty = true;
}

void StatCache::forget(const struct stat& st) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_nslots == 0) {
        return;
    }
    size_t mask = m_nslots - 1;
    size_t i = find_slot(StatKey::of(st));
    if (m_slots[i].used == 0) {
        return;
    }
    make_writable();
    // Backward-shift deletion: move later members of the probe run into the hole, so that no lookup
    // stops early at it (no tombstones).
    m_slots[i].used = 0;
    for (size_t j = (i + 1) & mask; m_slots[j].used != 0; j = (j + 1) & mask) {
        size_t home = slot_hash(m_slots[j].key) & mask;
        // Can slot j's entry move to the hole i? Only when its home is not in the cyclic range (i, j].
        bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            m_slots[i] = m_slots[j];
            m_slots[j].used = 0;
            i = j;
        }
    }
    --m_count;
    m_dirty = true;
}

void StatCache::save() {
    std::lock_guard<std::mutex> lock(m_mu);
    if (!m_dirty || m_path.empty()) {
        return;
    }
    if (m_nslots == 0) {
        grow(1);
    }
    TableHeader h{};
    std::memcpy(h.magic, k_header_2.data(), k_header_2.size());
    h.slot_size = sizeof(Slot);
    h.byte_order = k_byte_order;
    h.nslots = m_nslots;
    h.count = m_count;
    std::string_view bytes(reinterpret_cast<const char*>(m_slots), m_nslots * sizeof(Slot));
    h.checksum = fast_xxh128(bytes);
    try {
        make_dirs(dirname_of(m_path));
        AtomicFile out(m_path, 0666);
        out.write(std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
        out.write(bytes);
        out.commit(false);
    } catch (const Error& e) {
        // Only a cache: the command did its work; the next one re-hashes what it would have skipped.
        warn(std::string("cannot save the stat cache: ") + e.what() + " (unchanged files will be re-hashed)");
    }
    m_dirty = false;
}

} // namespace mlci::artifact
