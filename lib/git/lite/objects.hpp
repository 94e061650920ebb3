// A small, read-only reader of a git repository's refs, index and objects (loose and packed, with
// offset and ref deltas), for the hooks' fast path: a no-op pre-commit or pre-push must cost about as
// much as `git rev-parse HEAD`, and starting a `git diff --cached` child alone costs that much. It does
// not replace libgit2 or git: it reads the common layout (SHA-1, files refs, one object folder) and
// answers nullopt (callers then ask git) for everything else — alternates, SHA-256, reftable, replace
// refs, grafts, split or sparse indexes, conflicts, intent-to-add entries, anything that does not parse.
#pragma once

#include "git/oid.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::git::lite {

enum class Type { commit = 1, tree = 2, blob = 3, tag = 4 };

struct Object {
    Type type = Type::blob;
    std::string data;
};

/// One entry of a tree object.
struct TreeEntry {
    std::string name;
    unsigned mode = 0; // canonical: 040000, 0100644, 0100755, 0120000, 0160000
    Oid id{};
    bool is_tree() const { return mode == 040000; }
};
/// nullopt when the bytes are not a well-formed tree.
std::optional<std::vector<TreeEntry>> parse_tree(std::string_view data);

struct Commit {
    Oid tree{};
    std::vector<Oid> parents;
};
std::optional<Commit> parse_commit(std::string_view data);

/// One entry of git's index (stage 0 only: an index with conflicts is not read).
struct IndexEntry {
    std::string path;
    unsigned mode = 0;
    Oid id{};
    uint32_t size = 0; // low 32 bits of the work tree file's size when it was staged
    // The rest of the stat data git keeps to tell whether the work tree file changed since (all zero
    // for an entry written from a tree or with --cacheinfo, which describes no file).
    uint32_t mtime_sec = 0, mtime_nsec = 0, ino = 0;
    /// The entry still describes `st` (the work tree file): same size, modification time and inode, and
    /// a size git did not zero. Then `size` is the size of the file its blob was made from.
    bool matches(const struct stat& st) const;
};
struct Index {
    std::vector<IndexEntry> entries; // sorted by path, as git keeps them
    /// The cache-tree extension's valid directories: "" for the root, "a/b" below it → (tree id,
    /// number of index entries it covers).
    std::map<std::string, std::pair<Oid, int>> trees;
};
/// Reads git's index (versions 2 to 4); a missing file is an empty index. nullopt when unreadable, or holding
/// what this reader does not handle (conflicts, intent-to-add, split or sparse index, a required extension).
std::optional<Index> read_index(const std::string& path);
std::optional<Index> parse_index(std::string_view bytes);

/// A git delta applied to its base. Throws Unsupported when the delta does not fit the base.
std::string apply_delta(std::string_view base, std::string_view delta);

class Repo {
  public:
    /// The repository whose work tree top is the current directory (where git runs hooks), honouring
    /// GIT_DIR and a `.git` file (linked worktrees). nullptr when its layout is one we do not read.
    static std::unique_ptr<Repo> open();
    ~Repo();
    Repo(const Repo&) = delete;
    Repo& operator=(const Repo&) = delete;

    /// "HEAD" or a full ref name → commit id. nullopt when it does not exist (an unborn branch).
    /// Throws Unsupported when it cannot tell.
    std::optional<Oid> resolve(const std::string& ref);
    /// nullopt when no such object exists here. Throws Unsupported on data it cannot decode.
    std::optional<Object> read(const Oid& id);
    /// The index git uses: $GIT_INDEX_FILE, else GIT_DIR/index.
    std::string index_path() const;

  private:
    Repo() = default;
    struct Pack;
    std::string git_dir_;
    std::string common_dir_;
    std::vector<std::unique_ptr<Pack>> packs_;
    bool packs_loaded_ = false;
    std::optional<std::string> packed_refs_;
    std::array<int64_t, 4> packed_refs_stat_{}; // inode, size, mtime of what packed_refs_ holds
    void load_packed_refs();
    void load_packs();
    std::optional<Object> read_at(const Oid& id, int depth);
    std::optional<Object> read_packed(Pack& pack, uint64_t offset, int depth);
    std::optional<std::string> read_ref_file(const std::string& ref);
};

/// Thrown (and caught by the helpers below) when the repository holds something this reader does not
/// decode; the caller then asks git.
struct Unsupported {
    std::string why;
};

/// What `git diff --cached --raw --no-renames --ignore-submodules --diff-filter=AMT` lists: index
/// entries added, modified or retyped against HEAD's tree (every entry when HEAD is unborn), in path
/// order. Directories whose cache-tree entry matches HEAD's tree are skipped unread.
struct Change {
    std::string path;
    unsigned mode = 0;
    Oid id{};
};
std::optional<std::vector<Change>> staged_changes(Repo& repo, const Index& index);

/// The paths a commit changes against its first parent (every path for a root commit), as
/// `git log --name-only --no-renames -m --first-parent` lists them: added, modified and deleted files.
/// Throws Unsupported when an object is missing or malformed.
std::vector<std::string> changed_paths(Repo& repo, const Commit& commit);

} // namespace mlci::git::lite
