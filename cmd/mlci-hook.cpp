// mlci-hook: what the installed hook shims run. It decides the common case — nothing mlci cares about
// is staged, pushed or checked out — reading .git itself through lib/git/lite (falling back to the git
// binary for layouts it does not read), in a process that does not even load libgit2 (linked
// --as-needed; loading libgit2 with its TLS and SSH libraries costs more than `git rev-parse HEAD`).
// When there is real work (a gate to check, a pointer to verify, artifacts to upload or check out) it
// replaces itself with `git-gate hook NAME ARGS...`, with the same stdin.
// No CLI11 here: the arguments are git's, passed through untouched.
#include "hooks/hook.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace mlci;

namespace {

std::string read_stdin() {
    std::string out;
    char buf[65536];
    while (true) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

[[noreturn]] void escalate(const std::string& name, const std::vector<std::string>& args,
                           const std::string& input, bool fed_stdin) {
    if (fed_stdin) {
        // Hand the stdin we consumed to git-gate: an anonymous memory file as its fd 0.
        int fd = memfd_create("mlci-hook-stdin", 0);
        if (fd < 0 || ::write(fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
            lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) < 0) {
            std::fprintf(stderr, "error: mlci %s hook: cannot pass stdin on: %s\n", name.c_str(),
                         std::strerror(errno));
            std::exit(1);
        }
        ::close(fd);
    }
    std::vector<std::string> argv_s = {"git-gate", "hook", name};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    execvp("git-gate", argv.data());
    std::fprintf(stderr, "error: mlci %s hook: cannot run git-gate: %s\n", name.c_str(),
                 std::strerror(errno));
    std::fprintf(stderr, "hint: install mlci, or skip the hook once with --no-verify\n");
    std::exit(1);
}

std::string hooks_dir_of_shim() {
    const char* d = std::getenv("MLCI_HOOK_DIR");
    return d != nullptr ? d : "";
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: mlci-hook HOOK [ARGS...]   (run by the shims git gate install-hooks writes)\n");
        return 2;
    }
    std::string name = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    std::string input;
    bool fed_stdin = false;
    hooks::HookReport rep;
    try {
        if (name == "pre-commit") {
            rep = hooks::pre_commit(nullptr);
        } else if (name == "pre-push") {
            input = read_stdin();
            fed_stdin = true;
            rep.escalate = !hooks::plan_push(args.empty() ? "origin" : args[0], input).empty();
        } else if (name == "post-checkout" || name == "post-merge") {
            bool file_checkout = name == "post-checkout" && args.size() >= 3 && args[2] == "0";
            rep.escalate = !file_checkout && hooks::tracks_pointers();
        } else {
            std::fprintf(stderr, "error: unknown hook %s\n", quoted(name).c_str());
            return 2;
        }
    } catch (...) {
        // An Error, or anything else the fast path did not expect (std::bad_alloc on a corrupt object,
        // git::lite::Unsupported that escaped): let the full path decide and report it in its own words
        // (and decide for post-* hooks, which never refuse).
        rep = hooks::HookReport{};
        rep.escalate = true;
    }
    if (rep.escalate) {
        escalate(name, args, input, fed_stdin);
    }
    // The lines quote staged paths and refs: through the safety net, as git-gate prints them (issue 12).
    std::string text;
    for (const auto& line : rep.lines) {
        text += terminal_safe(line, use_colour()) + "\n";
    }
    std::fwrite(text.data(), 1, text.size(), stderr);
    if (rep.exit_code != 0) {
        return rep.exit_code;
    }
    std::string dir = hooks_dir_of_shim();
    try {
        return dir.empty() ? 0 : hooks::run_chained(dir, name, args, input);
    } catch (const Error& e) {
        std::string text = message_lines("error: ", e.what());
        std::fwrite(text.data(), 1, text.size(), stderr);
        return 1;
    }
}
