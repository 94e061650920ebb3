// `card NAME[@VERSION] [--format markdown|json]` for git-model and git-prompt (issue 17): the card of one
// version, built by lib/release/card.hpp and printed here.
#pragma once

#include "promote/scope.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace mlci::card_cli {

class Command {
  public:
    /// Register the `card` subcommand on `app`.
    Command(CLI::App& app, promote::Kind kind);
    /// Run it when it was parsed; nullopt otherwise.
    std::optional<int> run();

  private:
    promote::Kind m_kind;
    CLI::App* m_card = nullptr;
    std::string m_spec;
    std::string m_format = "markdown";
    bool m_json = false;
};

} // namespace mlci::card_cli
