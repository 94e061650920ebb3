// The pack and index format (format.hpp): serialization, a parser that trusts nothing it reads, and the
// Writer that builds a pack in a local temporary while hashing it.
#include "artifact/pack/format.hpp"

#include "artifact/cache.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace mlci::artifact::pack {

namespace {

constexpr char k_pack_magic[] = "MLCIPACK";
constexpr char k_index_magic[] = "MLCIPIDX";
constexpr uint32_t k_version = 1;

void put_u32(std::string& out, uint32_t v) {
    for (int i = 3; i >= 0; --i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

void put_u64(std::string& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

uint64_t get_u64(const char* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    }
    return v;
}

uint32_t get_u32(const char* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    }
    return v;
}

void put_hash(std::string& out, const Hash128& h) {
    put_u64(out, h.high);
    put_u64(out, h.low);
}

Hash128 get_hash(const char* p) {
    return Hash128{get_u64(p), get_u64(p + 8)};
}

// The 16-byte header of both files: magic, version, 4 zero bytes.
std::string header(const char* magic) {
    std::string out(magic, 8);
    put_u32(out, k_version);
    put_u32(out, 0);
    return out;
}

// Entries must lie inside [16, pack_size), and non-empty ones must not overlap.
void check_layout(const Index& index, const std::string& what) {
    std::vector<const Entry*> by_offset;
    by_offset.reserve(index.entries.size());
    for (const auto& e : index.entries) {
        if (e.offset < k_pack_header || e.offset > index.pack_size || e.size > index.pack_size - e.offset) {
            throw input_error(what + ": object " + e.hash.id() + " lies outside its pack (offset " +
                              std::to_string(e.offset) + ", size " + std::to_string(e.size) + ", pack " +
                              std::to_string(index.pack_size) + " bytes)");
        }
        if (e.size > 0) { // an empty object takes no bytes: the Writer puts it where the next begins
            by_offset.push_back(&e);
        }
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [](const Entry* a, const Entry* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const Entry& prev = *by_offset[i - 1];
        if (by_offset[i]->offset < prev.offset + prev.size) {
            throw input_error(what + ": objects " + prev.hash.id() + " and " + by_offset[i]->hash.id() +
                              " overlap in the pack");
        }
    }
}

} // namespace

const Entry* Index::find(const Hash128& h) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), h,
                               [](const Entry& e, const Hash128& x) { return hash_less(e.hash, x); });
    return it != entries.end() && it->hash == h ? &*it : nullptr;
}

std::string serialize_index(const Index& index) {
    std::string out = header(k_index_magic);
    out.reserve(k_index_header + index.entries.size() * k_index_entry);
    put_u64(out, index.entries.size());
    put_u64(out, index.pack_size);
    put_hash(out, index.pack_checksum);
    for (const auto& e : index.entries) {
        put_hash(out, e.hash);
        put_u64(out, e.offset);
        put_u64(out, e.size);
    }
    return out;
}

Index parse_index(std::string_view bytes, const std::string& what) {
    if (bytes.size() < k_index_header || bytes.substr(0, 8) != std::string_view(k_index_magic, 8)) {
        throw input_error(what + " is not a pack index (no MLCIPIDX header)");
    }
    if (uint32_t v = get_u32(bytes.data() + 8); v != k_version) {
        throw input_error(what + " has pack index version " + std::to_string(v) + " (this mlci reads 1)",
                          "upgrade mlci to read this store's packs");
    }
    if (get_u32(bytes.data() + 12) != 0) {
        throw input_error(what + ": reserved header bytes are not zero");
    }
    uint64_t count = get_u64(bytes.data() + 16);
    // The count is checked against the length before anything is allocated from it.
    if ((bytes.size() - k_index_header) % k_index_entry != 0 ||
        count != (bytes.size() - k_index_header) / k_index_entry) {
        throw input_error(what + ": its count (" + std::to_string(count) + " objects) does not match its " +
                          std::to_string(bytes.size()) + " bytes");
    }
    Index index;
    index.pack_size = get_u64(bytes.data() + 24);
    index.pack_checksum = get_hash(bytes.data() + 32);
    if (index.pack_size < k_pack_header) {
        throw input_error(what + ": pack size " + std::to_string(index.pack_size) + " is below its header");
    }
    index.entries.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
        const char* p = bytes.data() + k_index_header + i * k_index_entry;
        Entry& e = index.entries[i];
        e.hash = get_hash(p);
        e.offset = get_u64(p + 16);
        e.size = get_u64(p + 24);
        if (i > 0 && !hash_less(index.entries[i - 1].hash, e.hash)) {
            throw input_error(what + ": objects are not sorted by hash without repeat (at " + e.hash.id() +
                              ")");
        }
    }
    check_layout(index, what);
    return index;
}

std::string pack_id(std::string_view index_bytes) {
    return xxh128(index_bytes).hex();
}

bool is_pack_id(std::string_view s) {
    return s.size() == 32 && is_lower_hex(s);
}

struct Writer::Impl {
    std::string path;
    Fd fd;
    Xxh128 hasher;
    uint64_t size = 0;
    std::vector<Entry> entries;
    HashSet seen;
    bool finished = false;

    void write(std::string_view bytes) {
        write_all(fd.get(), bytes.data(), bytes.size(), path);
        hasher.update(bytes);
        size += bytes.size();
    }
};

Writer::Writer(const std::string& dir) : m(std::make_unique<Impl>()) {
    std::string tmpl = path_join(dir, "pack.mlci-tmp.XXXXXX");
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
        throw io_error("cannot create a pack in " + quoted(dir) + ": " + errno_text(errno));
    }
    m->fd = Fd(fd);
    m->path = tmpl;
    m->write(header(k_pack_magic));
}

Writer::~Writer() {
    if (!m->path.empty()) {
        ::unlink(m->path.c_str());
    }
}

void Writer::add(const Hash128& h, std::string_view bytes) {
    if (m->finished) {
        throw std::logic_error("pack::Writer::add after finish");
    }
    if (!m->seen.insert(h).second) {
        return;
    }
    uint64_t offset = m->size;
    m->write(bytes);
    m->entries.push_back(Entry{h, offset, bytes.size()});
}

uint64_t Writer::size() const {
    return m->size;
}

size_t Writer::count() const {
    return m->entries.size();
}

Index Writer::finish() {
    if (!m->finished) {
        if (::fsync(m->fd.get()) != 0) {
            throw io_error("cannot write " + quoted(m->path) + ": " + errno_text(errno));
        }
        m->fd.close();
        m->finished = true;
    }
    Index index;
    index.pack_size = m->size;
    index.pack_checksum = m->hasher.digest();
    index.entries = m->entries;
    std::sort(index.entries.begin(), index.entries.end(),
              [](const Entry& a, const Entry& b) { return hash_less(a.hash, b.hash); });
    return index;
}

const std::string& Writer::path() const {
    return m->path;
}

void Writer::release() {
    m->path.clear();
}

} // namespace mlci::artifact::pack
