// `git gate hook NAME`: the full (libgit2) path of every hook, chosen by name, then the chained hook.
// Apart from the hooks themselves so that mlci-hook, which never runs the full path, does not link it.
#include "eval/gate_text.hpp"
#include "hooks/gitcli.hpp"
#include "hooks/hook.hpp"
#include "util/error.hpp"

#include <cstdlib>
#include <iostream>
#include <iterator>

namespace mlci::hooks {

namespace {

std::string read_stdin() {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// The folder our shim ran from (the shim exports it); else ask git, which honours core.hooksPath
// (the git binary, not libgit2: this is on every hook's no-op path).
std::string shim_dir() {
    if (const char* d = std::getenv("MLCI_HOOK_DIR"); d != nullptr && *d) {
        return d;
    }
    auto r = run_git({"rev-parse", "--git-path", "hooks"});
    std::string dir = r.out;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) {
        dir.pop_back();
    }
    return r.ok() ? dir : "";
}

} // namespace

int run_hook(const std::string& name, const std::vector<std::string>& args,
             const std::function<void(const HookReport&)>& print) {
    HookReport rep;
    std::string input;
    if (name == "pre-commit") {
        rep = pre_commit(cache_pointer_check());
    } else if (name == "pre-push") {
        input = read_stdin();
        rep = pre_push(args.size() > 0 ? args[0] : "origin", args.size() > 1 ? args[1] : "", input,
                       [](const eval::GateResult& g) { return eval::gate_text(g); });
    } else if (name == "post-checkout") {
        rep = post_checkout(args);
    } else if (name == "post-merge") {
        rep = post_merge(args);
    } else {
        throw usage_error("unknown hook '" + name + "'",
                          "mlci's hooks: pre-commit, pre-push, post-checkout, post-merge");
    }
    print(rep);
    if (rep.exit_code != 0) {
        return rep.exit_code; // ours refused: the chained hook does not run, git stops
    }
    std::string dir = shim_dir();
    return dir.empty() ? 0 : run_chained(dir, name, args, input);
}

} // namespace mlci::hooks
