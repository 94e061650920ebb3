// Every note of a notes tree, for `git gate log`: commit → note blob, read straight from the object
// database (git/odb.hpp). NotesStore::index() walks the tree through git_tree_lookup, which builds a git_tree
// (an allocation per entry) and goes through the repository's object cache; this reads the raw tree objects
// instead, into one flat open-addressing table. It also needs only a git_odb, which libgit2 documents as
// safe to share between threads (a git_repository is not), so a helper thread can build it.
//
// The reader is conservative: it accepts tree objects in git's canonical form only (octal modes without
// sign or blanks, non-empty names, whole ids) and otherwise answers nullopt, so that the caller falls back
// to NotesStore::index(), which decides about damage (and reports it) as before. Whenever it answers, it
// holds exactly the entries NotesStore::index() holds: the same notes (lowercase hex names, any fan-out
// depth) and, for a commit noted at two depths, the same winner (the last met in tree order).
#pragma once

#include "eval/notes.hpp"
#include "git/odb.hpp"
#include "git/repo.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace mlci::eval {

class NoteTable {
  public:
    static constexpr size_t npos = static_cast<size_t>(-1);

    /// The notes of the tree `tree` (a notes commit's tree), or nullopt when a tree object is missing,
    /// is not a tree, or is not in the canonical form (see above). `size_hint`: notes expected.
    static std::optional<NoteTable> read(const git::Odb& odb, const git::Oid& tree, size_t size_hint);
    /// The same for the tree of the notes commit `notes_commit` (nullopt also when that commit cannot be
    /// read).
    static std::optional<NoteTable> read_commit(const git::Repo& repo, const git::Oid& notes_commit);
    /// The same table made from NotesStore::index() (the fallback).
    static NoteTable from_index(const NoteIndex& index);

    size_t size() const { return m_entries.size(); }
    /// The slot of a commit's note in [0, size()), or npos when the commit has none.
    size_t find(const git::Oid& commit) const { return find(commit.id); }
    size_t find(const unsigned char* commit) const; // 20 raw bytes
    const git::Oid& commit(size_t slot) const { return m_entries[slot].commit; }
    const git::Oid& blob(size_t slot) const { return m_entries[slot].blob; }

  private:
    struct Entry {
        git::Oid commit;
        git::Oid blob;
    };
    std::vector<Entry> m_entries;
    std::vector<uint32_t> m_table; // slot + 1 per bucket, 0 = empty; size a power of two
    size_t m_mask = 0;

    void put(const git::Oid& commit, const git::Oid& blob); // the last put of a commit wins
    void grow();
};

} // namespace mlci::eval
