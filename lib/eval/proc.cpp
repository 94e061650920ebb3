// run_process (proc.hpp): fork + execvp of an argv in its own process group, a poll loop that drains the
// captured pipes and kills the whole group at the timeout; exec failures come back through a CLOEXEC pipe.
#include "eval/proc.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlci::eval {

std::string ProcResult::describe(const std::string& program, double timeout_s) const {
    if (exec_failed) {
        return "cannot run '" + program + "': " + exec_error;
    }
    if (timed_out) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "timeout after %g s", timeout_s);
        return buf;
    }
    if (signal != 0) {
        return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    }
    return "exit code " + std::to_string(exit_code);
}

namespace {

void drain(int fd, std::string& into, bool& open) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
        into.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        open = false;
    }
}

} // namespace

ProcResult run_process(const ProcOptions& opt) {
    if (opt.argv.empty()) {
        throw usage_error("no command to run");
    }
    ProcResult res;
    int errpipe[2];
    int outpipe[2] = {-1, -1};
    int errcap[2] = {-1, -1};
    if (pipe2(errpipe, O_CLOEXEC) != 0 ||
        (opt.capture && (pipe2(outpipe, O_CLOEXEC) != 0 || pipe2(errcap, O_CLOEXEC) != 0))) {
        throw io_error("cannot create a pipe: " + errno_text(errno));
    }
    std::vector<char*> argv;
    for (const auto& a : opt.argv) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid < 0) {
        throw io_error("cannot start '" + opt.argv[0] + "': " + errno_text(errno));
    }
    if (pid == 0) {
        // Child: own process group, so a timeout can kill what the suite started too.
        setpgid(0, 0);
        if (opt.capture) {
            dup2(outpipe[1], 1);
            dup2(errcap[1], 2);
        } else if (opt.stdout_to_stderr) {
            dup2(2, 1);
        }
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        for (const auto& [k, v] : opt.env) {
            setenv(k.c_str(), v.c_str(), 1);
        }
        if (!opt.cwd.empty() && chdir(opt.cwd.c_str()) != 0) {
            int e = errno;
            (void)!::write(errpipe[1], &e, sizeof e);
            _exit(127);
        }
        execvp(argv[0], argv.data());
        int e = errno;
        (void)!::write(errpipe[1], &e, sizeof e);
        _exit(127);
    }
    setpgid(pid, pid);
    ::close(errpipe[1]);
    bool out_open = opt.capture;
    bool err_open = opt.capture;
    if (opt.capture) {
        ::close(outpipe[1]);
        ::close(errcap[1]);
    }
    bool killed = false;
    std::chrono::steady_clock::time_point kill_time;
    int status = 0;
    while (true) {
        if (out_open || err_open) {
            pollfd fds[2];
            nfds_t n = 0;
            if (out_open) {
                fds[n++] = {outpipe[0], POLLIN, 0};
            }
            if (err_open) {
                fds[n++] = {errcap[0], POLLIN, 0};
            }
            if (poll(fds, n, 20) > 0) {
                for (nfds_t k = 0; k < n; ++k) {
                    if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                        continue;
                    }
                    if (fds[k].fd == outpipe[0]) {
                        drain(outpipe[0], res.out, out_open);
                    } else {
                        drain(errcap[0], res.err, err_open);
                    }
                }
            }
        } else {
            usleep(10000);
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            break;
        }
        auto now = std::chrono::steady_clock::now();
        double elapsed = std::chrono::duration<double>(now - start).count();
        if (opt.timeout_s > 0 && elapsed > opt.timeout_s && !killed) {
            killpg(pid, SIGTERM);
            killed = true;
            res.timed_out = true;
            kill_time = now;
        }
        if (killed && std::chrono::duration<double>(now - kill_time).count() > 2.0) {
            killpg(pid, SIGKILL);
        }
    }
    // Whatever the group left behind after a timeout goes too.
    if (killed) {
        killpg(pid, SIGKILL);
    }
    // The child is gone; a grandchild may still hold the pipes open, so read only what is there.
    while (out_open || err_open) {
        pollfd fds[2];
        nfds_t n = 0;
        if (out_open) {
            fds[n++] = {outpipe[0], POLLIN, 0};
        }
        if (err_open) {
            fds[n++] = {errcap[0], POLLIN, 0};
        }
        if (poll(fds, n, 500) <= 0) {
            break;
        }
        for (nfds_t k = 0; k < n; ++k) {
            if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                if (fds[k].fd == outpipe[0]) {
                    drain(outpipe[0], res.out, out_open);
                } else {
                    drain(errcap[0], res.err, err_open);
                }
            }
        }
    }
    if (opt.capture) {
        ::close(outpipe[0]);
        ::close(errcap[0]);
    }
    int child_errno = 0;
    if (::read(errpipe[0], &child_errno, sizeof child_errno) == static_cast<ssize_t>(sizeof child_errno)) {
        res.exec_failed = true;
        res.exec_error = errno_text(child_errno);
    }
    ::close(errpipe[0]);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) {
        res.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res.signal = WTERMSIG(status);
    }
    return res;
}

} // namespace mlci::eval
