// git-gate: eval results as git notes, regression gates and reports (DESIGN.md section 5; git-gate(1)).
// The subcommands live in cmd/git-gate-*.cpp and register themselves (cmd/git-gate.hpp).
#include "git-gate.hpp"

#include "common.hpp"

namespace mlci::gate {

namespace {
std::vector<Setup>& setups() {
    static std::vector<Setup> s;
    return s;
}
std::vector<InitStep>& steps() {
    static std::vector<InitStep> s;
    return s;
}
} // namespace

bool add_command(Setup setup) {
    setups().push_back(std::move(setup));
    return true;
}

bool add_init_step(InitStep step) {
    steps().push_back(std::move(step));
    return true;
}

const std::vector<InitStep>& init_steps() {
    return steps();
}

std::pair<CLI::App*, std::shared_ptr<Opts>> subcommand(CLI::App& app, const std::string& name,
                                                       const std::string& help) {
    return {app.add_subcommand(name, help), std::make_shared<Opts>()};
}

bool add_subcommand(const std::string& name, const std::string& help,
                    std::function<void(CLI::App& sub, Opts& o)> declare,
                    std::function<int(git::Repo& repo, const Opts& o)> run) {
    return add_command([=](CLI::App& app) {
        auto [sub, o] = subcommand(app, name, help);
        declare(*sub, *o);
        return Command{sub, [o, run] {
                           git::Repo repo = open_repo();
                           return run(repo, *o);
                       }};
    });
}

git::Repo open_repo() {
    return git::Repo::open(".");
}

std::string short_id(const std::string& hex) {
    return hex.substr(0, 7);
}

} // namespace mlci::gate

int main(int argc, char** argv) {
    CLI::App app{"git gate: eval results as git notes, regression gates, pull-request reports"};
    app.name("git gate");
    mlci::cli::setup_app(app, "git-gate");
    std::vector<mlci::gate::Command> commands;
    for (const auto& s : mlci::gate::setups()) {
        commands.push_back(s(app));
    }
    return mlci::cli::run(app, argc, argv, [&] {
        for (const auto& c : commands) {
            if (c.sub != nullptr && c.sub->parsed()) {
                return c.action();
            }
        }
        return mlci::cli::exit_code(mlci::ErrorKind::usage); // no subcommand (CLI11 requires one)
    });
}
