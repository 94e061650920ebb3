// Opening folders for listing (dir.hpp); the listing loop itself is the template in the header.
#include "fsutil/dir.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace mlci {

DIR* open_dir(const std::string& path) {
    return ::opendir(path.c_str());
}

DIR* open_dir_at(int dirfd, const char* name) {
    int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return nullptr;
    }
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
    }
    return d;
}

} // namespace mlci
