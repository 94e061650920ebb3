// Running the `git` binary from hooks: argv only (no shell), optional stdin, captured stdout.
// The hooks' no-op paths use git itself instead of libgit2, whose initialisation (Debian's build
// parses the system CA bundle) costs more than the whole decision.
#pragma once

#include <string>
#include <vector>

namespace mlci::hooks {

struct GitOutput {
    int status = -1; // exit code; -1 when git could not be started or died by a signal
    std::string out; // stdout
    std::string err; // stderr
    bool ok() const { return status == 0; }
};

/// Run `git ARGS...` in the current directory with `input` on stdin; waits for it.
GitOutput run_git(const std::vector<std::string>& args, const std::string& input = "");

} // namespace mlci::hooks
