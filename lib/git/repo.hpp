// RAII over libgit2: one owning type per handle, every negative return turned into mlci::Error
// (kind git) carrying libgit2's own message at its one call site (as libgit2's examples/common.c).
// Nothing outside lib/ includes <git2.h>: the types below are all the rest of mlci sees.
#pragma once

#include "git/oid.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct git_repository;
struct git_oid;

namespace mlci::git {

/// Name, e-mail and time of a tagger, author or committer.
struct Signature {
    std::string name;
    std::string email;
    int64_t time = 0; // seconds since the epoch
    int offset = 0;   // minutes east of UTC
};

struct TagInfo {
    std::string name; // without refs/tags/
    Oid target;       // peeled: the object the tag finally points at
    bool annotated = false;
    Oid tag_oid; // the tag object itself (annotated only)
};

struct AnnotatedTag {
    std::string name;
    Oid target;
    Signature tagger;
    std::string message;
};

struct CommitInfo {
    Oid id;
    Signature author;
    Signature committer;
    std::string message;
    std::vector<Oid> parents;
    std::string summary() const; // first line
};

struct CommitLine {
    int64_t time = 0;
    std::string summary;
};

/// A tree entry found while walking a commit's tree.
struct TreeFile {
    std::string path; // '/' separated, relative to the repository's top
    Oid blob;
    unsigned mode = 0; // 0100644, 0100755, 0120000 …
};

/// Process-wide libgit2 initialisation (idempotent; shut down at exit).
void init();

class Repo {
  public:
    /// Discover the repository from `start` (default: the current directory), as git does, honouring
    /// GIT_DIR, GIT_WORK_TREE and GIT_CEILING_DIRECTORIES (GIT_COMMON_DIR is refused). With from_env
    /// (hooks), also GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY… (GIT_REPOSITORY_OPEN_FROM_ENV) when neither
    /// GIT_DIR nor GIT_WORK_TREE is set.
    static Repo open(const std::string& start = ".", bool from_env = false);
    /// Create a new repository (tests and the demo).
    static Repo init_at(const std::string& path, bool bare = false);

    Repo(Repo&&) noexcept;
    Repo& operator=(Repo&&) noexcept;
    ~Repo();

    git_repository* raw() const { return m_repo; }

    bool is_bare() const;
    /// Work tree with a trailing '/', throws usage_error in a bare repository.
    std::string workdir() const;
    std::string git_dir() const;    // trailing '/'
    std::string common_dir() const; // trailing '/' (shared by worktrees)

    // --- objects and revisions ---
    /// Resolve a revision (`HEAD`, `main~2`, a hex id, a tag) to a commit; nullopt when it does not exist.
    std::optional<Oid> resolve_commit(const std::string& rev) const;
    /// Like resolve_commit but throws input_error naming the revision.
    Oid commit_of(const std::string& rev) const;
    std::optional<Oid> head() const; // nullopt on an unborn branch
    CommitInfo commit(const Oid& id) const;
    /// The committer time and git_commit_summary (the first paragraph joined on one line, libgit2's
    /// whitespace rules) of a commit, as `git gate log` prints it; throws when it cannot be read.
    CommitLine commit_line(const Oid& id) const;
    /// The committer time of a commit; nullopt when it cannot be read.
    std::optional<int64_t> commit_time(const Oid& id) const;
    /// The tree of a commit; nullopt when it cannot be read.
    std::optional<Oid> tree_of(const Oid& commit) const;
    /// The paths `git status` lists (staged and unstaged changes, untracked files in untracked folders,
    /// no submodules), in its order: per entry the path of its staged change, then of its unstaged
    /// one (a path may come twice).
    std::vector<std::string> status_paths() const;
    /// Blob content at path in a commit; nullopt when absent (or not a blob).
    std::optional<std::string> blob_at(const Oid& commit, const std::string& path) const;
    std::optional<Oid> blob_id_at(const Oid& commit, const std::string& path) const;
    std::string blob(const Oid& id) const;
    /// The type of an object as git names it ("commit", "tree", "blob", "tag"); "" when it is missing.
    /// Reads the object's header only.
    std::string object_type(const Oid& id) const;
    /// The id git would give `data` as a blob (git hash-object).
    static Oid hash_blob(std::string_view data);
    /// Every blob under `prefix` (a folder, "" for all) in a commit's tree.
    std::vector<TreeFile> files_at(const Oid& commit, const std::string& prefix = "") const;
    /// Merge base of two commits; nullopt when unrelated.
    std::optional<Oid> merge_base(const Oid& a, const Oid& b) const;
    /// Is `ancestor` reachable from `descendant` (or equal)?
    bool is_ancestor(const Oid& ancestor, const Oid& descendant) const;
    /// Paths that differ between two commits (a zero Oid `a` means the empty tree).
    std::vector<std::string> changed_paths(const std::optional<Oid>& a, const Oid& b) const;

    // --- tags ---
    /// Every tag under refs/tags/, peeled. Lightweight tags are included with annotated = false.
    std::vector<TagInfo> tags() const;
    /// The tags of tags() whose name starts with one of `prefixes`, sorted by name, read without
    /// loading every tag: packed-refs is scanned for those names and only the loose refs below them are
    /// listed (tags_named.cpp). Falls back to filtering tags() on a packed-refs line it does not read.
    /// The prefix "" asks for every tag: tags(), sorted, without libgit2's parse of all of packed-refs.
    std::vector<TagInfo> tags_with_prefixes(const std::vector<std::string>& prefixes) const;
    AnnotatedTag read_tag(const Oid& tag_oid) const;
    /// Create an annotated tag on `target`. Returns false (and creates nothing) when the name exists.
    bool create_tag(const std::string& name, const Oid& target, const Signature& tagger,
                    const std::string& message);
    /// The tagger / committer signature from the environment and config (git's rules).
    Signature default_signature() const;

    // --- references ---
    std::optional<Oid> ref_target(const std::string& refname) const;
    std::vector<std::pair<std::string, Oid>> refs_matching(const std::string& glob) const;

    // --- remotes ---
    std::vector<std::string> remote_names() const;
    /// Add a fetch refspec to a remote's config.
    void add_fetch_refspec(const std::string& remote, const std::string& refspec);

    // --- config ---
    std::optional<std::string> config_string(const std::string& key) const;
    void set_config_string(const std::string& key, const std::string& value);

  private:
    explicit Repo(git_repository* r) : m_repo(r) {}
    git_repository* m_repo = nullptr;
};

/// Turn a negative libgit2 return into mlci::Error (kind git) naming `what`, with `hint` for the fix.
void check(int rc, const std::string& what, const std::string& hint = {});

/// `git check-ref-format` for a full ref name (refs/tags/NAME…).
bool valid_ref_name(const std::string& refname);

} // namespace mlci::git
