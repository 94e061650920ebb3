// git-prompt: versioned prompt files (DESIGN.md sections 2 and 3). Parses the command line, calls
// lib/prompt, and prints the text and JSON it builds (prompt/views.hpp). Nothing here touches libgit2 or
// TOML++.
#include "cli_card.hpp"
#include "cli_promote.hpp"
#include "common.hpp"

#include "config/config.hpp"
#include "fsutil/file.hpp"
#include "git/repo.hpp"
#include "prompt/catalog.hpp"
#include "prompt/views.hpp"

#include <functional>
#include <utility>

using namespace mlci;

namespace {

struct Session {
    git::Repo repo;
    prompt::Catalog cat;
    /// With `only`, the registry holds the tags of that prompt alone (commands about one prompt).
    static std::unique_ptr<Session> open(const std::optional<std::string>& only = std::nullopt) {
        auto repo = git::Repo::open(".");
        std::string top = repo.workdir();
        Config cfg = load_config(top, repo.common_dir());
        return std::unique_ptr<Session>(new Session(std::move(repo), std::move(cfg), only));
    }

  private:
    Session(git::Repo r, Config cfg, const std::optional<std::string>& only)
        : repo(std::move(r)),
          cat(only ? prompt::Catalog(repo, std::move(cfg), *only) : prompt::Catalog(repo, std::move(cfg))) {}
};

// --- new, list, show, log, diff ----------------------------------------------------------------------------

int cmd_new(const std::string& name, const std::string& description, const std::vector<std::string>& vars) {
    auto s = Session::open();
    cli::out("created " + prompt::create_prompt(s->cat, name, description, vars) + "\n");
    return 0;
}

int cmd_list(bool json, bool all) {
    auto s = Session::open();
    auto entries = prompt::list_entries(s->cat, all);
    if (json) {
        cli::out_raw(prompt::list_json(entries, all).dump());
    } else if (entries.empty()) {
        cli::note("no prompts yet (create one with: git prompt new NAME)");
    } else {
        cli::out(prompt::list_text(entries, s->cat.config().stages));
    }
    return 0;
}

int cmd_show(const std::string& spec, bool meta, const std::vector<std::string>& render_args, bool json) {
    auto s = Session::open(spec.substr(0, spec.find_first_of("@#"))); // one prompt: its tags only
    auto shown = prompt::show(s->cat, spec, render_args);
    if (json) {
        cli::out_raw(prompt::show_json(shown).dump());
    } else if (meta) {
        cli::out(prompt::meta_text(shown));
    } else {
        // The body is the data: exact into a pipe or a file, control characters escaped on a terminal.
        cli::out_data(shown.body);
    }
    return 0;
}

int cmd_log(const std::string& name, bool json) {
    auto s = Session::open();
    auto log = prompt::version_log(s->cat, name);
    if (json) {
        cli::out_raw(prompt::log_json(log).dump());
    } else {
        cli::out(prompt::log_text(log));
    }
    return 0;
}

int cmd_diff(const std::string& name, const std::vector<std::string>& revs) {
    auto s = Session::open();
    cli::out_data(prompt::diff(s->cat, name, revs));
    return 0;
}

// --- check, bump, export -----------------------------------------------------------------------------------

int cmd_check(const std::vector<std::string>& paths, bool json) {
    auto s = Session::open();
    auto rep = prompt::check_files(s->cat, paths);
    int rc = rep.problems.empty() ? 0 : cli::exit_code(ErrorKind::check);
    if (json) {
        cli::out_raw(prompt::check_json(rep).dump());
        return rc;
    }
    for (const auto& w : rep.warnings) {
        cli::warning(w.str());
    }
    for (const auto& p : rep.problems) {
        cli::error(prompt::problem_line(p));
        if (!p.fix.empty()) {
            cli::hint(p.fix);
        }
    }
    if (rc != 0) {
        cli::note(prompt::check_summary(rep));
    } else {
        cli::out(prompt::check_summary(rep) + "\n");
    }
    return rc;
}

int cmd_bump(const std::vector<std::string>& names, bool major, bool minor, bool patch,
             const std::string& pre, const std::string& message, bool dry_run, bool json) {
    auto opts = prompt::bump_options(names, major, minor, patch, pre);
    auto s = Session::open();
    auto bumped = prompt::bump(s->cat, opts, message, dry_run);
    if (json) {
        cli::out_raw(prompt::bump_json(bumped).dump());
    } else {
        cli::out(prompt::bump_text(bumped));
    }
    return 0;
}

int cmd_export(const std::string& stage, const std::string& output) {
    auto s = Session::open();
    size_t n = 0;
    std::string text = prompt::export_text(s->cat, stage, &n);
    if (output.empty() || output == "-") {
        cli::out_raw(text);
    } else {
        write_file_atomic(output, text);
        cli::note("exported " + std::to_string(n) + " prompt" + (n == 1 ? "" : "s") + " to " + output);
    }
    return 0;
}

// The options of every subcommand but the promotion ones (cli_promote.hpp).
struct Args {
    std::string name, description, spec, pre, message, stage, output;
    std::vector<std::string> vars, render_args, revs, paths, names;
    bool json = false, list_all = false, meta = false, major = false, minor = false, patch = false,
         dry_run = false;
};

using Subcommands = std::vector<std::pair<CLI::App*, std::function<int()>>>;

// Declare each subcommand and its options on `app`, with what runs it.
Subcommands declare(CLI::App& app, Args& a) {
    Subcommands subs;
    CLI::App* c = app.add_subcommand("new", "Create prompts/NAME.prompt from a template");
    c->add_option("name", a.name, "Prompt name (folders allowed: support/triage)")->required();
    c->add_option("-d,--description", a.description, "Description for the front matter");
    c->add_option("--var", a.vars, "Declare a variable (repeatable)");
    subs.emplace_back(c, [&a] { return cmd_new(a.name, a.description, a.vars); });

    c = app.add_subcommand("list", "Every prompt with its latest and per-stage versions");
    c->add_flag("--json", a.json, "Print JSON");
    c->add_flag("--all", a.list_all, "Also deprecated prompts (hidden otherwise, as GTO does), marked");
    subs.emplace_back(c, [&a] { return cmd_list(a.json, a.list_all); });

    c = app.add_subcommand("show", "Print a prompt: NAME (work tree), NAME@latest, NAME@1.2.0, NAME@STAGE");
    c->add_option("spec", a.spec, "NAME[@VERSION|@latest|@STAGE]")->required();
    c->add_flag("--meta", a.meta, "Print the front matter instead of the body");
    c->add_option("--render", a.render_args, "Fill placeholders: VAR=VALUE (repeatable)");
    c->add_flag("--json", a.json, "Print JSON");
    subs.emplace_back(c, [&a] { return cmd_show(a.spec, a.meta, a.render_args, a.json); });

    c = app.add_subcommand("log", "Versions of a prompt with date, author, bump class and reason");
    c->add_option("name", a.name, "Prompt name")->required();
    c->add_flag("--json", a.json, "Print JSON");
    subs.emplace_back(c, [&a] { return cmd_log(a.name, a.json); });

    c = app.add_subcommand("diff", "Diff two versions, or a version (default latest) with the work tree");
    c->add_option("name", a.name, "Prompt name")->required();
    c->add_option("versions", a.revs, "Up to two versions (1.2.0, v1.2.0, latest, STAGE)");
    subs.emplace_back(c, [&a] { return cmd_diff(a.name, a.revs); });

    c = app.add_subcommand("check", "Check prompt files (front matter, placeholders, UTF-8)");
    c->add_option("paths", a.paths, "Files to check (default: every prompt file)");
    c->add_flag("--json", a.json, "Print JSON");
    subs.emplace_back(c, [&a] { return cmd_check(a.paths, a.json); });

    c = app.add_subcommand("bump", "Tag a new version of prompts changed since their last version");
    c->add_option("names", a.names, "Prompts to bump (default: every changed prompt)");
    c->add_flag("--major", a.major, "Bump the major version");
    c->add_flag("--minor", a.minor, "Bump the minor version");
    c->add_flag("--patch", a.patch, "Bump the patch version");
    c->add_option("--pre", a.pre, "Make a pre-release (e.g. rc → 1.3.0-rc.1)");
    c->add_option("-m,--message", a.message, "Text for the tag message");
    c->add_flag("-n,--dry-run", a.dry_run, "Show what would be tagged");
    c->add_flag("--json", a.json, "Print JSON");
    subs.emplace_back(c, [&a] {
        return cmd_bump(a.names, a.major, a.minor, a.patch, a.pre, a.message, a.dry_run, a.json);
    });

    c = app.add_subcommand("export", "A JSON bundle name → version, commit, body for deployment");
    c->add_option("--stage", a.stage,
                  "Export the versions in this stage, with their traffic shares; several: canary,production "
                  "(default: latest)");
    c->add_option("-o,--output", a.output, "Write to FILE (default: stdout)");
    subs.emplace_back(c, [&a] { return cmd_export(a.stage, a.output); });
    return subs;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Version prompt files with semantic-version tags (mlci)", "git-prompt"};
    cli::setup_app(app, "git-prompt");
    Args args;
    Subcommands subs = declare(app, args);
    promote_cli::Commands promotion(app, promote_cli::Kind::prompt);
    card_cli::Command card(app, promote::Kind::prompt);

    return cli::run(app, argc, argv, [&]() -> int {
        if (auto rc = promotion.run()) {
            return *rc;
        }
        if (auto rc = card.run()) {
            return *rc;
        }
        for (const auto& [sub, run] : subs) {
            if (sub->parsed()) {
                return run();
            }
        }
        return mlci::cli::exit_code(mlci::ErrorKind::usage); // no subcommand (CLI11 requires one)
    });
}
