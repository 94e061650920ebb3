// Fuzz target for artifact pointers and directory manifests (mlci::artifact::parse_pointer,
// parse_manifest), and for pointers at a place in a tree (the first line a tree entry's path, the rest
// the pointer: relative_path_problem, target_of): any input either parses into a value whose every field
// satisfies DESIGN.md section 8 — and formats back to text that parses to the same value — or throws an
// input mlci::Error naming the source. An accepted path never has a part that an independent, plainer
// check finds naming .git (any case, NTFS trailing dots/spaces/streams, git~1, HFS+ ignorable code
// points), '.', '..' or nothing. Anything else (another exception, a crash, a sanitizer report) is a bug.
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

// The plain oracle: a part is dangerous when, with the code points HFS+ ignores removed (their UTF-8
// bytes are all E2 80 8C-8F, E2 80 AA-AE, E2 81 AA-AF, EF BB BF) and ASCII lower-cased, it is ".git" or
// "git~1", optionally followed by dots and spaces, and then the end or a ':'.
bool dangerous_part(const std::string& part) {
    if (part.empty() || part == "." || part == "..") {
        return true;
    }
    std::string p;
    for (size_t i = 0; i < part.size(); ++i) {
        auto u = [&](size_t k) { return k < part.size() ? static_cast<unsigned char>(part[k]) : 0u; };
        if (u(i) == 0xE2 && u(i + 1) == 0x80 &&
            ((u(i + 2) >= 0x8C && u(i + 2) <= 0x8F) || (u(i + 2) >= 0xAA && u(i + 2) <= 0xAE))) {
            i += 2;
            continue;
        }
        if (u(i) == 0xE2 && u(i + 1) == 0x81 && u(i + 2) >= 0xAA && u(i + 2) <= 0xAF) {
            i += 2;
            continue;
        }
        if (u(i) == 0xEF && u(i + 1) == 0xBB && u(i + 2) == 0xBF) {
            i += 2;
            continue;
        }
        char c = part[i];
        p += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    if (p == ".git") {
        return true; // the HFS+ form: exactly .git once the ignorables are gone
    }
    for (const std::string stem : {".git", "git~1"}) {
        if (part.size() < stem.size()) {
            continue;
        }
        std::string head;
        for (size_t i = 0; i < stem.size(); ++i) {
            char c = part[i];
            head += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        }
        if (head != stem) {
            continue;
        }
        size_t i = stem.size();
        while (i < part.size() && (part[i] == '.' || part[i] == ' ')) {
            ++i;
        }
        if (i == part.size() || part[i] == ':') {
            return true;
        }
    }
    return false;
}

void check_path_accepted(const std::string& path, const char* what) {
    if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos ||
        path.find('\\') != std::string::npos || path.find('\n') != std::string::npos) {
        fail(what, path);
    }
    size_t start = 0;
    while (true) {
        size_t end = path.find('/', start);
        std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (dangerous_part(part) || part.size() > 255) {
            fail(what, path);
        }
        if (end == std::string::npos) {
            return;
        }
        start = end + 1;
    }
}

void check_location(const std::string& text) {
    size_t nl = text.find('\n');
    std::string entry = text.substr(0, nl);
    if (mlci::relative_path_problem(entry).empty()) {
        check_path_accepted(entry, "accepted a tree entry's path that names .git or leaves the tree:");
    }
    if (nl == std::string::npos) {
        return;
    }
    mlci::artifact::Pointer p;
    try {
        p = mlci::artifact::parse_pointer(text.substr(nl + 1), "fuzz.mlci");
    } catch (const mlci::Error&) {
        return;
    }
    std::string target;
    try {
        target = mlci::artifact::target_of(entry, p, "fuzz.mlci");
    } catch (const mlci::Error& e) {
        if (e.kind() != mlci::ErrorKind::input) {
            fail("target refused with the wrong kind:", e.what());
        }
        return;
    }
    check_path_accepted(target, "accepted an artifact path that names .git or leaves the tree:");
    if (target.size() >= 5 && target.compare(target.size() - 5, 5, ".mlci") == 0) {
        fail("accepted an artifact path that names a pointer:", target);
    }
    if (target == ".mlci" || target.rfind(".mlci/", 0) == 0) {
        fail("accepted an artifact path in .mlci/:", target);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    check_pointer(text);
    check_manifest(text);
    check_location(text);
    return 0;
}
