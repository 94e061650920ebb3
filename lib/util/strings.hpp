// Small string helpers shared by every module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci {

std::vector<std::string> split(std::string_view s, char sep);
std::vector<std::string> split_lines(std::string_view s); // on '\n', a final '\r' dropped; no empty last
std::string_view trim(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);

/// Glob match of a path as .gitignore-like patterns do: `*` and `?` stop at '/', `**` crosses folders,
/// `[abc]` classes. A pattern without '/' matches the last path component as well as the whole path.
bool glob_match(std::string_view pattern, std::string_view path);

/// Parse a size such as "10MiB", "1.5GB", "512" (bytes). B, KB/MB/GB/TB = 10^n, KiB/MiB/GiB/TiB = 2^n.
std::optional<uint64_t> parse_size(std::string_view s);
/// Parse a duration such as "15m", "90s", "1h30m", "500ms", "2" (seconds).
std::optional<double> parse_duration(std::string_view s);

/// "2026-11-25 09:30" (UTC) for seconds since the epoch: how tables show tag and commit dates.
std::string utc_minute(int64_t seconds);
/// "2026-11-25 09:30:07 UTC": the same to the second, for messages that name one tag's time.
std::string utc_second(int64_t seconds);

/// Human size: 1.5 KiB, 200 MiB.
std::string human_size(uint64_t bytes);

/// Valid UTF-8 (no overlongs, no surrogates). On failure, *bad_offset is set to the first bad byte.
/// Non-empty and only lowercase hex digits [0-9a-f] (object ids and hashes as mlci writes them).
bool is_lower_hex(std::string_view s);

bool valid_utf8(std::string_view s, size_t* bad_offset = nullptr);
/// The length (2 to 4) of the valid multi-byte UTF-8 sequence at s[i], its code point in cp; 0 when the
/// bytes there are not one (a stray continuation byte, a truncated sequence, an overlong form, a
/// surrogate, past U+10FFFF, or an ASCII byte). valid_utf8 decides with it.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp);

/// Quote for messages: 'x' with control characters escaped as term_escape (escape.hpp) does, so a file
/// name with a newline or an escape sequence stays one inert line.
std::string quoted(std::string_view s);

} // namespace mlci
