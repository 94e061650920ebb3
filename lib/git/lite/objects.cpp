// The read-only git reader of the hooks' fast path (objects.hpp): loose and packed objects (inflate,
// offset and ref deltas), refs, the index (versions 2 to 4), tree diffs and staged changes. Whatever it
// does not fully understand answers nullopt, and the caller asks git instead.
#include "git/lite/objects.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace mlci::git::lite {

namespace {

[[noreturn]] void unsupported(std::string why) {
    throw Unsupported{std::move(why)};
}

uint32_t be32(const unsigned char* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// Git's canonical modes: any regular file is 0644 or 0755 (very old trees hold 0664 and the like).
unsigned canonical_mode(unsigned mode) {
    switch (mode & 0170000) {
    case 0100000:
        return (mode & 0111) ? 0100755 : 0100644;
    case 040000:
        return 040000;
    case 0120000:
        return 0120000;
    case 0160000:
        return 0160000;
    default:
        return 0;
    }
}

std::optional<std::string> slurp(const std::string& path, uint64_t limit) {
    try {
        return read_file_if_exists(path, limit);
    } catch (const Error&) {
        unsupported("cannot read " + path);
    }
}

// Inflates a zlib stream from `in` into exactly `size` bytes (or, when size is unknown, until its end);
// returns the bytes and sets *used to the compressed bytes consumed. With `prefix_only`, stops after
// the first `size` bytes (at most) without checking the rest: enough to read a loose object's header.
// A size from a header is not trusted with memory before the data proves it: the buffer grows as the
// stream fills it, and no stream yields more than zlib's best ratio (about 1032:1) allows.
std::string inflate_bytes(const unsigned char* in, size_t in_len, std::optional<uint64_t> size, size_t* used,
                          bool prefix_only = false) {
    constexpr uint64_t k_max_ratio = 1032;
    const uint64_t ceiling = uint64_t(in_len) * k_max_ratio + 64;
    if (size && *size > ceiling && !prefix_only) {
        unsupported("object larger than its compressed bytes can hold");
    }
    const uint64_t limit = size ? *size : ceiling;
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) {
        unsupported("zlib cannot start");
    }
    std::string out;
    out.resize(static_cast<size_t>(std::min<uint64_t>(limit, std::max<size_t>(in_len * 2, size_t(1) << 16))));
    zs.next_in = const_cast<unsigned char*>(in);
    zs.avail_in = static_cast<uInt>(std::min<size_t>(in_len, UINT32_MAX));
    size_t produced = 0;
    int rc = Z_OK;
    while (true) {
        if (produced == out.size()) {
            if (produced == limit) {
                if (prefix_only) {
                    break;
                }
                if (!size) {
                    inflateEnd(&zs);
                    unsupported("compressed data expands beyond any real object");
                }
                // All expected bytes are out: the stream must end here (a zero-length read finishes it).
                unsigned char extra;
                zs.next_out = &extra;
                zs.avail_out = 1;
                rc = inflate(&zs, Z_FINISH);
                if (rc != Z_STREAM_END || zs.avail_out != 1) {
                    inflateEnd(&zs);
                    unsupported("object larger than its header says");
                }
                break;
            }
            out.resize(static_cast<size_t>(std::min<uint64_t>(limit, uint64_t(out.size()) * 2)));
        }
        zs.next_out = reinterpret_cast<unsigned char*>(out.data()) + produced;
        zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, UINT32_MAX));
        size_t before = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        produced += before - zs.avail_out;
        if (rc == Z_STREAM_END) {
            break;
        }
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) {
            inflateEnd(&zs);
            unsupported("corrupt compressed data");
        }
    }
    if (used != nullptr) {
        *used = zs.total_in;
    }
    inflateEnd(&zs);
    if (size && produced != *size && !prefix_only) {
        unsupported("object shorter than its header says");
    }
    out.resize(produced);
    return out;
}

} // namespace

std::string apply_delta(std::string_view base, std::string_view delta) {
    size_t i = 0;
    auto varint = [&]() {
        uint64_t v = 0;
        int shift = 0;
        unsigned char c = 0;
        do {
            if (i >= delta.size() || shift > 56) {
                unsupported("malformed delta");
            }
            c = static_cast<unsigned char>(delta[i++]);
            v |= uint64_t(c & 0x7f) << shift;
            shift += 7;
        } while (c & 0x80);
        return v;
    };
    if (varint() != base.size()) {
        unsupported("delta base size mismatch");
    }
    uint64_t result_size = varint();
    std::string out;
    // A copy op of a few bytes can bring up to 16 MiB: reserve no more than the inputs suggest.
    out.reserve(static_cast<size_t>(std::min<uint64_t>(result_size, base.size() + delta.size())));
    while (i < delta.size()) {
        auto op = static_cast<unsigned char>(delta[i++]);
        if (op & 0x80) {
            uint64_t off = 0, len = 0;
            for (int b = 0; b < 4; ++b) {
                if (op & (1u << b)) {
                    if (i >= delta.size()) {
                        unsupported("malformed delta");
                    }
                    off |= uint64_t(static_cast<unsigned char>(delta[i++])) << (8 * b);
                }
            }
            for (int b = 0; b < 3; ++b) {
                if (op & (0x10u << b)) {
                    if (i >= delta.size()) {
                        unsupported("malformed delta");
                    }
                    len |= uint64_t(static_cast<unsigned char>(delta[i++])) << (8 * b);
                }
            }
            if (len == 0) {
                len = 0x10000;
            }
            if (off + len > base.size()) {
                unsupported("delta copies past its base");
            }
            if (len > result_size - out.size()) {
                unsupported("delta result larger than its header says"); // before it takes the memory
            }
            out.append(base, static_cast<size_t>(off), static_cast<size_t>(len));
        } else if (op != 0) {
            if (i + op > delta.size()) {
                unsupported("malformed delta");
            }
            if (op > result_size - out.size()) {
                unsupported("delta result larger than its header says");
            }
            out.append(delta, i, op);
            i += op;
        } else {
            unsupported("malformed delta");
        }
    }
    if (out.size() != result_size) {
        unsupported("delta result size mismatch");
    }
    return out;
}

namespace {

struct Mapping {
    const unsigned char* data = nullptr;
    size_t size = 0;
    Mapping() = default;
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    bool open(const std::string& path) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return false;
        }
        struct stat st {};
        if (fstat(fd, &st) != 0 || st.st_size <= 0) {
            ::close(fd);
            return false;
        }
        void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (p == MAP_FAILED) {
            return false;
        }
        data = static_cast<const unsigned char*>(p);
        size = static_cast<size_t>(st.st_size);
        return true;
    }
    ~Mapping() {
        if (data != nullptr) {
            munmap(const_cast<unsigned char*>(data), size);
        }
    }
};

std::string join(const std::string& base, const std::string& rel) {
    return !rel.empty() && rel[0] == '/' ? rel : base + "/" + rel;
}

std::string trim_nl(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

bool dir_has_entries(const std::string& path) {
    DIR* d = opendir(path.c_str());
    if (d == nullptr) {
        return false;
    }
    bool any = false;
    while (dirent* e = readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
            any = true;
            break;
        }
    }
    closedir(d);
    return any;
}

} // namespace

std::optional<std::vector<TreeEntry>> parse_tree(std::string_view data) {
    std::vector<TreeEntry> out;
    size_t i = 0;
    while (i < data.size()) {
        size_t sp = data.find(' ', i);
        if (sp == std::string_view::npos || sp == i || sp - i > 6) {
            return std::nullopt;
        }
        unsigned mode = 0;
        for (size_t k = i; k < sp; ++k) {
            if (data[k] < '0' || data[k] > '7') {
                return std::nullopt;
            }
            mode = mode * 8 + static_cast<unsigned>(data[k] - '0');
        }
        size_t nul = data.find('\0', sp + 1);
        if (nul == std::string_view::npos || nul == sp + 1 || nul + 21 > data.size()) {
            return std::nullopt;
        }
        TreeEntry e;
        e.mode = canonical_mode(mode);
        if (e.mode == 0) {
            return std::nullopt;
        }
        e.name.assign(data.substr(sp + 1, nul - sp - 1));
        if (e.name.find('/') != std::string::npos) {
            return std::nullopt;
        }
        std::memcpy(e.id.data(), data.data() + nul + 1, 20);
        out.push_back(std::move(e));
        i = nul + 21;
    }
    return out;
}

std::optional<Commit> parse_commit(std::string_view data) {
    // As git's parse_commit_buffer: "tree <id>" first, then the "parent <id>" lines right after it;
    // whatever follows (author, committer, other headers, the message) says nothing of the graph.
    Commit c;
    auto id_line = [&](size_t& i, std::string_view prefix, Oid& out) {
        size_t nl = data.find('\n', i);
        if (nl == std::string_view::npos || data.compare(i, prefix.size(), prefix) != 0) {
            return false;
        }
        auto id = Oid::parse_hex(data.substr(i + prefix.size(), nl - i - prefix.size()));
        if (!id) {
            return false;
        }
        out = *id;
        i = nl + 1;
        return true;
    };
    size_t i = 0;
    if (!id_line(i, "tree ", c.tree)) {
        return std::nullopt;
    }
    Oid parent{};
    while (data.compare(i, 7, "parent ") == 0) {
        if (!id_line(i, "parent ", parent)) {
            return std::nullopt;
        }
        c.parents.push_back(parent);
    }
    return c;
}

std::optional<Index> read_index(const std::string& path) {
    std::optional<std::string> data;
    try {
        data = read_file_if_exists(path, uint64_t(1) << 31);
    } catch (const Error&) {
        return std::nullopt;
    }
    if (!data) {
        return Index{}; // no index yet: git reads that as an empty one
    }
    return parse_index(*data);
}

bool IndexEntry::matches(const struct stat& st) const {
    // git zeroes the size of a racily clean entry (and writes no stat data for one from a tree): then
    // nothing is known. The index keeps the low 32 bits of sizes, times and inodes.
    return size != 0 && static_cast<uint64_t>(st.st_size) == size &&
           mtime_sec == static_cast<uint32_t>(st.st_mtim.tv_sec) &&
           mtime_nsec == static_cast<uint32_t>(st.st_mtim.tv_nsec) && ino == static_cast<uint32_t>(st.st_ino);
}

namespace {

// The cache-tree extension ("TREE", its data at [pos, end)) into idx.trees. Pre-order:
// "<component>\0<entry count> <subtree count>\n" and, when the count is not -1, the tree id; then the
// subtrees. False when it does not parse.
bool read_cache_tree(std::string_view bytes, size_t pos, size_t end, Index& idx) {
    const std::string_view* data = &bytes;
    const auto* p = reinterpret_cast<const unsigned char*>(data->data());
    size_t q = pos;
    struct Frame {
        std::string path;
        long remaining;
    };
    std::vector<Frame> stack;
    while (q < end) {
        size_t nul = data->find('\0', q);
        size_t nl = nul == std::string::npos ? std::string::npos : data->find('\n', nul);
        if (nul == std::string::npos || nl == std::string::npos || nl >= end) {
            return false;
        }
        std::string name(data->substr(q, nul - q));
        std::string nums(data->substr(nul + 1, nl - nul - 1));
        char* rest = nullptr;
        long entries = std::strtol(nums.c_str(), &rest, 10);
        long subtrees = std::strtol(rest, nullptr, 10);
        q = nl + 1;
        while (!stack.empty() && stack.back().remaining == 0) {
            stack.pop_back();
        }
        std::string dir;
        if (!stack.empty()) {
            --stack.back().remaining;
            dir = stack.back().path.empty() ? name : stack.back().path + "/" + name;
        }
        if (entries >= 0) {
            if (q + 20 > end) {
                return false;
            }
            Oid id{};
            std::memcpy(id.data(), p + q, 20);
            q += 20;
            idx.trees[dir] = {id, static_cast<int>(entries)};
        }
        stack.push_back({dir, subtrees});
    }
    return true;
}

// The extensions after the entries (from `pos` to `n`, the start of the checksum): a 4-byte signature,
// a 4-byte size, the data. Ones whose signature starts with an upper-case letter are optional; others
// (split index "link", sparse "sdir") change what the entries mean: false, as for what does not parse.
bool read_extensions(std::string_view bytes, size_t pos, size_t n, Index& idx) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    while (pos + 8 <= n) {
        std::string_view sig = bytes.substr(pos, 4);
        uint32_t size = be32(p + pos + 4);
        pos += 8;
        if (size > n - pos) {
            return false;
        }
        if (sig == "TREE") {
            if (!read_cache_tree(bytes, pos, pos + size, idx)) {
                return false;
            }
        } else if (sig[0] < 'A' || sig[0] > 'Z') {
            return false;
        }
        pos += size;
    }
    return true;
}

} // namespace

std::optional<Index> parse_index(std::string_view bytes) {
    // A view with std::string's find/substr spelling, without copying the file.
    const std::string_view* data = &bytes;
    if (data->size() < 12 + 20 || data->compare(0, 4, "DIRC") != 0) {
        return std::nullopt;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data->data());
    const size_t n = data->size() - 20; // the trailing checksum
    uint32_t version = be32(p + 4);
    uint32_t count = be32(p + 8);
    if (version < 2 || version > 4) {
        return std::nullopt;
    }
    Index idx;
    idx.entries.reserve(std::min<size_t>(count, n / 62)); // an entry takes at least 62 bytes
    size_t pos = 12;
    std::string prev;
    // An entry: ctime 8, mtime 8, dev, ino, mode, uid, gid, size (4 each), id 20, flags 2 = 62 bytes.
    for (uint32_t i = 0; i < count; ++i) {
        size_t start = pos;
        if (pos + 62 > n) {
            return std::nullopt;
        }
        IndexEntry e;
        e.mode = canonical_mode(be32(p + pos + 24));
        e.size = be32(p + pos + 36);
        e.mtime_sec = be32(p + pos + 8);
        e.mtime_nsec = be32(p + pos + 12);
        e.ino = be32(p + pos + 20);
        std::memcpy(e.id.data(), p + pos + 40, 20);
        auto flags = static_cast<uint16_t>((p[pos + 60] << 8) | p[pos + 61]);
        pos += 62;
        if ((flags >> 12) & 3) {
            return std::nullopt; // a conflict (stage 1-3): git's own diff says what to do
        }
        if (flags & 0x4000) {
            if (version < 3 || pos + 2 > n) {
                return std::nullopt;
            }
            auto xflags = static_cast<uint16_t>((p[pos] << 8) | p[pos + 1]);
            pos += 2;
            if (xflags & 0x2000) {
                return std::nullopt; // intent-to-add: not content git would commit
            }
        }
        if (e.mode == 0 || e.mode == 040000) {
            return std::nullopt; // a sparse index's directory entry, or garbage
        }
        if (version == 4) {
            // Prefix compression: a varint of bytes to drop from the previous path, then the suffix.
            unsigned char c = p[pos++];
            uint64_t strip = c & 0x7f;
            while (c & 0x80) {
                if (pos >= n || strip > (uint64_t(1) << 32)) {
                    return std::nullopt;
                }
                c = p[pos++];
                strip = ((strip + 1) << 7) | (c & 0x7f);
            }
            size_t nul = data->find('\0', pos);
            if (nul == std::string::npos || nul >= n || strip > prev.size()) {
                return std::nullopt;
            }
            e.path = prev.substr(0, prev.size() - strip);
            e.path += data->substr(pos, nul - pos);
            pos = nul + 1;
        } else {
            size_t nul = data->find('\0', pos);
            if (nul == std::string::npos || nul >= n) {
                return std::nullopt;
            }
            e.path = data->substr(pos, nul - pos);
            // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
            pos = start + ((nul - start + 8) & ~size_t(7));
            if (pos > n) {
                return std::nullopt;
            }
        }
        if (e.path.empty() || (!idx.entries.empty() && !(idx.entries.back().path < e.path))) {
            return std::nullopt; // git keeps them sorted and unique at stage 0
        }
        prev = e.path;
        idx.entries.push_back(std::move(e));
    }
    if (!read_extensions(bytes, pos, n, idx)) {
        return std::nullopt;
    }
    return idx;
}

// ---------------------------------------------------------------------------------------------------
// The repository

struct Repo::Pack {
    Mapping idx;
    Mapping pack;
    uint32_t count = 0;
    std::string path;

    // The offset of `id` in the pack, when it holds it (index version 2).
    std::optional<uint64_t> find(const Oid& id) const {
        const unsigned char* fan = idx.data + 8;
        uint32_t lo = id[0] == 0 ? 0 : be32(fan + 4 * (id[0] - 1));
        uint32_t hi = be32(fan + 4 * id[0]);
        if (lo > hi || hi > count) {
            unsupported("corrupt pack index " + path);
        }
        const unsigned char* ids = fan + 1024;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            int c = std::memcmp(ids + 20 * size_t(mid), id.data(), 20);
            if (c == 0) {
                const unsigned char* offs = ids + 20 * size_t(count) + 4 * size_t(count);
                uint32_t off = be32(offs + 4 * size_t(mid));
                if (!(off & 0x80000000u)) {
                    return off;
                }
                // Checked as an offset before it becomes a pointer (one past the mapping is undefined).
                size_t at = size_t(offs - idx.data) + 4 * size_t(count) + 8 * size_t(off & 0x7fffffffu);
                if (at > idx.size || idx.size - at < 8) {
                    unsupported("corrupt pack index " + path);
                }
                const unsigned char* large = idx.data + at;
                return (uint64_t(be32(large)) << 32) | be32(large + 4);
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return std::nullopt;
    }
};

namespace {

// What tells one version of a file from another: inode, size, mtime (all zero when it is absent).
std::array<int64_t, 4> file_identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return {};
    }
    return {int64_t(st.st_ino), int64_t(st.st_size), int64_t(st.st_mtim.tv_sec), int64_t(st.st_mtim.tv_nsec)};
}

} // namespace

Repo::~Repo() = default;

std::unique_ptr<Repo> Repo::open() {
    for (const char* var : {"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR",
                            "GIT_NAMESPACE", "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE"}) {
        if (const char* v = std::getenv(var); v != nullptr && *v) {
            return nullptr;
        }
    }
    std::unique_ptr<Repo> r(new Repo);
    try {
        if (const char* d = std::getenv("GIT_DIR"); d != nullptr && *d) {
            r->git_dir_ = d;
        } else {
            struct stat st {};
            if (stat(".git", &st) != 0) {
                return nullptr;
            }
            if (S_ISDIR(st.st_mode)) {
                r->git_dir_ = ".git";
            } else {
                auto f = slurp(".git", 4096);
                if (!f || f->rfind("gitdir: ", 0) != 0) {
                    return nullptr;
                }
                r->git_dir_ = trim_nl(f->substr(8));
            }
        }
        r->common_dir_ = r->git_dir_;
        if (auto c = slurp(r->git_dir_ + "/commondir", 4096)) {
            r->common_dir_ = join(r->git_dir_, trim_nl(*c));
        }
        // Layouts we do not read: other object formats or ref stores, alternates, grafts, replace refs.
        auto config = slurp(r->common_dir_ + "/config", uint64_t(1) << 20);
        if (config) {
            std::string lower = *config;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (lower.find("objectformat") != std::string::npos ||
                lower.find("refstorage") != std::string::npos) {
                return nullptr;
            }
        }
        struct stat st {};
        if (stat((r->common_dir_ + "/objects/info/alternates").c_str(), &st) == 0 ||
            stat((r->common_dir_ + "/info/grafts").c_str(), &st) == 0 ||
            stat((r->common_dir_ + "/shallow").c_str(), &st) == 0 || // its commits' parents are cut off
            dir_has_entries(r->common_dir_ + "/refs/replace")) {
            return nullptr;
        }
        r->load_packed_refs();
    } catch (const Unsupported&) {
        return nullptr;
    }
    return r;
}

void Repo::load_packed_refs() {
    std::string path = common_dir_ + "/packed-refs";
    packed_refs_stat_ = file_identity(path);
    packed_refs_ = slurp(path, uint64_t(1) << 30);
    if (packed_refs_ && packed_refs_->find(" refs/replace/") != std::string::npos) {
        unsupported("replace refs");
    }
}

std::string Repo::index_path() const {
    if (const char* f = std::getenv("GIT_INDEX_FILE"); f != nullptr && *f) {
        return f;
    }
    return git_dir_ + "/index";
}

std::optional<std::string> Repo::read_ref_file(const std::string& ref) {
    // HEAD and refs outside refs/ (and per-worktree refs) live in the worktree's git dir; the rest in
    // the common one.
    bool per_worktree = ref.rfind("refs/", 0) != 0 || ref.rfind("refs/bisect/", 0) == 0 ||
                        ref.rfind("refs/worktree/", 0) == 0 || ref.rfind("refs/rewritten/", 0) == 0;
    std::string path = (per_worktree ? git_dir_ : common_dir_) + "/" + ref;
    auto f = slurp(path, 4096);
    struct stat st {};
    if (!f && ::lstat(path.c_str(), &st) == 0) {
        // A symbolic link whose target is not a loose ref (a HEAD of core.preferSymlinkRefs pointing
        // at a packed branch), or something else there that is not a file: git's to read.
        unsupported("ref " + ref + " is not a plain file");
    }
    return f;
}

std::optional<Oid> Repo::resolve(const std::string& ref_in) {
    std::string ref = ref_in;
    for (int depth = 0; depth < 8; ++depth) {
        if (auto f = read_ref_file(ref)) {
            std::string v = trim_nl(*f);
            if (v.rfind("ref: ", 0) == 0) {
                ref = v.substr(5);
                continue;
            }
            auto id = Oid::parse_hex(v);
            if (!id) {
                unsupported("ref " + ref + " holds " + v);
            }
            return id;
        }
        // As git: the loose ref first, then packed-refs as it is now (git pack-refs may have moved the
        // ref there since this reader opened the repository).
        if (file_identity(common_dir_ + "/packed-refs") != packed_refs_stat_) {
            load_packed_refs();
        }
        if (packed_refs_) {
            // Lines "<id> <name>"; "^<id>" peel lines and "#" comments are skipped.
            const std::string& s = *packed_refs_;
            std::string needle = " " + ref + "\n";
            size_t at = s.find(needle);
            while (at != std::string::npos) {
                size_t bol = s.rfind('\n', at);
                bol = bol == std::string::npos ? 0 : bol + 1;
                if (at - bol == 40) {
                    auto id = Oid::parse_hex(std::string_view(s).substr(bol, 40));
                    if (!id) {
                        unsupported("packed-refs line for " + ref);
                    }
                    return id;
                }
                at = s.find(needle, at + 1);
            }
        }
        return std::nullopt;
    }
    unsupported("symbolic ref loop at " + ref_in);
}

void Repo::load_packs() {
    // On any error the list stays empty and unloaded, so that no later read sees only some packs.
    packs_.clear();
    std::string dir = common_dir_ + "/objects/pack";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
        packs_loaded_ = true; // no packs
        return;
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 4 && n.compare(n.size() - 4, 4, ".idx") == 0) {
            names.push_back(n.substr(0, n.size() - 4));
        }
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& base : names) {
        auto pk = std::make_unique<Pack>();
        pk->path = dir + "/" + base + ".pack";
        if (!pk->idx.open(dir + "/" + base + ".idx") || !pk->pack.open(pk->path)) {
            continue; // a pack being written or removed; git skips it as well
        }
        const unsigned char* h = pk->idx.data;
        if (pk->idx.size < 8 + 1024 + 40 || std::memcmp(h, "\377tOc", 4) != 0 || be32(h + 4) != 2 ||
            pk->pack.size < 12 + 20 || std::memcmp(pk->pack.data, "PACK", 4) != 0) {
            unsupported("pack index " + base + " in a format this reader does not know");
        }
        pk->count = be32(h + 8 + 4 * 255);
        if (size_t(8) + 1024 + 28 * size_t(pk->count) + 40 > pk->idx.size) {
            unsupported("truncated pack index " + base);
        }
        packs_.push_back(std::move(pk));
    }
    packs_loaded_ = true;
}

std::optional<Object> Repo::read_packed(Pack& pk, uint64_t offset, int depth) {
    // git packs with delta chains of at most 50 by default (pack.depth; 4095 at the most). Each link
    // here is a recursion, so a deeper chain (or a delta cycle in a corrupt pack) is left to git
    // before it can exhaust the stack.
    if (depth > 500) {
        unsupported("delta chain too deep in " + pk.path);
    }
    const size_t end = pk.pack.size - 20;
    if (offset < 12 || offset >= end) {
        unsupported("object offset outside " + pk.path);
    }
    size_t i = static_cast<size_t>(offset);
    unsigned char c = pk.pack.data[i++];
    int type = (c >> 4) & 7;
    uint64_t size = c & 15;
    int shift = 4;
    while (c & 0x80) {
        if (i >= end || shift > 57) {
            unsupported("corrupt object header in " + pk.path);
        }
        c = pk.pack.data[i++];
        size |= uint64_t(c & 0x7f) << shift;
        shift += 7;
    }
    if (size > (uint64_t(1) << 32)) {
        unsupported("object too large for this reader");
    }
    if (type >= 1 && type <= 4) {
        Object o;
        o.type = static_cast<Type>(type);
        o.data = inflate_bytes(pk.pack.data + i, end - i, size, nullptr);
        return o;
    }
    std::optional<Object> base;
    if (type == 6) { // OFS_DELTA: the base is this many bytes before
        if (i >= end) {
            unsupported("corrupt delta in " + pk.path);
        }
        c = pk.pack.data[i++];
        uint64_t back = c & 0x7f;
        while (c & 0x80) {
            if (i >= end || back > (uint64_t(1) << 56)) {
                unsupported("corrupt delta in " + pk.path);
            }
            c = pk.pack.data[i++];
            back = ((back + 1) << 7) | (c & 0x7f);
        }
        if (back == 0 || back > offset) {
            unsupported("corrupt delta in " + pk.path);
        }
        base = read_packed(pk, offset - back, depth + 1);
    } else if (type == 7) { // REF_DELTA: the base named by id
        if (i + 20 > end) {
            unsupported("corrupt delta in " + pk.path);
        }
        Oid base_id{};
        std::memcpy(base_id.data(), pk.pack.data + i, 20);
        i += 20;
        base = read_at(base_id, depth + 1);
    } else {
        unsupported("unknown object type in " + pk.path);
    }
    if (!base) {
        unsupported("delta base missing in " + pk.path);
    }
    std::string delta = inflate_bytes(pk.pack.data + i, end - i, size, nullptr);
    base->data = apply_delta(base->data, delta);
    return base;
}

std::optional<Object> Repo::read(const Oid& id) {
    return read_at(id, 0);
}

std::optional<Object> Repo::read_at(const Oid& id, int depth) {
    if (!packs_loaded_) {
        load_packs();
    }
    for (auto& pk : packs_) {
        if (auto off = pk->find(id)) {
            return read_packed(*pk, *off, depth);
        }
    }
    std::string hex = id.hex();
    std::string path = common_dir_ + "/objects/" + hex.substr(0, 2) + "/" + hex.substr(2);
    auto raw = slurp(path, uint64_t(1) << 32);
    if (!raw) {
        return std::nullopt;
    }
    // "<type> <size>\0<bytes>", compressed whole: the header first, then exactly the size it names.
    const auto* z = reinterpret_cast<const unsigned char*>(raw->data());
    std::string head = inflate_bytes(z, raw->size(), 32, nullptr, true);
    size_t nul = head.find('\0');
    size_t sp = head.find(' ');
    if (nul == std::string::npos || sp == std::string::npos || sp > nul || nul - sp - 1 > 10 ||
        nul - sp - 1 == 0) {
        unsupported("corrupt loose object " + hex);
    }
    Object o;
    std::string_view type = std::string_view(head).substr(0, sp);
    // Type's values are 1 to 4, in this order (the pack format's numbers).
    static constexpr std::string_view names[] = {"commit", "tree", "blob", "tag"};
    auto it = std::find(std::begin(names), std::end(names), type);
    if (it == std::end(names)) {
        unsupported("corrupt loose object " + hex);
    }
    o.type = static_cast<Type>(it - std::begin(names) + 1);
    uint64_t size = 0;
    for (size_t k = sp + 1; k < nul; ++k) {
        if (head[k] < '0' || head[k] > '9' || (k == sp + 1 && head[k] == '0' && nul > sp + 2)) {
            unsupported("corrupt loose object " + hex); // git writes plain decimal, no leading zeros
        }
        size = size * 10 + static_cast<uint64_t>(head[k] - '0');
    }
    std::string all = inflate_bytes(z, raw->size(), nul + 1 + size, nullptr);
    o.data = all.substr(nul + 1);
    return o;
}

// ---------------------------------------------------------------------------------------------------
// Diffs

namespace {

std::vector<TreeEntry> tree_of(Repo& repo, const Oid& id) {
    auto obj = repo.read(id);
    if (!obj || obj->type != Type::tree) {
        unsupported("tree " + id.hex() + " missing");
    }
    auto t = parse_tree(obj->data);
    if (!t) {
        unsupported("malformed tree " + id.hex());
    }
    return std::move(*t);
}

struct IndexDiff {
    Repo& repo;
    const Index& index;
    std::vector<char> seen;
    std::vector<Change> out;

    // Index entries [lo, hi) whose path starts with `prefix`.
    std::pair<size_t, size_t> range(const std::string& prefix) const {
        const auto& e = index.entries;
        auto lo = std::lower_bound(e.begin(), e.end(), prefix,
                                   [](const IndexEntry& a, const std::string& p) { return a.path < p; });
        std::string upper = prefix;
        upper.back() = static_cast<char>(upper.back() + 1); // prefix ends in '/': '0' sorts right after
        auto hi = std::lower_bound(lo, e.end(), upper,
                                   [](const IndexEntry& a, const std::string& p) { return a.path < p; });
        return {static_cast<size_t>(lo - e.begin()), static_cast<size_t>(hi - e.begin())};
    }

    void mark(size_t lo, size_t hi) {
        std::fill(seen.begin() + static_cast<long>(lo), seen.begin() + static_cast<long>(hi), 1);
    }

    // `dir` is "" for the root or "a/b"; `tree` the HEAD tree at that directory.
    void walk(const std::string& dir, const Oid& tree, size_t lo, size_t hi) {
        auto ct = index.trees.find(dir);
        if (ct != index.trees.end() && ct->second.first == tree &&
            static_cast<size_t>(ct->second.second) == hi - lo) {
            mark(lo, hi); // the index's cache-tree says this directory is exactly HEAD's
            return;
        }
        std::string prefix = dir.empty() ? "" : dir + "/";
        for (const auto& te : tree_of(repo, tree)) {
            std::string path = prefix + te.name;
            if (te.is_tree()) {
                auto [a, b] = range(path + "/");
                if (a < b) {
                    walk(path, te.id, a, b);
                }
                continue;
            }
            const auto& e = index.entries;
            auto it =
                std::lower_bound(e.begin() + static_cast<long>(lo), e.begin() + static_cast<long>(hi), path,
                                 [](const IndexEntry& x, const std::string& p) { return x.path < p; });
            if (it == e.begin() + static_cast<long>(hi) || it->path != path) {
                continue; // deleted from the index: not a change pre-commit checks
            }
            size_t k = static_cast<size_t>(it - e.begin());
            seen[k] = 1;
            if (it->mode == 0160000 && te.mode == 0160000) {
                continue; // --ignore-submodules
            }
            if (it->mode != te.mode || it->id != te.id) {
                out.push_back({it->path, it->mode, it->id});
            }
        }
    }
};

// Trees nest at most this deep (git's core.maxTreeDepth): a corrupt tree that lists itself is refused
// instead of recursing until the stack runs out.
constexpr int k_max_tree_depth = 4096;

void check_depth(int depth) {
    if (depth > k_max_tree_depth) {
        unsupported("trees nested deeper than " + std::to_string(k_max_tree_depth));
    }
}

void collect_all(Repo& repo, const Oid& tree, const std::string& prefix, std::vector<std::string>& out,
                 int depth) {
    check_depth(depth);
    for (const auto& te : tree_of(repo, tree)) {
        if (te.is_tree()) {
            collect_all(repo, te.id, prefix + te.name + "/", out, depth + 1);
        } else {
            out.push_back(prefix + te.name);
        }
    }
}

// Tree order: names compare as bytes, a tree's name as if it ended in '/'.
int tree_cmp(const TreeEntry& a, const TreeEntry& b) {
    std::string ka = a.name + (a.is_tree() ? "/" : "");
    std::string kb = b.name + (b.is_tree() ? "/" : "");
    return ka.compare(kb);
}

void diff_trees(Repo& repo, const Oid* a, const Oid* b, const std::string& prefix,
                std::vector<std::string>& out, int depth) {
    check_depth(depth);
    if (a != nullptr && b != nullptr && *a == *b) {
        return;
    }
    std::vector<TreeEntry> ta = a ? tree_of(repo, *a) : std::vector<TreeEntry>{};
    std::vector<TreeEntry> tb = b ? tree_of(repo, *b) : std::vector<TreeEntry>{};
    size_t i = 0, j = 0;
    auto one_side = [&](const TreeEntry& e) {
        if (e.is_tree()) {
            collect_all(repo, e.id, prefix + e.name + "/", out, depth + 1);
        } else {
            out.push_back(prefix + e.name);
        }
    };
    while (i < ta.size() || j < tb.size()) {
        int c = i == ta.size() ? 1 : j == tb.size() ? -1 : tree_cmp(ta[i], tb[j]);
        if (c < 0) {
            one_side(ta[i++]);
        } else if (c > 0) {
            one_side(tb[j++]);
        } else {
            const TreeEntry& x = ta[i++];
            const TreeEntry& y = tb[j++];
            if (x.is_tree()) {
                diff_trees(repo, &x.id, &y.id, prefix + x.name + "/", out, depth + 1);
            } else if (x.id != y.id || x.mode != y.mode) {
                out.push_back(prefix + x.name);
            }
        }
    }
}

} // namespace

std::optional<std::vector<Change>> staged_changes(Repo& repo, const Index& index) {
    try {
        IndexDiff d{repo, index, std::vector<char>(index.entries.size(), 0), {}};
        if (auto head = repo.resolve("HEAD")) {
            auto obj = repo.read(*head);
            if (!obj || obj->type != Type::commit) {
                return std::nullopt;
            }
            auto commit = parse_commit(obj->data);
            if (!commit) {
                return std::nullopt;
            }
            d.walk("", commit->tree, 0, index.entries.size());
        }
        for (size_t k = 0; k < index.entries.size(); ++k) {
            const auto& e = index.entries[k];
            if (!d.seen[k]) {
                d.out.push_back({e.path, e.mode, e.id}); // not in HEAD: added
            }
        }
        std::sort(d.out.begin(), d.out.end(),
                  [](const Change& a, const Change& b) { return a.path < b.path; });
        return std::move(d.out);
    } catch (const Unsupported&) {
        return std::nullopt;
    }
}

std::vector<std::string> changed_paths(Repo& repo, const Commit& commit) {
    std::vector<std::string> out;
    std::optional<Oid> parent_tree;
    if (!commit.parents.empty()) {
        auto obj = repo.read(commit.parents[0]);
        std::optional<Commit> parent;
        if (obj && obj->type == Type::commit) {
            parent = parse_commit(obj->data);
        }
        if (!parent) {
            unsupported("parent commit " + commit.parents[0].hex() + " missing");
        }
        parent_tree = parent->tree;
    }
    diff_trees(repo, parent_tree ? &*parent_tree : nullptr, &commit.tree, "", out, 0);
    return out;
}

} // namespace mlci::git::lite
