// run_process (proc.hpp): posix_spawn of an argv (stdin /dev/null or a fed pipe, stdout and stderr passed
// through, redirected or captured, an optional process group and working directory), then one poll loop
// that feeds stdin, drains the captured pipes, and kills the child (or its group) at the timeout.
#include "util/proc.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mlci::util {

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

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The pipes between us and the child: our ends, -1 once closed.
struct Pipes {
    int in = -1; // we write the child's stdin
    int out = -1;
    int err = -1;
    size_t written = 0;
    size_t tee_tail = 0; // > 0: err is a tee, copied to our stderr, its tail kept

    ~Pipes() {
        for (int fd : {in, out, err}) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    bool any_open() const { return in >= 0 || out >= 0 || err >= 0; }
};

void close_fd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

void drain(int& fd, std::string& into) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
        into.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close_fd(fd);
    }
}

// Copy what the child wrote to our stderr, and keep its tail (between tail and 2 × tail bytes).
void tee(int& fd, std::string& tail, size_t keep) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(2, buf + done, static_cast<size_t>(n - done));
            if (w < 0 && errno != EINTR) {
                break; // our stderr is gone: keep the tail all the same
            }
            done += w > 0 ? w : 0;
        }
        tail.append(buf, static_cast<size_t>(n));
        if (tail.size() > 2 * keep) {
            tail.erase(0, tail.size() - keep);
        }
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close_fd(fd);
    }
}

void feed(Pipes& p, const std::string& input) {
    ssize_t w = ::write(p.in, input.data() + p.written, input.size() - p.written);
    if (w > 0) {
        p.written += static_cast<size_t>(w);
    }
    if ((w < 0 && errno != EAGAIN && errno != EINTR) || p.written >= input.size()) {
        close_fd(p.in); // done, or the child closed its stdin: stop feeding
    }
}

// One poll over the open pipes (at most wait_ms); false when poll itself failed or timed out.
bool pump(Pipes& p, const std::string& input, ProcResult& res, int wait_ms) {
    pollfd fds[3];
    nfds_t n = 0;
    for (int fd : {p.out, p.err}) {
        if (fd >= 0) {
            fds[n++] = {fd, POLLIN, 0};
        }
    }
    if (p.in >= 0) {
        fds[n++] = {p.in, POLLOUT, 0};
    }
    if (poll(fds, n, wait_ms) <= 0) {
        return false;
    }
    for (nfds_t k = 0; k < n; ++k) {
        if ((fds[k].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)) == 0) {
            continue;
        }
        if (fds[k].fd == p.out) {
            drain(p.out, res.out);
        } else if (fds[k].fd == p.err && p.tee_tail > 0) {
            tee(p.err, res.err, p.tee_tail);
        } else if (fds[k].fd == p.err) {
            drain(p.err, res.err);
        } else {
            feed(p, input);
        }
    }
    return true;
}

int make_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw io_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    }
    return fds[0];
}

// The environment for the child: ours with opt.env added (a key given there replaces ours).
std::vector<std::string> child_env(const ProcOptions& opt) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string kv(*e);
        bool replaced = false;
        for (const auto& [k, v] : opt.env) {
            replaced =
                replaced || (kv.size() > k.size() && kv.compare(0, k.size(), k) == 0 && kv[k.size()] == '=');
        }
        if (!replaced) {
            env.push_back(std::move(kv));
        }
    }
    for (const auto& [k, v] : opt.env) {
        env.push_back(k + "=" + v);
    }
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

// posix_spawn with the options' file actions; the child's pid, or the error number as a negative value.
pid_t spawn(const ProcOptions& opt, int in_read, int out_write, int err_write) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in_read >= 0) {
        posix_spawn_file_actions_adddup2(&fa, in_read, 0);
    } else {
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    }
    if (out_write >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out_write, 1);
        posix_spawn_file_actions_adddup2(&fa, err_write, 2);
    } else if (err_write >= 0) { // tee_tail: stderr (and stdout with it) into our pipe
        posix_spawn_file_actions_adddup2(&fa, err_write, 2);
        if (opt.stdout_to_stderr) {
            posix_spawn_file_actions_adddup2(&fa, err_write, 1);
        }
    } else if (opt.stdout_to_stderr) {
        posix_spawn_file_actions_adddup2(&fa, 2, 1);
    }
    if (!opt.cwd.empty()) {
        posix_spawn_file_actions_addchdir_np(&fa, opt.cwd.c_str());
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The child gets SIGPIPE's default action back: this process may ignore it (a fed stdin, below), and
    // an ignored signal would otherwise be inherited by every program spawned after that.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    short flags = POSIX_SPAWN_SETSIGDEF;
    if (opt.new_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);
    std::vector<std::string> argv_s = opt.argv;
    std::vector<char*> argv = pointers(argv_s);
    std::vector<std::string> env_s;
    std::vector<char*> envp;
    if (!opt.env.empty()) {
        env_s = child_env(opt);
        envp = pointers(env_s);
    }
    char** env = opt.env.empty() ? environ : envp.data();
    pid_t pid = 0;
    int rc = opt.search_path ? posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), env)
                             : posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}

void set_status(ProcResult& res, int status) {
    if (WIFEXITED(status)) {
        res.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res.signal = WTERMSIG(status);
    }
}

} // namespace

ProcResult run_process(const ProcOptions& opt) {
    if (opt.argv.empty()) {
        throw usage_error("no command to run");
    }
    if (opt.input) {
        std::signal(SIGPIPE, SIG_IGN);
    }
    Pipes p;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (opt.input) {
        make_pipe(in);
        p.in = in[1];
    }
    if (opt.capture) {
        p.out = make_pipe(out);
        p.err = make_pipe(err);
    } else if (opt.tee_tail > 0) {
        p.err = make_pipe(err);
        p.tee_tail = opt.tee_tail;
    }
    ProcResult res;
    auto start = Clock::now();
    pid_t pid = spawn(opt, in[0], out[1], err[1]);
    for (int fd : {in[0], out[1], err[1]}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    if (pid < 0) {
        res.exec_failed = true;
        res.exec_error = std::strerror(static_cast<int>(-pid));
        return res;
    }
    static const std::string none;
    const std::string& input = opt.input ? *opt.input : none;
    if (p.in >= 0) {
        if (input.empty()) {
            close_fd(p.in);
        } else {
            fcntl(p.in, F_SETFL, O_NONBLOCK);
        }
    }
    auto kill_child = [&](int sig) { opt.new_group ? killpg(pid, sig) : kill(pid, sig); };
    bool killed = false;
    Clock::time_point kill_time;
    int status = 0;
    while (true) {
        if (p.any_open()) {
            pump(p, input, res, 20);
        } else if (opt.timeout_s <= 0) {
            // Nothing to feed or drain and no clock to watch: just wait.
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        } else {
            usleep(10000);
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        if (opt.timeout_s > 0 && !killed && since(start) > opt.timeout_s) {
            kill_child(SIGTERM);
            killed = true;
            res.timed_out = true;
            kill_time = Clock::now();
        }
        if (killed && since(kill_time) > 2.0) {
            kill_child(SIGKILL);
        }
    }
    // Whatever the group left behind after a timeout goes too (a lone child is reaped already).
    if (killed && opt.new_group) {
        killpg(pid, SIGKILL);
    }
    // The child is gone; a grandchild may still hold the pipes open, so read only what is there.
    close_fd(p.in);
    while (p.any_open() && pump(p, input, res, 500)) {
    }
    if (p.tee_tail > 0 && res.err.size() > p.tee_tail) {
        res.err.erase(0, res.err.size() - p.tee_tail);
    }
    res.seconds = since(start);
    set_status(res, status);
    return res;
}

} // namespace mlci::util
