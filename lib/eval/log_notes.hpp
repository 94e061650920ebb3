// The one-line summaries `git log` shows (issue 16: a log of 5 commits grew from 29 to 175 lines with the
// full eval notes displayed). A second notes ref, refs/notes/mlci/log, holds for each commit with an eval
// note one line per suite ("mlci: rag-quality ok pass_rate=91.0% 311/400 pass"); `git gate init` makes it
// git's notes.displayRef instead of the eval ref. It is derived data, never read as data: each summary is
// rebuilt from the eval note of the same commit whenever refs/notes/mlci/evals moves (NotesStore's writes
// and `git gate sync`'s merge), by compare-and-swap like the eval notes, and its commit records which eval
// notes commit it was built from (trailer Mlci-Derived-From), so the next refresh redoes only the notes
// that changed since. It is never pushed: every clone rebuilds it from the eval notes it has.
#pragma once

#include "eval/note.hpp"
#include "git/repo.hpp"

#include <optional>
#include <string>

namespace mlci::eval {

inline constexpr const char* k_log_ref = "refs/notes/mlci/log";

/// "mlci: rag-quality ok pass_rate=91.0% latency_p95_ms=480 ms 311/400 pass": the suite, its status, up
/// to three key metrics (pass_rate first, then the run's plain metrics in order; counts left out), and its
/// case count; an error run gives the first line of its reason. Text from the note is term_escape'd: git
/// log prints notes as they are.
std::string run_summary(const Run& r);
/// The summary note of an eval note's text: run_summary of each suite's latest run, one line each, in the
/// order the suites first appear, with "(N runs)" when a suite ran more than once; a note that does not
/// parse gives one line saying so.
std::string log_note_text(const std::string& eval_note_text, const git::Oid& commit);

/// Bring refs/notes/mlci/log up to date with refs/notes/mlci/evals (see above). Throws Error (kind git)
/// when other writers kept winning the race `tries` times.
void refresh_log_notes(git::Repo& repo, int tries = 20);
/// refresh_log_notes, a failure reported with warn() (the summaries are derived; the next write catches
/// up) — for the writers of eval notes, whose own write has succeeded.
void refresh_log_notes_or_warn(git::Repo& repo);

} // namespace mlci::eval
