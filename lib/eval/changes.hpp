// What changed between a report's base and head, from a diff of their trees: the prompts
// (prompts/**/*.prompt) with the registry versions their contents are, the model pointers (*.mlci) with
// their versions and hashes, and how many other files (git-gate(1) REPORT). Names and paths come from the
// repository and are escaped by whoever prints them.
#pragma once

#include "git/repo.hpp"

#include <string>
#include <vector>

namespace mlci::eval {

/// One changed prompt or model pointer.
struct ArtifactChange {
    std::string name; // "support/triage" (a prompt), "clf" (a model: the pointer's name up to its first '.')
    std::string path; // "prompts/support/triage.prompt", "models/clf.safetensors.mlci"
    std::string status; // "added" | "removed" | "edited"
    /// The registry version whose tagged commit holds the same content at `path` ("v1.2.0"), "" when no
    /// version does; at base and at head.
    std::string base_version;
    std::string head_version;
    /// Models only: the pointer's hash, short ("xxh128:364b7492"), "" when absent or unreadable.
    std::string base_hash;
    std::string head_hash;
};

struct Changes {
    std::vector<ArtifactChange> prompts;
    std::vector<ArtifactChange> models;
    size_t other_count = 0;               // every other changed path
    std::vector<std::string> other_first; // the first k_other_shown of them, in path order
};

inline constexpr size_t k_other_shown = 5;

/// Is `path` a prompt file (prompts/…/NAME.prompt)? Then `name` gets NAME.
bool prompt_path(const std::string& path, std::string* name);
/// Is `path` a model pointer (*.mlci, not inside the .mlci/ folder)? Then `name` gets the file name up to
/// its first '.'.
bool pointer_path(const std::string& path, std::string* name);

/// The changes from `base` to `head`.
Changes changes_between(const git::Repo& repo, const git::Oid& base, const git::Oid& head);

/// "v1.2.0 → v1.3.0", "edited", "added (v1.0.0)", "removed" — a prompt's line; a model's adds the hashes
/// when no version names both sides ("xxh128:364b7492 → xxh128:9f0c11aa").
std::string change_text(const ArtifactChange& c);

} // namespace mlci::eval
