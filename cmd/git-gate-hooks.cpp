// git gate hook | install-hooks | uninstall-hooks: the hooks' entry points (the shims in hooks/ exec
// `git gate hook NAME "$@"`), and their installation, also run by `git gate init`.
#include "common.hpp"
#include "eval/check.hpp"
#include "eval/gate_text.hpp"
#include "git-gate.hpp"
#include "hooks/gitcli.hpp"
#include "hooks/hook.hpp"
#include "hooks/install.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/term.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>

namespace mlci::gate {

namespace {

// The hooks' lines quote staged paths, refs, notes and gate tables: written through the safety net
// (terminal_safe), so no control character but paint()'s colours reaches the terminal (issue 12).
void print(const hooks::HookReport& rep) {
    std::string text;
    for (const auto& line : rep.lines) {
        text += terminal_safe(line, use_colour()) + "\n";
    }
    std::fwrite(text.data(), 1, text.size(), stderr);
}

std::string read_stdin() {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// The folder our shim ran from (the shim exports it); else ask git, which honours core.hooksPath
// (the git binary, not libgit2: this is on every hook's no-op path).
std::string shim_dir() {
    if (const char* d = std::getenv("MLCI_HOOK_DIR"); d != nullptr && *d) {
        return d;
    }
    auto r = hooks::run_git({"rev-parse", "--git-path", "hooks"});
    std::string dir = r.out;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) {
        dir.pop_back();
    }
    return r.ok() ? dir : "";
}

int run_hook(const std::string& name, const std::vector<std::string>& args) {
    hooks::HookReport rep;
    std::string input;
    if (name == "pre-commit") {
        rep = hooks::pre_commit(hooks::cache_pointer_check());
    } else if (name == "pre-push") {
        input = read_stdin();
        rep = hooks::pre_push(args.size() > 0 ? args[0] : "origin", args.size() > 1 ? args[1] : "", input,
                              [](const eval::GateResult& g) { return eval::gate_text(g); });
    } else if (name == "post-checkout") {
        rep = hooks::post_checkout(args);
    } else if (name == "post-merge") {
        rep = hooks::post_merge(args);
    } else {
        throw usage_error("unknown hook '" + name + "'",
                          "mlci's hooks: pre-commit, pre-push, post-checkout, post-merge");
    }
    print(rep);
    if (rep.exit_code != 0) {
        return rep.exit_code; // ours refused: the chained hook does not run, git stops
    }
    std::string dir = shim_dir();
    return dir.empty() ? 0 : hooks::run_chained(dir, name, args, input);
}

std::string describe(const hooks::InstallAction& a) {
    using W = hooks::InstallAction::What;
    switch (a.what) {
    case W::installed:
        return "installed " + a.hook + " (" + a.detail + ")";
    case W::updated:
        return "updated " + a.hook + " (" + a.detail + ")";
    case W::unchanged:
        return a.hook + " already installed";
    case W::chained:
        return "installed " + a.hook + ": " + a.detail;
    case W::removed:
        return "removed " + a.hook + " (" + a.detail + ")";
    case W::restored:
        return "removed mlci's " + a.hook + " and restored yours (" + a.detail + ")";
    case W::skipped:
        return "skipped " + a.hook + ": " + a.detail;
    }
    return a.hook;
}

const bool registered_hook = add_command([](CLI::App& app) {
    auto name = std::make_shared<std::string>();
    auto args = std::make_shared<std::vector<std::string>>();
    auto* sub = app.add_subcommand("hook", "Run one of mlci's git hooks (what the installed shims call)");
    sub->add_option("name", *name, "pre-commit, pre-push, post-checkout or post-merge")->required();
    sub->add_option("args", *args, "The arguments git gave the hook");
    sub->allow_extras();
    return Command{sub, [name, args, sub] {
                       std::vector<std::string> all = *args;
                       for (const auto& extra : sub->remaining()) {
                           all.push_back(extra);
                       }
                       return run_hook(*name, all);
                   }};
});

const bool registered_install = add_command([](CLI::App& app) {
    auto force = std::make_shared<bool>(false);
    auto json = std::make_shared<bool>(false);
    auto* sub =
        app.add_subcommand("install-hooks", "Install pre-commit, pre-push, post-checkout and post-merge");
    sub->add_flag("-f,--force", *force, "Replace a chained hook kept by an earlier install");
    sub->add_flag("--json", *json, "Print JSON");
    return Command{sub, [force, json] {
                       auto repo = open_repo();
                       auto actions = hooks::install_hooks(repo, *force);
                       bool skipped = false;
                       Json arr = Json::array();
                       std::string out;
                       for (const auto& a : actions) {
                           skipped = skipped || a.what == hooks::InstallAction::What::skipped;
                           Json o = Json::object();
                           o["hook"] = a.hook;
                           o["action"] = describe(a);
                           arr.push_back(std::move(o));
                           out += term_escape(describe(a)) + "\n";
                       }
                       if (*json) {
                           cli::out_raw(arr.dump());
                       } else {
                           cli::out(out);
                       }
                       return skipped ? 2 : 0;
                   }};
});

const bool registered_uninstall = add_command([](CLI::App& app) {
    auto* sub =
        app.add_subcommand("uninstall-hooks", "Remove mlci's hooks and restore the ones they chained");
    return Command{sub, [] {
                       auto repo = open_repo();
                       auto actions = hooks::uninstall_hooks(repo);
                       std::string out;
                       for (const auto& a : actions) {
                           out += term_escape(describe(a)) + "\n";
                       }
                       if (actions.empty()) {
                           out = "no mlci hook installed in " + term_escape(hooks::hooks_dir(repo)) + "\n";
                       }
                       cli::out(out);
                       return 0;
                   }};
});

const bool registered_init = add_init_step([](git::Repo& repo, std::vector<std::string>& done) {
    for (const auto& a : hooks::install_hooks(repo, false)) {
        if (a.what != hooks::InstallAction::What::unchanged) {
            done.push_back(describe(a));
        }
    }
});

} // namespace

} // namespace mlci::gate
