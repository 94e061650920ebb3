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
    sc.m_map.reserve(all.size() / 90 + 1);
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
        sc.m_map[k] = e;
    }
    return sc;
}

std::optional<Hash128> StatCache::lookup(const struct stat& st) const {
    StatKey k = StatKey::of(st);
    std::lock_guard<std::mutex> lock(m_mu);
    auto it = m_map.find(k);
    if (it == m_map.end()) {
        return std::nullopt;
    }
    // Racy: recorded within the second of the last change; a later write in that second would keep the key.
    if (it->second.recorded_s <= static_cast<int64_t>(st.st_mtim.tv_sec) ||
        it->second.recorded_s <= static_cast<int64_t>(st.st_ctim.tv_sec)) {
        return std::nullopt;
    }
    return it->second.hash;
}

void StatCache::record(const struct stat& st, const Hash128& h) {
    StatKey k = StatKey::of(st);
    int64_t now = static_cast<int64_t>(::time(nullptr));
    std::lock_guard<std::mutex> lock(m_mu);
    auto& e = m_map[k];
    if (e.hash == h && e.recorded_s == now) {
        return;
    }
    e.hash = h;
    e.recorded_s = now;
    m_dirty = true;
}

void StatCache::forget(const struct stat& st) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_map.erase(StatKey::of(st)) > 0) {
        m_dirty = true;
    }
}

void StatCache::save() {
    std::lock_guard<std::mutex> lock(m_mu);
    if (!m_dirty || m_path.empty()) {
        return;
    }
    std::string out(k_header);
    out.reserve(m_map.size() * 100 + out.size());
    size_t n = 0;
    for (const auto& [k, e] : m_map) {
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
