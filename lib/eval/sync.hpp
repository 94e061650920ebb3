// `git gate sync [REMOTE]` (DESIGN.md sections 5 and 8): fetch the remote's notes into
// refs/notes/mlci-remotes/REMOTE/…, merge them into refs/notes/mlci/evals (union of runs by id), and
// push fast-forward only — never forced, so a job holding one note cannot wipe a hundred. A rejected
// push (someone pushed in between) re-fetches, re-merges and retries, up to 5 times. Needs no
// configuration: works in a clone where `git gate init` never ran. Uses the `git` binary (argv, no
// shell) so that every transport and credential helper git knows works.
#pragma once

#include "git/repo.hpp"

#include <functional>
#include <string>

namespace mlci::eval {

inline constexpr int k_push_retries = 5;

struct SyncResult {
    std::string remote;
    bool merged = false; // the local ref moved (remote runs arrived)
    bool pushed = false; // the remote ref moved
    int retries = 0;     // rejected pushes retried
    size_t notes = 0;    // notes in the local ref afterwards
};

/// The remote `sync` uses with no argument: the current branch's upstream remote, else "origin",
/// else the only remote; usage_error when there is none.
std::string default_remote(const git::Repo& repo);

/// The local ref the notes of REMOTE are fetched into.
std::string remote_notes_ref(const std::string& remote);

SyncResult sync_notes(git::Repo& repo, const std::string& remote,
                      const std::function<void(const std::string&)>& progress);

} // namespace mlci::eval
