// File helpers: owned descriptors, whole-file reads with a size bound, and atomic writes
// (temporary file beside the target, fsync, rename) as DESIGN.md section 8 requires.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlci {

/// Owns a file descriptor; closes it on destruction.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { close(); }
    Fd(Fd&& o) noexcept : m_fd(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            close();
            m_fd = o.release();
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return m_fd; }
    explicit operator bool() const { return m_fd >= 0; }
    int release() {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void close();

  private:
    int m_fd = -1;
};

/// Read a whole regular file. Throws io_error when unreadable, input_error when larger than max_size.
std::string read_file(const std::string& path, uint64_t max_size = UINT64_MAX);
/// Like read_file, but nullopt when the file does not exist.
std::optional<std::string> read_file_if_exists(const std::string& path, uint64_t max_size = UINT64_MAX);

/// A regular file mapped read-only, for a large file scanned once (packed-refs): the kernel maps its
/// pages as they are read, with no copy into fresh heap pages (a page fault each on first touch).
/// Writers that replace the file by rename (git, libgit2, mlci) leave the mapping on the old one.
class MappedFile {
  public:
    /// nullopt when the file does not exist; io_error when it cannot be read or is a folder.
    static std::optional<MappedFile> open_if_exists(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& o) noexcept;
    MappedFile& operator=(MappedFile&&) = delete;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view data() const { return {static_cast<const char*>(m_addr), m_size}; }

  private:
    MappedFile() = default;
    void* m_addr = nullptr; // nullptr for an empty file
    size_t m_size = 0;
};

/// Open `rel` ('/'-separated, no '.' or '..' parts) below the open folder root_fd without following a
/// symbolic link anywhere on the way or at the end (openat2 with RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
/// else openat one part at a time with O_NOFOLLOW). An invalid Fd on failure, errno set (ELOOP: a link).
Fd open_below(int root_fd, std::string_view rel, int flags, unsigned mode = 0);
/// Read the regular file `rel` below the folder `root` (the work tree, a store) with no link on the way:
/// nullopt when it does not exist; input_error (exit 2) for a link, a FIFO or any non-regular file, or
/// one larger than max_size. Files a clone brings (configs, pointers, .gitignore) are read this way.
std::optional<std::string> read_file_below(const std::string& root, std::string_view rel, uint64_t max_size);

/// The first folder on the way from `top` to `rel` (rel's parts but the last) that is a symbolic link or
/// not a folder, relative to top; "" when every existing one is a real folder.
std::string link_on_way(const std::string& top, std::string_view rel);

bool path_exists(const std::string& path);     // lstat succeeds
bool is_regular_file(const std::string& path); // lstat: a regular file, not a symlink
bool is_directory(const std::string& path);    // lstat: a directory, not a symlink
/// mkdir -p; throws io_error on failure.
void make_dirs(const std::string& path, unsigned mode = 0777);
/// Parent folder of a '/'-separated path ("" for a bare name).
std::string dirname_of(std::string_view path);
std::string basename_of(std::string_view path);
/// Join with one '/'.
std::string path_join(std::string_view a, std::string_view b);

/// A temporary's path beside `target`: `<name>.mlci-tmp.<16 hex>`, where <name> is at most the first 64
/// bytes of the target's name, so that the temporary of a 255-byte name still fits NAME_MAX.
std::string temp_path_for(const std::string& target);

/// A file with no name yet in folder `dir` (O_TMPFILE), to be named by name_unnamed once written: no
/// temporary name is created and renamed, and a killed run leaves nothing behind. An invalid Fd when the
/// filesystem or kernel has no unnamed files (then the caller writes a named temporary instead); after
/// such a refusal, or a failed naming, this process stops asking.
Fd open_unnamed(const std::string& dir, unsigned mode);
/// Give the unnamed file `fd` the name `path`, atomically; never replaces an existing name (false with
/// errno EEXIST). False with another errno (no /proc to name it through) also stops open_unnamed.
bool name_unnamed(int fd, const std::string& path);

/// A temporary file beside `target` (named by temp_path_for), renamed onto target by
/// commit() after fsync. Destroyed without commit, it deletes the temporary.
class AtomicFile {
  public:
    explicit AtomicFile(std::string target, unsigned mode = 0666);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view data);
    int fd() const { return m_fd.get(); }
    const std::string& temp_path() const { return m_temp; }
    /// fsync (unless sync is false: the caller batches durability), then rename onto the target.
    void commit(bool sync = true);

  private:
    std::string m_target;
    std::string m_temp;
    Fd m_fd;
    bool m_committed = false;
};

/// Write a file atomically in one call.
void write_file_atomic(const std::string& path, std::string_view data, bool sync = true);

/// Write all bytes to fd (retrying short writes); throws io_error naming `what`.
void write_all(int fd, const void* data, size_t size, const std::string& what);

/// fsync a directory so a rename in it is durable.
void fsync_dir(const std::string& dir);

/// Random lowercase hex suffix for temporary names.
std::string random_suffix();

/// strerror(errno) as a std::string.
std::string errno_text(int err);

} // namespace mlci
