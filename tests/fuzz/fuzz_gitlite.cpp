// Fuzz target for lib/gitlite's parsers (the hooks read a repository's index, trees, commits and pack
// deltas without git): whatever the bytes, each must give a value, nullopt, or gitlite::Unsupported —
// never a crash or a read outside its input. The first byte picks the parser; the rest is its input
// (for apply_delta: a 2-byte big-endian base length, the base, then the delta). Invariants: an index
// that parses has non-empty, strictly sorted paths and canonical modes; a tree's entries have names
// without '/' and canonical modes; a delta's result has exactly the size the delta declares.
#include "gitlite/objects.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

bool canonical(unsigned mode) {
    return mode == 0100644 || mode == 0100755 || mode == 0120000 || mode == 0160000 || mode == 040000;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) {
        return 0;
    }
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    using namespace mlci::gitlite;
    try {
        switch (data[0] % 4) {
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
        }
    } catch (const Unsupported&) {
    }
    return 0;
}
