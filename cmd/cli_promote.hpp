// promote / rollback / stages / history: the same four subcommands in git-prompt and git-model (DESIGN.md
// sections 3 and 4), each acting on the registry names of its own kind.
#pragma once

#include "promote/scope.hpp"
#include "promote/views.hpp"
#include "util/json.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlci::promote_cli {

using Kind = promote::Kind;

class Commands {
  public:
    /// Register the subcommands on `app`.
    Commands(CLI::App& app, Kind kind);
    /// Run the subcommand that was parsed; nullopt when none of these was.
    std::optional<int> run();
    /// Members `stages --json` adds to each stage's object (git model: the version's pointers).
    promote::RowExtra stages_extra;

  private:
    Kind m_kind;
    CLI::App* m_promote = nullptr;
    CLI::App* m_rollback = nullptr;
    CLI::App* m_stages = nullptr;
    CLI::App* m_history = nullptr;
    std::string m_stage;
    std::vector<std::string> m_specs;
    std::string m_name;
    std::string m_reason;
    std::string m_message;
    std::string m_baseline;
    std::string m_remote = "origin";
    std::optional<std::string> m_traffic; // promote --traffic, parsed strictly by the library
    bool m_push = false;
    bool m_force = false;
    bool m_dry_run = false;
    bool m_json = false;
    bool m_all = false; // stages --all: deprecated names too, marked

    int promote();
    int rollback();
    int stages();
    int history();
    void finish(const Json& arr, const std::vector<std::string>& written, bool wrote) const;
};

} // namespace mlci::promote_cli
