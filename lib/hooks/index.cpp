#include "hooks/index.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"

namespace mlci::hooks {

namespace {
uint32_t be32(const unsigned char* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
} // namespace

std::optional<std::map<std::string, uint32_t>> read_index_sizes(const std::string& index_path) {
    std::optional<std::string> data;
    try {
        data = read_file_if_exists(index_path, uint64_t(1) << 31);
    } catch (const Error&) {
        return std::nullopt;
    }
    if (!data || data->size() < 12 + 20) {
        return std::nullopt;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data->data());
    size_t n = data->size() - 20; // trailing checksum
    if (std::string_view(data->data(), 4) != "DIRC") {
        return std::nullopt;
    }
    uint32_t version = be32(p + 4);
    uint32_t count = be32(p + 8);
    if (version < 2 || version > 4) {
        return std::nullopt;
    }
    std::map<std::string, uint32_t> out;
    size_t pos = 12;
    std::string prev;
    // Entry: ctime 8, mtime 8, dev, ino, mode, uid, gid, size (4 each), id 20, flags 2 = 62 bytes.
    for (uint32_t i = 0; i < count; ++i) {
        size_t start = pos;
        if (pos + 62 > n) {
            return std::nullopt;
        }
        uint32_t size = be32(p + pos + 36);
        uint16_t flags = static_cast<uint16_t>((p[pos + 60] << 8) | p[pos + 61]);
        pos += 62;
        if (flags & 0x4000) { // extended flags (version 3+)
            pos += 2;
        }
        std::string path;
        if (version == 4) {
            // Prefix compression: a varint of bytes to drop from the previous path, then the suffix.
            uint64_t strip = 0;
            if (pos >= n) {
                return std::nullopt;
            }
            unsigned char c = p[pos++];
            strip = c & 0x7f;
            while (c & 0x80) {
                if (pos >= n) {
                    return std::nullopt;
                }
                c = p[pos++];
                strip = ((strip + 1) << 7) | (c & 0x7f);
            }
            if (strip > prev.size()) {
                return std::nullopt;
            }
            size_t nul = data->find('\0', pos);
            if (nul == std::string::npos || nul >= n) {
                return std::nullopt;
            }
            path = prev.substr(0, prev.size() - strip) + data->substr(pos, nul - pos);
            pos = nul + 1;
        } else {
            size_t nul = data->find('\0', pos);
            if (nul == std::string::npos || nul >= n) {
                return std::nullopt;
            }
            path = data->substr(pos, nul - pos);
            // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
            size_t len = nul - start;
            pos = start + ((len + 8) & ~size_t(7));
        }
        out[path] = size;
        prev = std::move(path);
    }
    return out;
}

} // namespace mlci::hooks
