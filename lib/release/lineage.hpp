// Model lineage (issue 17; git-model(1) LINEAGE): what a model version was built from. `git model bump`
// records, for a model whose `[model.NAME] inputs` is set, each input at the version's commit
// (Mlci-Input: a pointer's artifact hash, a file's blob id) and every prompt file there (Mlci-Prompt: the
// registered version it equals, else its blob). `git model lineage` reads them back from the version tags:
// one version, the difference between two, or every version built from one dataset version (--uses).
// Tags are untrusted: only what the strict readers of trailers.hpp accept is used, the rest is counted.
#pragma once

#include "config/config.hpp"
#include "git/repo.hpp"
#include "registry/registry.hpp"
#include "release/trailers.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlci::release {

/// What one model version was built from, as bump records it.
struct Sources {
    std::vector<Input> inputs;
    std::vector<PromptPin> prompts;
};

/// Does `path` match the input glob `pattern`? Anchored at the top of the repository: `*`, `?` and
/// `[…]` stay within one path part, `**` crosses folders ("configs/*.toml" matches configs/a.toml, not
/// configs/x/a.toml nor a/configs/b.toml).
bool input_glob_match(const std::string& pattern, const std::string& path);

/// The sources of model NAME at `commit` by its `[model.NAME] inputs`; nullopt when NAME has none set.
/// Each entry is a path or a glob over the commit's tree: a pointer file gives its artifact's hash, a
/// data path whose pointer (PATH.mlci) is in the tree resolves to that pointer, a folder gives every file
/// below it, any other file its blob id. An entry matching nothing is reported through warn() and left
/// out. Every prompt file at the commit is pinned (prompts folder of `cfg`), by the highest registered
/// version whose blob equals it, else by its blob. Throws input_error for a refused path in the tree or
/// an invalid pointer.
std::optional<Sources> collect_sources(const git::Repo& repo, const Config& cfg,
                                       const registry::Registry& reg, const std::string& name,
                                       const git::Oid& commit);

/// The trailers that record `s` (Evidence::extra): Mlci-Input lines, then Mlci-Prompt lines.
std::vector<std::pair<std::string, std::string>> source_trailers(const Sources& s);

/// What the version's commit holds at a recorded input's path: the trailers are the tag's claim (anyone
/// can write a tag), the tree is what git can show.
enum class Proof { matches, differs, missing };
const char* proof_name(Proof p); // "matches" | "differs" | "missing"

/// What a version tag records.
struct Lineage {
    registry::VersionEntry version;
    Sources sources;
    std::vector<Proof> proofs; // per input, when checked against the tree (lineage_of)
    int dropped = 0;           // Mlci-Input / Mlci-Prompt trailers refused by the strict readers
    bool recorded() const { return !sources.inputs.empty() || !sources.prompts.empty(); }
};

/// Read the lineage of a version from its tag's message, each input checked against the commit's tree.
Lineage lineage_of(const git::Repo& repo, const registry::VersionEntry& v);
/// Does the commit hold the input: a pointer with that artifact hash, or a file with that blob id? A
/// pointer that does not parse counts as differing.
Proof prove(const git::Repo& repo, const git::Oid& commit, const Input& in);
/// The same from a tag message already read.
Lineage lineage_from_message(const registry::VersionEntry& v, const std::string& message);

/// One input or prompt compared between two versions.
struct Change {
    enum class Kind { unchanged, changed, added, removed };
    Kind kind = Kind::unchanged;
    bool prompt = false; // `key` is a prompt name, `before`/`after` its version or blob
    std::string key;     // an input's path, or a prompt's name
    std::string before;  // hash (or prompt version/blob) in the first version; "" when added
    std::string after;   // the same in the second; "" when removed
};
const char* kind_name(Change::Kind k);

/// Inputs, then prompts, each in the order of the first version followed by what only the second has.
std::vector<Change> compare(const Lineage& a, const Lineage& b);

/// A dataset version: the pointer that tracks it and its hash at a commit.
struct DatasetVersion {
    std::string pointer; // the pointer's path (data/train.jsonl.mlci)
    std::string hash;    // xxh128:…
    std::string rev;     // as given ("HEAD" when none)
    git::Oid commit;
};

/// Resolve `PATH[@REV]` (REV defaults to HEAD; PATH, relative to the top, is a pointer file or the data
/// path of one). A PATH holding '@' is taken whole when it names a file at HEAD. Throws usage_error for
/// a refused path, an unknown revision, or a path that is no pointer there.
DatasetVersion resolve_dataset(const git::Repo& repo, const std::string& spec);

/// A version whose recorded inputs hold a dataset version.
struct Use {
    registry::VersionEntry version;
    std::string path; // the path the input was recorded under
    Proof proof = Proof::matches;
};

/// Every registered version (all names) whose Mlci-Input trailers hold `hash`, by name then version.
/// `*dropped` counts the invalid trailers met on the way.
std::vector<Use> versions_using(const git::Repo& repo, const registry::Registry& reg, const std::string& hash,
                                int* dropped);

} // namespace mlci::release
