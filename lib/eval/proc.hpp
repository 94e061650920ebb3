// Child processes without a shell: argv vectors through fork + execvp, an optional timeout that kills
// the child's whole process group, and optional capture of its output. Used to run suites and the
// `git` binary (fetch/push), never with a command line built from text.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlci::eval {

struct ProcOptions {
    std::vector<std::string> argv;
    std::string cwd;               // "" = the current directory
    double timeout_s = 0;          // 0 = none; on expiry SIGTERM to the group, SIGKILL 2 s later
    bool capture = false;          // collect stdout and stderr instead of passing them through
    bool stdout_to_stderr = false; // (not captured) the child's stdout goes to our stderr
    std::vector<std::pair<std::string, std::string>> env; // added to the environment
};

struct ProcResult {
    int exit_code = -1; // when it exited normally
    int signal = 0;     // when a signal ended it
    bool timed_out = false;
    bool exec_failed = false;
    std::string exec_error; // why it could not start ("No such file or directory")
    std::string out;        // captured stdout
    std::string err;        // captured stderr
    double seconds = 0;
    bool ok() const { return !exec_failed && !timed_out && signal == 0 && exit_code == 0; }
    /// "exit code 3", "killed by signal 9", "timeout after 2 s", "cannot run 'x': …"
    std::string describe(const std::string& program, double timeout_s) const;
};

ProcResult run_process(const ProcOptions& opt);

} // namespace mlci::eval
