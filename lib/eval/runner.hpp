// Running suites and recording their runs (`git gate run`, `git gate record`): the suite's argv with
// {out} substituted, no shell, in the work tree (HEAD) or a temporary worktree of another commit, a
// timeout that kills its process group, its stdout and stderr streamed to our stderr. A non-zero
// exit, a timeout or unreadable output is recorded as status = "error" with the reason.
#pragma once

#include "eval/details.hpp"
#include "eval/gates.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "git/repo.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

/// Run one suite in `cwd` for `commit`; never throws for the suite's own failures (they make an
/// error run), only for ours (cannot fork, cannot create the temporary folder). `output_text`, when
/// given, gets the output file as the suite wrote it (the last one with repeat = K).
Run execute_suite(const SuiteDef& suite, const std::string& cwd, const std::string& tmp_dir,
                  const git::Oid& commit, const std::string& fingerprint, const std::string& by,
                  std::string* output_text = nullptr);

inline constexpr size_t k_stderr_tail_lines = 20;
inline constexpr size_t k_stderr_tail_bytes = 2048;

/// The last lines a crashed tool wrote to stderr, as a run's reason keeps them: at most `max_lines`
/// non-blank lines and `max_bytes` bytes, valid UTF-8, control characters and terminal escape sequences
/// removed, lines joined by '\n'.
std::string stderr_tail(std::string_view raw, size_t max_lines = k_stderr_tail_lines,
                        size_t max_bytes = k_stderr_tail_bytes);

/// Who records: git config user.email, else $USER@host.
std::string recorder_identity(const git::Repo& repo);

/// Seconds since the epoch.
int64_t now_epoch();

struct RunEvent {
    enum class Kind { start, reused, done } kind;
    std::string suite;
    const Run* run = nullptr;
    std::string reused_commit; // Kind::reused: the commit it came from
    /// Under --dirty, why the run was not written to a note ("inputs have uncommitted changes (--dirty)");
    /// "" when it was recorded.
    std::string not_recorded;
};

struct RunRequest {
    std::vector<std::string> suites; // empty: every suite in gates.toml
    std::string rev;                 // "" = HEAD in the work tree
    bool force = false;              // run even when a result with the same fingerprint exists
    /// --dirty: run in the work tree as it is, uncommitted inputs and all, and record nothing (no reuse
    /// either: a recorded result describes a commit, not this work tree). Only without rev.
    bool dirty = false;
};

/// `git gate run`: returns the recorded runs. `on_event` reports progress (the CLI prints it). In the work
/// tree, a suite whose inputs have uncommitted changes (staged, unstaged or untracked and not ignored) is
/// refused with an input_error before anything is reused or run, unless req.dirty.
std::vector<Run> run_suites(git::Repo& repo, const RunRequest& req,
                            const std::function<void(const RunEvent&)>& on_event);

/// `git gate record SUITE --metrics FILE [--details FILE]`: record metrics produced elsewhere; with
/// `details_file`, that file is stored as the run's details object (format `details_format`).
Run record_metrics(git::Repo& repo, const std::string& suite, const std::string& metrics_file,
                   const std::string& rev, const std::string& details_file = "",
                   const std::string& details_format = k_mlci_format);

/// `git gate record SUITE --from FORMAT FILE`: record a results file of another tool (formats.hpp); for
/// lm-eval, FILE may be its output folder. FILE is stored as the run's details object, unless
/// `details_file` names another one (format `details_format`); a folder is recorded without details.
Run record_results(git::Repo& repo, const std::string& suite, const std::string& format,
                   const std::string& file, const std::string& rev, const std::string& details_file = "",
                   const std::string& details_format = k_mlci_format);

} // namespace mlci::eval
