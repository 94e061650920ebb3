// Shared pieces of git-model's subcommand files: option structs, output helpers, the problem printer.
#pragma once

#include "artifact/ops.hpp"

#include <string>
#include <vector>

namespace mlci::model_cli {

struct CommitSelection {
    std::vector<std::string> revs;
    bool all_tags = false;
    bool all_branches = false;
};

/// Print each problem as `error:` (+ `hint:`), return the exit code of the worst (0 when none).
int report_problems(const std::vector<artifact::Problem>& problems);
/// The commits named by a selection (HEAD when it names none). Throws usage/input errors.
std::vector<git::Oid> commits_of(const artifact::Context& ctx, const CommitSelection& sel);
/// Resolve -j: 0 means the default for the store / the machine.
int jobs_or_default(int jobs, int fallback);

int cmd_push(const std::string& store, const CommitSelection& sel, int jobs, bool json);
int cmd_fetch(const std::string& store, const CommitSelection& sel, int jobs, bool json);
int cmd_pull(const std::string& store, const CommitSelection& sel, int jobs, bool force, bool json);
int cmd_verify(const std::string& store, bool use_store, int jobs, bool json);
int cmd_gc(bool dry_run, bool all_commits, bool force, bool json);
/// gc --remote: delete a store's objects that nothing keeps (needs --dry-run or --force).
int cmd_gc_remote(const std::string& store, bool dry_run, bool force, int jobs, bool json);
int cmd_bump(const std::string& name, bool major, bool minor, bool patch, const std::string& message,
             bool json);

} // namespace mlci::model_cli
