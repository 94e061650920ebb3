// The repository side of artifacts: the context every `git model` command works in (repository, config,
// cache, stat cache), pointer discovery in the work tree and in commits, and the path rules of
// DESIGN.md section 8 applied to real files (no symlink anywhere on the way).
#pragma once

#include "artifact/cache.hpp"
#include "artifact/cache_lock.hpp"
#include "artifact/manifest.hpp"
#include "artifact/pointer.hpp"
#include "artifact/statcache.hpp"
#include "config/config.hpp"
#include "git/lite/discover.hpp"
#include "git/repo.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlci::artifact {

/// A pointer file and the workspace path it names, both relative to the repository's top.
struct PointerFile {
    std::string pointer; // models/clf.safetensors.mlci
    std::string target;  // models/clf.safetensors
    Pointer p;
};

/// One problem met while working through many artifacts: commands report them all, then exit.
struct Problem {
    ErrorKind kind;
    std::string message;
    std::string hint;
};

using git::lite::discover_plain; // the repository found without libgit2 (git/lite/discover.hpp)
using git::lite::RepoPaths;

/// The repository, opened with libgit2 on first use. Initialising libgit2 parses every CA certificate
/// of the system (14 ms here, more than `git status` takes on a small tree); add and status find their
/// paths without it (discover_plain) and read no git object in the common case.
class LazyRepo {
  public:
    explicit LazyRepo(std::string start);
    explicit LazyRepo(git::Repo repo);
    git::Repo& get() const;
    operator git::Repo&() const { return get(); } // NOLINT: stands in for the Repo it holds
    bool opened() const;

    std::optional<git::Oid> head() const { return get().head(); }
    git::Oid commit_of(const std::string& rev) const { return get().commit_of(rev); }
    std::optional<std::string> blob_at(const git::Oid& commit, const std::string& path) const {
        return get().blob_at(commit, path);
    }
    std::vector<git::TreeFile> files_at(const git::Oid& commit, const std::string& prefix = "") const {
        return get().files_at(commit, prefix);
    }

  private:
    struct State;
    std::shared_ptr<State> m_s;
};

struct Context {
    LazyRepo repo;
    std::string top; // work tree, no trailing '/'
    Config cfg;
    LinkMode link = LinkMode::auto_;
    Cache cache;
    StatCache stat;
    std::string git_dir;             // trailing '/'
    std::string common_dir;          // trailing '/'
    std::shared_ptr<CacheLock> lock; // held from hold_cache() until the Context goes

    /// Open the repository around `start`, its config and cache. Throws usage/config errors.
    static Context open(const std::string& start = ".");
    std::string abs(const std::string& rel) const { return rel.empty() ? top : top + "/" + rel; }
    /// Lock the cache for the rest of this command (shared: objects added or fetched stay until the
    /// command ends; exclusive: gc) and record this work tree as one of the cache's users. Taking it
    /// again is free; a shared lock is converted when exclusive is asked for.
    void hold_cache(CacheLock::Mode mode);
};

/// The paths of git's index, read once: many "tracked by git?" questions for the cost of one read.
class TrackedPaths {
  public:
    static TrackedPaths load(const Context& ctx);
    /// Is `rel` (a file, or a folder with any file below it) in the index?
    bool contains(const std::string& rel) const;

  private:
    std::vector<std::string> m_paths; // sorted bytewise
};

/// Is `rel` (a file, or a folder with any file below it) in git's index?
bool tracked_by_git(const Context& ctx, const std::string& rel);

/// The pointers whose artifact path a checkout must not write (DESIGN.md section 8): a path git tracks,
/// a pointer file (or a folder holding one), a path inside another pointer's tracked folder, or one that
/// two pointers name with different content. One problem per refused pointer, with its index.
std::vector<std::pair<size_t, Problem>> target_conflicts(const std::vector<PointerFile>& pointers,
                                                         const TrackedPaths& tracked);

/// `arg` (relative to the current directory or absolute) as a path relative to the top. Throws
/// usage_error when it lies outside the work tree or inside .git.
std::string repo_relative(const Context& ctx, const std::string& arg);

/// Throw input_error when a folder on the way from the top to `rel` is a symlink (the last part is not
/// checked: callers decide what a symlink there means).
void refuse_symlink_on_way(const Context& ctx, const std::string& rel);

/// Parse a pointer's text and resolve its target (relative to the top); `pointer_rel` names it.
PointerFile resolve_pointer(const std::string& pointer_rel, std::string_view text);

/// Every pointer in the work tree (not descending into .git or tracked directories). Invalid pointers
/// throw (exit 2): a pointer that escapes the repository stops the command before it does anything.
std::vector<PointerFile> workspace_pointers(const Context& ctx);
/// Keep the pointers named by `args` (a pointer, its target, or a folder holding them); none → all.
/// Throws usage_error for an argument that names no pointer.
std::vector<PointerFile> select_pointers(const Context& ctx, std::vector<PointerFile> all,
                                         const std::vector<std::string>& args);

/// Throw input_error (exit 2) unless a pointer's path in a commit's tree passes the path rules.
void check_tree_path(const git::Oid& commit, const std::string& path);

/// Every pointer in a commit's tree (each at a place check_tree_path accepts); pointer blobs are parsed
/// once per blob id across calls.
class CommitPointers {
  public:
    explicit CommitPointers(const git::Repo& repo) : m_repo(repo) {}
    std::vector<PointerFile> at(const git::Oid& commit);

  private:
    const git::Repo& m_repo;
    std::map<git::Oid, std::optional<Pointer>> m_blobs;
};

/// The manifest of a directory pointer, read from the cache; nullopt when the cache lacks it. Throws
/// input_error when it is corrupt or disagrees with the pointer (check_manifest).
std::optional<std::vector<ManifestEntry>> read_manifest(const Cache& cache, const Pointer& p);
/// Throw input_error unless the manifest holds the pointer's nfiles entries whose sizes add up to its
/// size: a crafted pointer cannot smuggle members past what it claims.
void check_manifest(const Pointer& p, const std::vector<ManifestEntry>& m, const std::string& source);

/// Hash of a workspace file through the stat cache (re-hashed and recorded on a miss).
Hash128 file_hash(Context& ctx, const std::string& abs_path, const struct stat& st);
/// Hash a workspace file and record it in the stat cache (no lookup first).
Hash128 rehash_file(Context& ctx, const std::string& abs_path);

/// One regular file under a tracked folder: its path below the folder and what the stat cache keys on
/// (88 bytes where a path and a struct stat take 176: on a 20,000-file folder that is 900 fresh pages).
struct ListedFile {
    std::string path;
    StatKey key;
    uint32_t mode = 0;
};

/// A folder's regular files as runs that concatenate to byte order of their paths (the manifest's
/// order): each sub-folder of the top is read on its own thread into its own run, so nothing is copied
/// to merge or sort them. Symlinks, special files and names a manifest cannot hold throw input_error.
using FileRuns = std::vector<std::vector<ListedFile>>;
FileRuns list_files(const std::string& abs_dir, const std::string& shown, int jobs);

/// A folder's files and their hashes (through the stat cache; the misses hashed in parallel).
struct ScannedDir {
    FileRuns runs;
    std::vector<Hash128> hashes; // one per file, in the order of the runs
    size_t size() const { return hashes.size(); }
    template <typename F>
    void each(F&& f) const { // f(index, ListedFile)
        size_t i = 0;
        for (const auto& run : runs) {
            for (const auto& lf : run) {
                f(i++, lf);
            }
        }
    }
};
ScannedDir scan_directory(Context& ctx, const std::string& rel, int jobs);
/// The id of the folder's manifest, xxh128(format_manifest(manifest_entries(d))), hashed as its lines
/// are made instead of from one string.
Hash128 manifest_id(const ScannedDir& d);
std::vector<ManifestEntry> manifest_entries(const ScannedDir& d);

/// List a directory's regular files (relative paths, sorted) with their stat, refusing what a manifest
/// cannot hold. Shared by add and status.
std::vector<std::pair<std::string, struct stat>> list_directory(const std::string& abs_dir,
                                                                const std::string& shown);

} // namespace mlci::artifact
