#include "artifact/statcache.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <charconv>
#include <ctime>

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
    k.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    k.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    return k;
}

StatCache StatCache::load(std::string path) {
    StatCache sc;
    sc.m_path = std::move(path);
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(sc.m_path, 1ull << 30);
    } catch (const Error&) {
        return sc; // an unreadable cache is an empty one: everything is re-hashed
    }
    if (!text || !std::string_view(*text).starts_with(k_header)) {
        return sc;
    }
    std::string_view all(*text);
    all.remove_prefix(k_header.size());
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
    return sc;
}

size_t StatCache::find_slot(const StatKey& k) const {
    size_t mask = m_slots.size() - 1;
    for (size_t i = slot_hash(k) & mask;; i = (i + 1) & mask) {
        if (!m_slots[i].used || m_slots[i].key == k) {
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
    if (want <= m_slots.size()) {
        return;
    }
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(want, Slot{});
    for (const auto& sl : old) {
        if (sl.used) {
            m_slots[find_slot(sl.key)] = sl;
        }
    }
}

StatCache::Entry& StatCache::insert(const StatKey& k) {
    if ((m_count + 1) * 10 > m_slots.size() * 7) {
        grow(m_count + 1);
    }
    size_t i = find_slot(k);
    if (!m_slots[i].used) {
        m_slots[i].used = true;
        m_slots[i].key = k;
        m_slots[i].e = Entry{};
        ++m_count;
    }
    return m_slots[i].e;
}

std::optional<Hash128> StatCache::lookup(const struct stat& st) const {
    StatKey k = StatKey::of(st);
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_slots.empty()) {
        return std::nullopt;
    }
    const Slot& sl = m_slots[find_slot(k)];
    if (!sl.used) {
        return std::nullopt;
    }
    // Racy: recorded within the second of the last change; a later write in that second would keep the key.
    if (sl.e.recorded_s <= static_cast<int64_t>(st.st_mtim.tv_sec) ||
        sl.e.recorded_s <= static_cast<int64_t>(st.st_ctim.tv_sec)) {
        return std::nullopt;
    }
    return sl.e.hash;
}

void StatCache::record(const struct stat& st, const Hash128& h) {
    StatKey k = StatKey::of(st);
    int64_t now = static_cast<int64_t>(::time(nullptr));
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
    if (m_slots.empty()) {
        return;
    }
    size_t mask = m_slots.size() - 1;
    size_t i = find_slot(StatKey::of(st));
    if (!m_slots[i].used) {
        return;
    }
    // Backward-shift deletion: move later members of the probe run into the hole, so that no lookup
    // stops early at it (no tombstones).
    m_slots[i].used = false;
    for (size_t j = (i + 1) & mask; m_slots[j].used; j = (j + 1) & mask) {
        size_t home = slot_hash(m_slots[j].key) & mask;
        // Can slot j's entry move to the hole i? Only when its home is not in the cyclic range (i, j].
        bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            m_slots[i] = m_slots[j];
            m_slots[j].used = false;
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
    std::string out(k_header);
    out.reserve(m_count * 100 + out.size());
    size_t n = 0;
    for (const auto& sl : m_slots) {
        if (!sl.used) {
            continue;
        }
        const StatKey& k = sl.key;
        const Entry& e = sl.e;
        if (++n > k_max_entries) {
            break;
        }
        char buf[160];
        int len =
            std::snprintf(buf, sizeof buf, "%llu %llu %llu %lld %lld %lld ",
                          static_cast<unsigned long long>(k.dev), static_cast<unsigned long long>(k.ino),
                          static_cast<unsigned long long>(k.size), static_cast<long long>(k.mtime_ns),
                          static_cast<long long>(k.ctime_ns), static_cast<long long>(e.recorded_s));
        out.append(buf, static_cast<size_t>(len));
        out += e.hash.id();
        out += '\n';
    }
    make_dirs(dirname_of(m_path));
    write_file_atomic(m_path, out, false);
    m_dirty = false;
}

} // namespace mlci::artifact
