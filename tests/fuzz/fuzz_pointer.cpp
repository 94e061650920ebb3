// Fuzz target for artifact pointers and directory manifests (mlci::artifact::parse_pointer,
// parse_manifest): any input either parses into a value whose every field satisfies DESIGN.md section 8
// — and formats back to text that parses to the same value — or throws an input mlci::Error naming the
// source. Anything else (another exception, a crash, a sanitizer report) is a bug.
#include "artifact/manifest.hpp"
#include "artifact/pointer.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "invariant broken: %s %s\n", what, detail.c_str());
    std::abort();
}

void check_pointer(const std::string& text) {
    using namespace mlci::artifact;
    Pointer p;
    try {
        p = parse_pointer(text, "fuzz.mlci");
    } catch (const mlci::Error& e) {
        if (e.kind() != mlci::ErrorKind::input || std::string(e.what()).rfind("fuzz.mlci", 0) != 0) {
            fail("pointer error of the wrong kind or without the file name:", e.what());
        }
        return;
    }
    if (!mlci::relative_path_problem(p.path).empty()) {
        fail("accepted a path that escapes or hides:", p.path);
    }
    if (!mlci::is_hash_id(p.hash.id()) || p.size >= (1ull << 63)) {
        fail("accepted a bad hash or size");
    }
    if (!p.is_dir && p.nfiles != 0) {
        fail("nfiles without [dir]");
    }
    Pointer q;
    try {
        q = parse_pointer(format_pointer(p), "again.mlci");
    } catch (const mlci::Error& e) {
        fail("format_pointer wrote text that does not parse:", e.what());
    }
    if (q.path != p.path || !(q.hash == p.hash) || q.size != p.size || q.is_dir != p.is_dir ||
        q.nfiles != p.nfiles || q.meta.size() != p.meta.size()) {
        fail("format/parse round trip changed the pointer:", p.path);
    }
    if (format_pointer(q) != format_pointer(p)) {
        fail("format is not stable");
    }
}

void check_manifest(const std::string& text) {
    using namespace mlci::artifact;
    std::vector<ManifestEntry> m;
    try {
        m = parse_manifest(text, "fuzz-manifest");
    } catch (const mlci::Error& e) {
        if (e.kind() != mlci::ErrorKind::input) {
            fail("manifest error of the wrong kind:", e.what());
        }
        return;
    }
    for (size_t i = 0; i < m.size(); ++i) {
        if (!mlci::relative_path_problem(m[i].path).empty()) {
            fail("manifest accepted a bad path:", m[i].path);
        }
        if (i > 0 && !(m[i - 1].path < m[i].path)) {
            fail("manifest accepted unsorted paths");
        }
    }
    std::vector<ManifestEntry> copy = m;
    if (format_manifest(copy) != text) {
        fail("an accepted manifest is not in canonical form");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    check_pointer(text);
    check_manifest(text);
    return 0;
}
