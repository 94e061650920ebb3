// Running a foreign hook that install-hooks kept as NAME.mlci-chained: after ours, with the same
// arguments and the same stdin (pre-push's ref lines), its exit code becoming the hook's.
#include "hooks/hook.hpp"

#include "fsutil/file.hpp"
#include "hooks/install.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mlci::hooks {

int run_chained(const std::string& hooks_dir, const std::string& name, const std::vector<std::string>& args,
                const std::string& input) {
    std::string path = hooks_dir + "/" + name + k_chained_suffix;
    if (access(path.c_str(), X_OK) != 0) {
        return 0;
    }
    std::signal(SIGPIPE, SIG_IGN);
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        throw io_error("cannot create a pipe: " + errno_text(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    std::vector<std::string> argv_s = {path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    if (rc != 0) {
        ::close(in[1]);
        throw io_error("cannot run the chained hook '" + path + "': " + errno_text(rc));
    }
    // A hook that does not read its stdin closes the pipe early: EPIPE is fine.
    size_t off = 0;
    while (off < input.size()) {
        ssize_t w = ::write(in[1], input.data() + off, input.size() - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        off += static_cast<size_t>(w);
    }
    ::close(in[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

} // namespace mlci::hooks
