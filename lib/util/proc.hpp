// Child processes without a shell, for every caller in mlci: argv vectors started with posix_spawn (cheaper
// than fork for a process with a large address space, and the hooks start git on every commit), an optional
// timeout that kills the child's whole process group, optional capture of stdout and stderr, optional text
// fed to stdin. Suites, `git gate sync`, worktrees, the hooks' git calls and chained hooks, and promotion's
// tag pushes all run through run_process.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlci::util {

struct ProcOptions {
    std::vector<std::string> argv;
    bool search_path = true;       // argv[0] without a '/' is looked up in PATH; false: run exactly that file
    std::string cwd;               // "" = the current directory
    double timeout_s = 0;          // 0 = none; on expiry SIGTERM to the group, SIGKILL 2 s later
    bool new_group = false;        // the child leads a process group of its own (needed for timeouts)
    bool capture = false;          // collect stdout and stderr instead of passing them through
    bool stdout_to_stderr = false; // (not captured) the child's stdout goes to our stderr
    /// (not captured) > 0: the child's stderr (and its stdout with stdout_to_stderr) still reaches our
    /// stderr, through a pipe, and the last bytes of it, about this many, are kept in ProcResult::err —
    /// what a crashed tool said last.
    size_t tee_tail = 0;
    /// nullopt: stdin is /dev/null. Else stdin is a pipe fed with this text, and SIGPIPE is ignored (in
    /// this process and so in the child) in case the child exits before reading it all.
    std::optional<std::string> input;
    std::vector<std::pair<std::string, std::string>> env; // added to (or replacing in) the environment
};

struct ProcResult {
    int exit_code = -1; // when it exited normally
    int signal = 0;     // when a signal ended it
    bool timed_out = false;
    bool exec_failed = false;
    std::string exec_error; // why it could not start ("No such file or directory")
    std::string out;        // captured stdout
    std::string err;        // captured stderr; with tee_tail, the tail of it
    double seconds = 0;
    bool ok() const { return !exec_failed && !timed_out && signal == 0 && exit_code == 0; }
    /// "exit code 3", "killed by signal 9", "timeout after 2 s", "cannot run 'x': …"
    std::string describe(const std::string& program, double timeout_s) const;
};

/// Start, feed, drain and wait. Throws only when the pipes cannot be made (io_error) or argv is empty
/// (usage_error); a program that cannot start comes back as exec_failed.
ProcResult run_process(const ProcOptions& opt);

} // namespace mlci::util
