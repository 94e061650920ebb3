// git gate hook | install-hooks | uninstall-hooks: the hooks' entry points (the shims in hooks/ exec
// `git gate hook NAME "$@"`), and their installation, also run by `git gate init`.
#include "common.hpp"
#include "git-gate.hpp"
#include "hooks/hook.hpp"
#include "hooks/install.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/term.hpp"

#include <cstdio>
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
                       return hooks::run_hook(*name, all, print);
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
                           o["action"] = hooks::describe(a);
                           arr.push_back(std::move(o));
                           out += term_escape(hooks::describe(a)) + "\n";
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
                           out += term_escape(hooks::describe(a)) + "\n";
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
            done.push_back(hooks::describe(a));
        }
    }
});

} // namespace

} // namespace mlci::gate
