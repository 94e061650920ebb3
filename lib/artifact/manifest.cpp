// Directory manifests (manifest.hpp): format sorts the entries and writes one line each; parse refuses
// any line, path, order or file/folder clash that format would never write.
#include "artifact/manifest.hpp"

#include "artifact/pointer.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

namespace mlci::artifact {

uint64_t manifest_max_bytes(uint64_t nfiles) {
    constexpr uint64_t k_line_max = 39 + 1 + 19 + 1 + 3 + 1 + 4096 + 1;
    return nfiles > (UINT64_MAX / k_line_max) ? UINT64_MAX : nfiles * k_line_max;
}

std::string format_manifest(std::vector<ManifestEntry>& entries) {
    std::sort(entries.begin(), entries.end(),
              [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
    std::string out;
    out.reserve(entries.size() * 80);
    for (const auto& e : entries) {
        out += e.hash.id();
        out += ' ';
        out += std::to_string(e.size);
        out += e.exec ? " 755 " : " 644 ";
        out += e.path;
        out += '\n';
    }
    return out;
}

std::vector<ManifestEntry> parse_manifest(std::string_view text, const std::string& source) {
    std::vector<ManifestEntry> out;
    std::unordered_set<std::string> files;
    out.reserve(text.size() / 64);
    size_t line_no = 0;
    size_t pos = 0;
    auto fail = [&](const std::string& why) {
        throw input_error(source + ":" + std::to_string(line_no) + ": invalid manifest: " + why);
    };
    while (pos < text.size()) {
        ++line_no;
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            fail("the last line has no newline");
        }
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        // xxh128:<32 hex> SP size SP mode SP path
        if (line.size() < 39 + 1 || line[39] != ' ') {
            fail("expected 'xxh128:<hex> <size> <644|755> <path>'");
        }
        ManifestEntry e;
        if (!parse_hash_id(line.substr(0, 39), &e.hash)) {
            fail("bad hash (\"xxh128:\" and 32 lowercase hex digits)");
        }
        std::string_view rest = line.substr(40);
        size_t sp = rest.find(' ');
        if (sp == std::string_view::npos || sp == 0 || sp > 19) {
            fail("bad size");
        }
        std::string_view size_text = rest.substr(0, sp);
        if (size_text.size() > 1 && size_text[0] == '0') {
            fail("bad size (leading zero)");
        }
        auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), e.size);
        if (ec != std::errc() || ptr != size_text.data() + size_text.size() || e.size >= (1ull << 63)) {
            fail("bad size (an integer in [0, 2^63))");
        }
        rest = rest.substr(sp + 1);
        if (rest.size() < 5 || rest[3] != ' ') {
            fail("bad mode (644 or 755)");
        }
        if (rest.substr(0, 3) == "755") {
            e.exec = true;
        } else if (rest.substr(0, 3) != "644") {
            fail("bad mode (644 or 755)");
        }
        e.path = std::string(rest.substr(4));
        std::string why = relative_path_problem(e.path);
        if (!why.empty()) {
            fail("path " + quoted(e.path) + " is refused: " + why);
        }
        if (!out.empty()) {
            const std::string& prev = out.back().path;
            if (!(prev < e.path)) {
                fail("paths are not sorted and unique (" + quoted(e.path) + " after " + quoted(prev) + ")");
            }
        }
        // A file is listed before any path below it (bytewise order), so one look-up per folder suffices.
        for (size_t s = e.path.find('/'); s != std::string::npos; s = e.path.find('/', s + 1)) {
            if (files.count(e.path.substr(0, s))) {
                fail(quoted(e.path.substr(0, s)) + " is both a file and a folder");
            }
        }
        out.push_back(std::move(e));
        files.insert(out.back().path);
    }
    return out;
}

} // namespace mlci::artifact
