// Shared pieces of git-model's subcommand files: the problem printer and the subcommands that live
// outside git-model.cpp.
#pragma once

#include "artifact/commands.hpp"
#include "promote/views.hpp"
#include "release/get.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mlci::model_cli {

using artifact::CommitSelection;

/// Print each problem as `error:` (+ `hint:`), return the exit code of the worst (0 when none).
int report_problems(const std::vector<artifact::Problem>& problems);
/// `hint: …` unless h is "".
void hint_if(const std::string& h);

int cmd_transfer(artifact::Direction dir, const std::string& store, const CommitSelection& sel, int jobs,
                 bool json);
int cmd_pull(const std::string& store, const CommitSelection& sel, int jobs, bool force, bool json);
int cmd_verify(const std::string& store, bool use_store, int jobs, bool json);
int cmd_gc(bool dry_run, bool all_commits, bool force, bool json);
/// gc --remote: delete a store's objects that nothing keeps (needs --dry-run or --force).
int cmd_gc_remote(const std::string& store, bool dry_run, bool force, int jobs, bool json,
                  const std::string& grace);
/// repack: a store's loose small objects into packs.
int cmd_repack(const std::string& store, bool dry_run, int jobs, bool json);
/// `git model get` (git-model-get.cpp): its subcommand and options, added to the app at construction.
class GetCommand {
  public:
    explicit GetCommand(CLI::App& app);
    /// The exit code when `get` was the subcommand parsed, else nullopt.
    std::optional<int> run() const;

  private:
    CLI::App* m_cmd = nullptr;
    release::GetOptions m_opt;
    bool m_json = false;
};
/// export --stage STAGE[,STAGE] [-o FILE] (git-model-export.cpp).
struct ExportArgs {
    std::string stages, output;
    CLI::App* cmd = nullptr;
};
void add_export(CLI::App& app, ExportArgs& a);
int cmd_export(const ExportArgs& a);
/// The pointer rows `stages --json` adds to each stage of a model.
promote::RowExtra stages_pointers();

int cmd_bump(const std::string& name, bool major, bool patch, const std::string& message, bool json);
/// lineage NAME@V [NAME@V2] | --uses PATH[@REV] (git-model-lineage.cpp).
int cmd_lineage(const std::vector<std::string>& versions, const std::string& uses_spec, bool json);

} // namespace mlci::model_cli
