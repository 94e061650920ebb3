// gen-packed-store: a simulated store of many small objects for the scale benchmarks of packs
// (tests/bench/packs-scale.sh, tests/bench/packs.sh; issue 18). Pushing a million files through git model
// would take the benchmark longer than what it measures, so this writes what such pushes leave behind:
//
//   STORE/packs/<id>.pack, <id>.idx   one pack per folder of live objects (its members and its manifest),
//                                     written with lib/artifact/pack/format.hpp's Writer, and the dead
//                                     objects (referenced by nothing) in packs of their own; or, with
//                                     --loose, every object at STORE/xxh128/ab/<30 hex> (a pack = false
//                                     store, the peer)
//   REPO/data/part-NNNN.mlci          a folder pointer per folder (the caller commits them)
//   REPO's cache                      the folders' manifests (push and gc --remote read them there)
//
// Object j's bytes are its number and pseudo-random bytes from it: the same arguments give the same store.
// The files get an mtime --age-days in the past, so gc's grace period for recent packs does not spare them.
//
// usage: gen-packed-store STORE REPO [--objects N] [--folders F] [--dead D] [--min-size B] [--max-size B]
//                                    [--age-days K] [--pack-objects K] [--loose]
#include "artifact/manifest.hpp"
#include "artifact/pack/format.hpp"
#include "artifact/pack/packed.hpp"
#include "artifact/pointer.hpp"
#include "artifact/workspace.hpp"
#include "fsutil/durable.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace mlci;
using namespace mlci::artifact;

namespace {

struct Args {
    std::string store;
    std::string repo;
    uint64_t objects = 1000000;
    uint64_t folders = 100;
    uint64_t dead = 0;
    uint64_t min_size = 64;
    uint64_t max_size = 256;
    uint64_t age_days = 30;
    uint64_t pack_objects = 0; // dead objects per pack; 0: as many as a folder has
    bool loose = false;
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "error: %s\nusage: gen-packed-store STORE REPO [--objects N] [--folders F] [--dead D] "
                 "[--min-size B] [--max-size B] [--age-days K] [--pack-objects K] [--loose]\n",
                 why.c_str());
    std::exit(2);
}

uint64_t number(const char* s, const char* what) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
        usage(std::string(what) + " must be a whole number, not '" + s + "'");
    }
    return v;
}

Args parse_args(int argc, char** argv) {
    Args a;
    std::vector<std::string> plain;
    for (int i = 1; i < argc; ++i) {
        std::string o = argv[i];
        auto value = [&](uint64_t& v) {
            if (i + 1 >= argc) {
                usage(o + " needs a value");
            }
            v = number(argv[++i], o.c_str());
        };
        if (o == "--objects") {
            value(a.objects);
        } else if (o == "--folders") {
            value(a.folders);
        } else if (o == "--dead") {
            value(a.dead);
        } else if (o == "--min-size") {
            value(a.min_size);
        } else if (o == "--max-size") {
            value(a.max_size);
        } else if (o == "--age-days") {
            value(a.age_days);
        } else if (o == "--pack-objects") {
            value(a.pack_objects);
        } else if (o == "--loose") {
            a.loose = true;
        } else if (o.starts_with("--")) {
            usage("unknown option " + o);
        } else {
            plain.push_back(o);
        }
    }
    if (plain.size() != 2) {
        usage("STORE and REPO are required");
    }
    if (a.folders == 0 || a.objects < a.folders || a.min_size < 8 || a.max_size < a.min_size) {
        usage("need 1 <= folders <= objects and 8 <= min-size <= max-size");
    }
    a.store = plain[0];
    a.repo = plain[1];
    return a;
}

uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Object j: its number (so no two are alike), then pseudo-random bytes; between min and max bytes long.
std::string object_bytes(uint64_t j, const Args& a) {
    uint64_t x = j * 2654435761ull + 12345;
    uint64_t size = a.min_size + splitmix(x) % (a.max_size - a.min_size + 1);
    std::string s(size, '\0');
    std::memcpy(s.data(), &j, sizeof j);
    for (size_t k = sizeof j; k < size; k += 8) {
        uint64_t r = splitmix(x);
        std::memcpy(s.data() + k, &r, std::min<size_t>(8, size - k));
    }
    return s;
}

// Set a file's times --age-days back.
void backdate(const std::string& path, const Args& a) {
    struct timespec t[2];
    t[0].tv_sec = t[1].tv_sec = std::time(nullptr) - static_cast<time_t>(a.age_days * 86400);
    t[0].tv_nsec = t[1].tv_nsec = 0;
    if (::utimensat(AT_FDCWD, path.c_str(), t, 0) != 0) {
        throw io_error("cannot set the times of " + path + ": " + errno_text(errno));
    }
}

// Where objects go: a pack under way (one per folder), or loose files.
class Out {
  public:
    explicit Out(const Args& a) : m_a(a) {
        make_dirs(a.store + "/" + (a.loose ? "xxh128" : pack::k_pack_dir));
    }
    void add(const Hash128& h, std::string_view bytes) {
        ++m_objects;
        m_bytes += bytes.size();
        if (m_a.loose) {
            std::string rel = object_rel_path(h);
            std::string path = m_a.store + "/" + rel;
            make_dirs(dirname_of(path));
            write_file_atomic(path, bytes, false);
            ::chmod(path.c_str(), 0444);
            backdate(path, m_a);
            return;
        }
        if (!m_writer) {
            m_writer = std::make_unique<pack::Writer>(m_a.store + "/" + pack::k_pack_dir);
        }
        m_writer->add(h, bytes);
    }
    // Close the pack under way: the pack file under its name, then its index (what makes it visible).
    void end_pack() {
        if (!m_writer) {
            return;
        }
        pack::Index index = m_writer->finish();
        std::string idx = pack::serialize_index(index);
        std::string dir = m_a.store + "/" + pack::k_pack_dir + "/";
        std::string id = pack::pack_id(idx);
        if (::rename(m_writer->path().c_str(), (dir + id + ".pack").c_str()) != 0) {
            throw io_error("cannot rename " + m_writer->path() + ": " + errno_text(errno));
        }
        m_writer->release();
        m_writer.reset();
        write_file_atomic(dir + id + ".idx", idx, false);
        backdate(dir + id + ".pack", m_a);
        backdate(dir + id + ".idx", m_a);
        ++m_packs;
    }
    uint64_t objects() const { return m_objects; }
    uint64_t bytes() const { return m_bytes; }
    uint64_t packs() const { return m_packs; }

  private:
    const Args& m_a;
    std::unique_ptr<pack::Writer> m_writer;
    uint64_t m_objects = 0, m_bytes = 0, m_packs = 0;
};

// One live folder: its members and manifest to the store, the manifest to the cache, the pointer to REPO.
void write_folder(uint64_t f, uint64_t first, uint64_t count, const Args& a, Out& out, Context& ctx) {
    std::vector<ManifestEntry> entries;
    entries.reserve(count);
    uint64_t total = 0;
    char name[32];
    for (uint64_t j = first; j < first + count; ++j) {
        std::string bytes = object_bytes(j, a);
        Hash128 h = xxh128(bytes);
        out.add(h, bytes);
        std::snprintf(name, sizeof name, "f%07llu", static_cast<unsigned long long>(j - first));
        entries.push_back({name, h, bytes.size(), false});
        total += bytes.size();
    }
    std::string manifest = format_manifest(entries);
    Hash128 mh = xxh128(manifest);
    out.add(mh, manifest);
    out.end_pack();
    SyncBatch batch(ctx.cache.root());
    ctx.cache.insert_bytes(manifest, batch);
    batch.commit();

    std::snprintf(name, sizeof name, "part-%04llu", static_cast<unsigned long long>(f));
    Pointer p;
    p.path = name;
    p.hash = mh;
    p.size = total;
    p.is_dir = true;
    p.nfiles = count;
    write_file_atomic(ctx.top + "/data/" + name + ".mlci", format_pointer(p), false);
}

int run(const Args& a) {
    make_dirs(a.store);
    auto ctx = Context::open(a.repo);
    ctx.cache.prepare();
    make_dirs(ctx.top + "/data");
    Out out(a);
    uint64_t per = a.objects / a.folders;
    for (uint64_t f = 0; f < a.folders; ++f) {
        uint64_t first = f * per;
        uint64_t count = f + 1 == a.folders ? a.objects - first : per;
        write_folder(f, first, count, a, out, ctx);
    }
    // Dead objects: numbers after the live ones, in packs of --pack-objects (default: a folder's count).
    uint64_t dead_per = a.pack_objects != 0 ? a.pack_objects : per;
    for (uint64_t j = 0; j < a.dead; ++j) {
        std::string bytes = object_bytes(a.objects + j, a);
        out.add(xxh128(bytes), bytes);
        if ((j + 1) % dead_per == 0) {
            out.end_pack();
        }
    }
    out.end_pack();
    std::printf("%llu objects (%llu live in %llu folders, %llu dead), %llu bytes, %llu packs in %s\n",
                static_cast<unsigned long long>(out.objects()), static_cast<unsigned long long>(a.objects),
                static_cast<unsigned long long>(a.folders), static_cast<unsigned long long>(a.dead),
                static_cast<unsigned long long>(out.bytes()), static_cast<unsigned long long>(out.packs()),
                a.store.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Args a = parse_args(argc, argv);
    try {
        return run(a);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
