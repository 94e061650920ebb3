// Reading git objects as stored, for the fast readers of `git gate log` (time_walk.hpp, the notes table
// of eval/note_table.hpp): the object database of a repository, one owned raw object, the scoped
// libgit2 settings those readers run under, and the two pieces of git's object formats they parse by
// hand (a canonical tree entry, the time of a signature line).
#pragma once

#include "git/oid.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct git_odb;
struct git_odb_object;

namespace mlci::git {

class Repo;

enum class ObjectType { other, commit, tree, blob, tag };

/// One object read from the object database (inflated, as stored), freed when it goes out of scope.
class RawObject {
  public:
    ObjectType type() const;
    std::string_view data() const; // valid while this object lives

  private:
    friend class Odb;
    struct Free {
        void operator()(git_odb_object* p) const;
    };
    std::unique_ptr<git_odb_object, Free> m_p; // move-only
};

/// The object database of a repository. libgit2 documents a git_odb as safe to share between threads
/// (a git_repository is not).
class Odb {
  public:
    explicit Odb(const Repo& repo); // throws Error (kind git) when it cannot be opened
    Odb(Odb&& o) noexcept : m_odb(o.m_odb) { o.m_odb = nullptr; }
    Odb& operator=(Odb&&) = delete;
    Odb(const Odb&) = delete;
    Odb& operator=(const Odb&) = delete;
    ~Odb();

    /// The object, or nullopt when it cannot be read (missing or damaged).
    std::optional<RawObject> try_read(const Oid& id) const;
    /// The object; throws Error (kind git) saying `what`, with libgit2's reason, when it cannot be read.
    RawObject read(const Oid& id, const std::string& what) const;

  private:
    git_odb* m_odb = nullptr;
};

/// libgit2 re-hashes every object it inflates (strict hash verification, on by default); git itself
/// does not on reads (fsck does). Over a whole history that is one SHA-1 per commit and per note, a tenth
/// of `git gate log`'s time, for a command that only reads: off while this lives, on again after.
class NoHashVerification {
  public:
    NoHashVerification();
    ~NoHashVerification();
    NoHashVerification(const NoHashVerification&) = delete;
    NoHashVerification& operator=(const NoHashVerification&) = delete;
};

/// Objects read once and kept as needed need no cache: caching them only grows the heap (20,000 commits
/// are 6 MB, a page fault per 4 KiB of fresh memory) and takes the cache's lock. Off for commits or trees
/// while this lives, then back to the limit git::init() sets for them.
class NoObjectCache {
  public:
    explicit NoObjectCache(ObjectType type); // commit or tree
    ~NoObjectCache();
    NoObjectCache(const NoObjectCache&) = delete;
    NoObjectCache& operator=(const NoObjectCache&) = delete;

  private:
    ObjectType m_type;
};

/// One tree entry in canonical form: "<octal mode> <name>\0<20-byte id>".
struct RawTreeEntry {
    unsigned mode = 0;
    std::string_view name;
    const unsigned char* id = nullptr;                              // 20 bytes inside the tree object
    bool is_tree() const { return (mode & 0170000) == 0040000; }    // libgit2's S_ISDIR
    bool is_gitlink() const { return (mode & 0170000) == 0160000; } // a commit (a submodule)
};
/// Reads the entry at `p` and moves `p` past it; false when it is not in canonical form (octal mode of
/// at most 7 digits without sign or blanks, a non-empty name, a whole id). libgit2 may still read such
/// an entry: the caller then lets libgit2 decide.
bool next_tree_entry(const char*& p, const char* end, RawTreeEntry& e);

/// The seconds of a signature "NAME <EMAIL> SECONDS +HHMM" (the text after "author " or "committer "),
/// in the plain form only: the time right after the last '>', at most 18 digits, a signed four-digit
/// zone. libgit2's git_signature__parse reads the same seconds from such a line; for anything else the
/// answer is false and the caller asks libgit2.
bool signature_seconds(std::string_view line, int64_t& seconds);

} // namespace mlci::git
