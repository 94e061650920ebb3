// git-gate's subcommands register themselves here, one cmd/git-gate-*.cpp per family, so another
// part (the hooks: `git gate hook`, `install-hooks`) can add commands and init steps without
// editing the main. Registration runs from static initializers in files linked into git-gate:
//
//   static const bool registered = mlci::gate::add_command([](CLI::App& app) {
//       auto* sub = app.add_subcommand("hook", "run a hook");
//       auto opts = std::make_shared<...>();  // bind options
//       return mlci::gate::Command{sub, [opts] { return 0; }};
//   });
#pragma once

#include "eval/check.hpp"
#include "git/repo.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mlci::gate {

/// A subcommand and what runs when it is chosen (returns the exit code).
struct Command {
    CLI::App* sub = nullptr;
    std::function<int()> action;
};

using Setup = std::function<Command(CLI::App& app)>;
/// Add a subcommand to git-gate. Returns true (for static initialisation).
bool add_command(Setup setup);

/// A step `git gate init` runs after its own (installing hooks…); it appends what it did to `done`.
using InitStep = std::function<void(git::Repo& repo, std::vector<std::string>& done)>;
bool add_init_step(InitStep step);
const std::vector<InitStep>& init_steps();

/// The options of git-gate's subcommands: one struct, each subcommand binding the fields it has.
struct Opts {
    std::string gate, rev = "HEAD", baseline, suite, drop, metric, range, metrics, remote;
    std::string details, details_format = "mlci";
    std::string base, head = "HEAD", format = "text";
    std::vector<std::string> suites;
    size_t max_count = 0;
    int last = 20;
    bool json = false, force = false, dirty = false;
};
/// Add subcommand `name` to `app`, with the Opts its options bind to (shared with its action).
std::pair<CLI::App*, std::shared_ptr<Opts>> subcommand(CLI::App& app, const std::string& name,
                                                       const std::string& help);

/// Register a subcommand whose options bind to an Opts: `declare` adds them to `sub`; `run` is its action,
/// given the repository of the current directory and the parsed options.
bool add_subcommand(const std::string& name, const std::string& help,
                    std::function<void(CLI::App& sub, Opts& o)> declare,
                    std::function<int(git::Repo& repo, const Opts& o)> run);

/// Open the repository of the current directory.
git::Repo open_repo();

/// The 7-hex short form of a commit id.
std::string short_id(const std::string& hex);

} // namespace mlci::gate
