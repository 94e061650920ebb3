// One tool's view of the registry for promote / rollback / stages / history (git prompt and git model
// share those commands): which registered names are of its kind, which versions a bare `promote STAGE`
// picks, which names a bare `rollback STAGE` means, when each stage got its version, and the push of
// the tags written. The choices live here; cmd/cli_promote.cpp parses, calls this and prints.
#pragma once

#include "config/config.hpp"
#include "git/repo.hpp"
#include "registry/registry.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlci::prompt {
class Catalog;
}

namespace mlci::promote {

enum class Kind { prompt, model };

const char* kind_word(Kind k); // "prompt" | "model"
const char* tool_of(Kind k);   // "git prompt" | "git model"

class Scope {
  public:
    /// The repository of the current directory, its config (defaults when bare) and registry.
    static std::unique_ptr<Scope> open(Kind kind);
    ~Scope();

    git::Repo repo;
    Config cfg;
    registry::Registry reg;
    Kind kind;

    /// A registered NAME is of the kind its tags record (Mlci-Kind); names from other tools (GTO) are
    /// prompts when a prompt file of that name exists, models otherwise.
    bool is_mine(const std::string& name) const;
    /// Names of this kind; deprecated ones (hidden by GTO) only when `with_deprecated`.
    std::vector<std::string> names(bool with_deprecated = false) const;
    /// NAME of a spec (NAME[@VERSION|#STAGE]); usage_error when it is registered as the other kind.
    std::string name_of(const std::string& spec) const;
    /// usage_error when `stage` is not one of the config's stages.
    void check_stage(const std::string& stage) const;
    /// name_of(spec), with an input_error when it has no registered version.
    std::string registered(const std::string& spec) const;

    /// The versions `promote STAGE SPECS...` means: each spec resolved (a name twice is a usage_error);
    /// with no specs, the latest version of every name of this kind not in the stage yet. Empty when
    /// all are there already; input_error when there is nothing registered (or only deprecated names).
    std::vector<registry::VersionEntry> to_promote(const std::string& stage,
                                                   const std::vector<std::string>& specs) const;
    /// The names `rollback STAGE NAMES...` means: with none, the only name of this kind in the stage.
    std::vector<std::string> to_roll_back(const std::string& stage,
                                          const std::vector<std::string>& specs) const;

    /// The stages to show for a name: the configured ones in order, then any other its tags name; and
    /// when each got its current version (the tagger time of the newest assignment tag, 0 unknown).
    struct StageRow {
        std::string stage;
        std::optional<registry::VersionEntry> current;
        int64_t since = 0;
        int traffic = 100;             // the stage's share (registry/traffic.hpp: recorded, else the rest)
        bool traffic_recorded = false; // the assignment records it (Mlci-Traffic)
    };
    std::vector<StageRow> stage_rows(const std::string& name) const;

  private:
    Scope(git::Repo r, Config c, Kind k);
    mutable std::unique_ptr<prompt::Catalog> m_catalog; // made on first use
};

/// `git push --quiet REMOTE refs/tags/T...` for tags already written locally; io_error (with a hint
/// naming the command to retry) when the push fails. Nothing to do without a remote or tags.
void push_tags(const std::string& remote, const std::vector<std::string>& tags);

} // namespace mlci::promote
