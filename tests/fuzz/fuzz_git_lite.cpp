// Fuzz target for lib/git/lite's parsers (the hooks read a repository's index, trees, commits and pack
// deltas without git): whatever the bytes, each must give a value, nullopt, or git::lite::Unsupported —
// never a crash or a read outside its input. The first byte picks the parser; the rest is its input
// (for apply_delta: a 2-byte big-endian base length, the base, then the delta; for a loose object: the
// file's bytes, read through Repo::read; for a pack: a byte k, then the pack's objects, which a pack
// index made here lists at offsets 12 and 12 + k, read through Repo::read — headers, zlib, offset and
// ref deltas). Invariants: an index
// that parses has non-empty, strictly sorted paths and canonical modes; a tree's entries have names
// without '/' and canonical modes; a delta's result has exactly the size the delta declares.
#include "git/lite/objects.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

bool canonical(unsigned mode) {
    return mode == 0100644 || mode == 0100755 || mode == 0120000 || mode == 0160000 || mode == 040000;
}

// A repository in a temporary folder, made once and named in GIT_DIR (which Repo::open honours; no
// chdir, so relative corpus paths keep working): its objects are what each input writes.
const std::string& scratch_repo() {
    static const std::string top = [] {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mlci-fuzz-gitlite-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            fail("mkdtemp");
        }
        std::filesystem::create_directories(tmpl + "/.git/objects/pack");
        std::filesystem::create_directories(tmpl + "/.git/objects/11");
        std::filesystem::create_directories(tmpl + "/.git/refs/heads");
        std::ofstream(tmpl + "/.git/HEAD") << "ref: refs/heads/main\n";
        ::setenv("GIT_DIR", (tmpl + "/.git").c_str(), 1);
        return tmpl;
    }();
    return top;
}

struct RemoveScratch {
    ~RemoveScratch() {
        if (const char* d = std::getenv("GIT_DIR");
            d != nullptr && std::string(d).find("mlci-fuzz-gitlite-") != std::string::npos) {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::path(d).parent_path(), ec);
        }
    }
} remove_scratch;

void put_file(const std::string& path, std::string_view bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void be32(std::string& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) {
        out += static_cast<char>((v >> s) & 0xff);
    }
}

mlci::git::Oid id_of(unsigned char b) {
    mlci::git::Oid id;
    std::memset(id.id, b, sizeof id.id);
    return id;
}

void read_both(const mlci::git::Oid& a, const mlci::git::Oid& b) {
    auto repo = mlci::git::lite::Repo::open();
    if (repo == nullptr) {
        fail("the scratch repository does not open");
    }
    for (const auto& id : {a, b}) {
        try {
            if (auto o = repo->read(id)) {
                if (static_cast<int>(o->type) < 1 || static_cast<int>(o->type) > 4) {
                    fail("object type");
                }
            }
        } catch (const mlci::git::lite::Unsupported&) {
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) {
        return 0;
    }
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    using namespace mlci::git::lite;
    try {
        switch (data[0] % 6) {
        case 0:
            if (auto idx = parse_index(in)) {
                for (size_t i = 0; i < idx->entries.size(); ++i) {
                    const auto& e = idx->entries[i];
                    if (e.path.empty() || !canonical(e.mode) || e.mode == 040000) {
                        fail("index entry");
                    }
                    if (i > 0 && !(idx->entries[i - 1].path < e.path)) {
                        fail("index order");
                    }
                }
            }
            break;
        case 1:
            if (auto t = parse_tree(in)) {
                for (const auto& e : *t) {
                    if (e.name.empty() || e.name.find('/') != std::string::npos || !canonical(e.mode)) {
                        fail("tree entry");
                    }
                }
            }
            break;
        case 2:
            parse_commit(in);
            break;
        case 3: {
            if (in.size() < 2) {
                break;
            }
            size_t base_len = (static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]);
            in.remove_prefix(2);
            base_len = std::min(base_len, in.size());
            std::string out = apply_delta(in.substr(0, base_len), in.substr(base_len));
            (void)out;
            break;
        }
        case 4: {
            const std::string& top = scratch_repo();
            std::filesystem::remove(top + "/.git/objects/pack/pack-f.idx");
            put_file(top + "/.git/objects/11/" + std::string(38, '1'), in);
            read_both(id_of(0x11), id_of(0x12));
            break;
        }
        case 5: {
            if (in.empty()) {
                break;
            }
            const std::string& top = scratch_repo();
            std::filesystem::remove(top + "/.git/objects/11/" + std::string(38, '1'));
            uint32_t second = 12 + static_cast<unsigned char>(in[0]);
            in.remove_prefix(1);
            std::string pack = "PACK";
            be32(pack, 2);
            be32(pack, 2);
            pack.append(in);
            pack.append(20, '\0'); // the trailing checksum (not verified by the reader)
            // Index version 2 of two objects: 0x22… at offset 12, 0x33… at 12 + k.
            std::string idx = "\377tOc";
            be32(idx, 2);
            for (int b = 0; b < 256; ++b) {
                be32(idx, b < 0x22 ? 0 : b < 0x33 ? 1 : 2);
            }
            idx.append(20, '\x22');
            idx.append(20, '\x33');
            be32(idx, 0); // CRCs
            be32(idx, 0);
            be32(idx, 12);
            be32(idx, second);
            idx.append(40, '\0'); // pack and index checksums
            put_file(top + "/.git/objects/pack/pack-f.pack", pack);
            put_file(top + "/.git/objects/pack/pack-f.idx", idx);
            read_both(id_of(0x22), id_of(0x33));
            break;
        }
        }
    } catch (const Unsupported&) {
    }
    return 0;
}
