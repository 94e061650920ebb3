// The prompts of a repository: files in the work tree and at commits, their registered versions, and
// the bump plan (which prompts get which version, and why). prompt/views.hpp formats what this returns.
#pragma once

#include "config/config.hpp"
#include "git/repo.hpp"
#include "prompt/prompt.hpp"
#include "prompt/worktree_ids.hpp"
#include "registry/registry.hpp"

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlci::prompt {

/// A prompt seen in the work tree or in the registry.
struct Entry {
    std::string name;
    std::string path; // prompts/NAME.prompt
    bool in_worktree = false;
    std::optional<registry::VersionEntry> latest;
    std::map<std::string, registry::VersionEntry> stages;
    bool changed = false; // work tree content differs from the latest version's
    /// Set when the registry reads NAME as deprecated (GTO hides it; `list` leaves it out unless --all).
    std::optional<registry::Registry::Deprecation> deprecated;
};

class Catalog {
  public:
    Catalog(git::Repo& repo, Config cfg);
    /// A catalog whose registry holds the tags of prompt `only` alone (Registry::load_named): for the
    /// commands about one prompt, which then need not read every tag of the repository.
    Catalog(git::Repo& repo, Config cfg, const std::string& only);

    git::Repo& repo() { return m_repo; }
    const Config& config() const { return m_cfg; }
    const registry::Registry& registry() const { return m_reg; }
    void reload_registry() {
        m_reg = m_only ? registry::Registry::load_named(m_repo, *m_only) : registry::Registry::load(m_repo);
    }
    std::string top() const { return m_top; }

    /// Paths (relative to the top) of every *.prompt file under the prompts folder of the work tree.
    /// Files whose name breaks the naming rule come back in `bad_names`.
    std::vector<std::string> worktree_paths(std::vector<std::string>* bad_names = nullptr) const;

    /// Every prompt: in the work tree, or registered with a prompt file at its latest version.
    std::vector<Entry> entries() const;
    Entry entry(const std::string& name) const;

    /// Content of a prompt at a version (the blob at the version's commit); input_error when absent.
    std::string content_at(const registry::VersionEntry& v) const;
    /// Content in the work tree; nullopt when the file does not exist. input_error for a symlink.
    std::optional<std::string> worktree_content(const std::string& name) const;
    /// Content for a spec: "NAME" (work tree), "NAME@latest", "NAME@1.2.0", "NAME@staging", "NAME#staging".
    std::string content_of(const std::string& spec, std::string* resolved = nullptr) const;

    /// Is `name` a prompt (a file in the work tree, or one at its latest version)?
    bool is_prompt(const std::string& name) const;

  private:
    /// entry(), with the blob ids of unchanged work-tree files taken from `ids` when given.
    Entry entry_with(const std::string& name, const WorktreeIds* ids) const;
    /// Repo::blob_id_at for a prompt's path. Versions share commits (a release tags many prompts at
    /// once): from the k_list_after-th lookup at one commit on, the prompts folder of that commit is
    /// listed once and looked up in memory (list over 1,000 prompts: one tree walk per commit).
    std::optional<git::Oid> prompt_blob_at(const git::Oid& commit, const std::string& path) const;
    struct CommitBlobs {
        int lookups = 0;
        std::optional<std::unordered_map<std::string, git::Oid>> listing;
    };
    mutable std::map<git::Oid, CommitBlobs> m_blobs;
    git::Repo& m_repo;
    Config m_cfg;
    std::string m_top;
    std::optional<std::string> m_only; // the one prompt whose tags m_reg holds, when set
    registry::Registry m_reg;
};

/// `git prompt new`: write the template of prompt NAME (description, variables) into the work tree;
/// returns its path from the top. usage_error for an invalid name or variable name, input_error when the
/// file exists or a symbolic link lies on its way.
std::string create_prompt(const Catalog& cat, const std::string& name, const std::string& description,
                          const std::vector<std::string>& vars);

/// One planned version.
struct BumpItem {
    std::string name;
    std::string path;
    std::optional<Version> from;
    Version to;
    Classification why;                           // the classifier's verdict (also when a level was given)
    Version::Level level = Version::Level::patch; // the level applied
    bool explicit_level = false;
    git::Oid blob;
    /// "minor (variables added: tone)", or "major (requested; classifier: patch (wording only))".
    std::string describe() const;
};

struct BumpOptions {
    std::vector<std::string> names;      // empty: every prompt changed since its last version
    std::optional<Version::Level> level; // empty: classify
    std::string pre;                     // pre-release id
};

/// Plan a bump at HEAD. Throws input_error (exit 2) for an invalid prompt, uncommitted changes, nothing
/// changed since the last version of a named prompt, or a commit that already carries a version.
std::vector<BumpItem> plan_bump(Catalog& cat, const BumpOptions& opts);

/// Write the planned tags on HEAD; returns the tag names.
std::vector<std::string> apply_bump(Catalog& cat, const std::vector<BumpItem>& plan,
                                    const std::string& message);

} // namespace mlci::prompt
