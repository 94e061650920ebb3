// Copying file contents the cheapest way the filesystem allows (a reflink, then copy_file_range, then
// read/write), and the one per-thread I/O buffer that copies and hashing loops share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace mlci {

/// Size of io_buffer(): 256 KiB fits L2, so a hash reads what read() has just written.
inline constexpr size_t k_io_buffer_size = 256 << 10;
/// This thread's page-aligned buffer of k_io_buffer_size bytes (allocated on first use).
char* io_buffer();
/// read(2), retried on EINTR.
ssize_t read_some(int fd, char* buf, size_t n);

/// Throw io_error "cannot read 'what': <errno text>" (read_each's error, out of line).
[[noreturn]] void throw_read_error(const std::string& what);

/// Read `fd` to its end through io_buffer(), handing each piece to `each(const char*, size_t)`;
/// returns the bytes read. The loop every hashing and copying reader shares.
template <class F>
uint64_t read_each(int fd, const std::string& what, F&& each) {
    char* buf = io_buffer();
    uint64_t total = 0;
    while (true) {
        ssize_t n = read_some(fd, buf, k_io_buffer_size);
        if (n < 0) {
            throw_read_error(what);
        }
        if (n == 0) {
            return total;
        }
        each(static_cast<const char*>(buf), static_cast<size_t>(n));
        total += static_cast<uint64_t>(n);
    }
}

/// Make `out` share `in`'s blocks (FICLONE: btrfs, XFS, …); false when the filesystem cannot.
bool reflink_fd(int in, int out);
/// Copy fd `in` to fd `out`: reflink when allow_reflink and possible, else copy_file_range, else
/// read/write. Throws io_error naming `what`.
void copy_fd(int in, int out, bool allow_reflink, const std::string& what);

} // namespace mlci
