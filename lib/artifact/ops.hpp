// The operations behind `git model` subcommands, over a Context: add, status, checkout, unlock.
// Each works through all the artifacts it is given and returns what happened and the problems met,
// so the command can print everything and then exit by the worst (DESIGN.md section 7).
#pragma once

#include "artifact/store/store.hpp"
#include "artifact/workspace.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::artifact {

// --- add ---

struct AddedItem {
    std::string target;  // relative to the top
    std::string pointer; // target + ".mlci"
    Pointer p;
    enum class State { added, updated, unchanged } state = State::added;
};

/// `git model add PATH...`: hash, store in the cache, write pointers and .gitignore entries, link the
/// workspace per cache.link. Throws for bad input before anything is written (all arguments are
/// checked first, datasets validated against .mlci/schemas/).
std::vector<AddedItem> add_paths(Context& ctx, const std::vector<std::string>& args, int jobs);

/// Make sure `.gitignore` beside rel lists it (as "/name", glob characters escaped).
void ensure_ignored(const Context& ctx, const std::string& rel);
/// Same, without syncing: the written file and its folder are appended to `to_sync` for one final pass.
void ensure_ignored(const Context& ctx, const std::string& rel, std::vector<std::string>* to_sync);

// --- status ---

struct ArtifactStatus {
    PointerFile pf;
    enum class Work { ok, modified, missing } work = Work::ok;
    bool in_cache = true;
    bool cache_corrupt = false;   // a hardlinked cache object was changed through the workspace
    std::optional<bool> on_store; // --remote only
    std::string detail;
    bool ok() const { return work == Work::ok && in_cache && !cache_corrupt && on_store.value_or(true); }
    /// "ok", or the problems joined with ", " (modified, missing, not in cache, …).
    std::string summary() const;
};

std::vector<ArtifactStatus> status(Context& ctx, const std::vector<PointerFile>& pointers, Store* store,
                                   int jobs);

// --- checkout ---

struct CheckoutReport {
    std::vector<std::string> written;
    size_t unchanged = 0;
    std::vector<Problem> problems;
};

/// Materialize the pointers' artifacts in the workspace from the cache. A workspace file whose content
/// is not in the cache is modified: kept (a problem) unless force.
CheckoutReport checkout(Context& ctx, const std::vector<PointerFile>& pointers, bool force, int jobs);

// --- unlock ---

/// Replace hardlinked/symlinked workspace files of the pointer by writable private copies. Returns the
/// number of files unlocked.
size_t unlock(Context& ctx, const PointerFile& pf);

/// The manifest of the folder pointer pf, read from the cache. When it cannot be read, a problem naming
/// pf.target goes to `problems` (`absent` for one missing from the cache) and nullopt is returned.
std::optional<std::vector<ManifestEntry>> folder_manifest(const Context& ctx, const PointerFile& pf,
                                                          std::vector<Problem>& problems, Problem absent);

} // namespace mlci::artifact
