// run_git (gitcli.hpp): the git binary with an argv, stdin fed and stdout and stderr drained together so
// no pipe fills up, SIGPIPE ignored in case git exits before reading all of its input.
#include "hooks/gitcli.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mlci::hooks {

GitOutput run_git(const std::vector<std::string>& args, const std::string& input) {
    // A git that exits before reading all of stdin must not kill us with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw io_error("cannot create a pipe: " + errno_text(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<std::string> argv_s = {"git"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    GitOutput res;
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        res.err = "cannot run git: " + errno_text(rc);
        return res;
    }
    // Feed stdin and drain both outputs together so neither side blocks on a full pipe.
    size_t written = 0;
    int in_fd = in[1];
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    } else {
        fcntl(in_fd, F_SETFL, O_NONBLOCK);
    }
    bool out_open = true, err_open = true;
    char buf[65536];
    while (out_open || err_open || in_fd >= 0) {
        pollfd fds[3];
        int n = 0;
        int i_out = -1, i_err = -1, i_in = -1;
        if (out_open) {
            fds[n] = {out[0], POLLIN, 0};
            i_out = n++;
        }
        if (err_open) {
            fds[n] = {err[0], POLLIN, 0};
            i_err = n++;
        }
        if (in_fd >= 0) {
            fds[n] = {in_fd, POLLOUT, 0};
            i_in = n++;
        }
        if (poll(fds, static_cast<nfds_t>(n), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        auto drain = [&](int idx, int fd, std::string& into, bool& open) {
            if (idx >= 0 && (fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t r = ::read(fd, buf, sizeof buf);
                if (r > 0) {
                    into.append(buf, static_cast<size_t>(r));
                } else if (r == 0 || errno != EINTR) {
                    open = false;
                }
            }
        };
        drain(i_out, out[0], res.out, out_open);
        drain(i_err, err[0], res.err, err_open);
        if (i_in >= 0 && (fds[i_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
            if (w > 0) {
                written += static_cast<size_t>(w);
            }
            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                written = input.size(); // git closed its stdin: stop feeding
            }
            if (written >= input.size()) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
    }
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    res.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return res;
}

} // namespace mlci::hooks
