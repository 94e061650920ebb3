// git notes trees as git writes and reads them, for the eval notes store (eval/notes.hpp): the note of a
// commit, every note of a notes commit, and the pieces of a compare-and-swap write — the note blob, the
// notes tree in git's fan-out layout (so `git notes` reads it), the notes commit, and the move of the
// ref from the tip that was read. What a note says, and how two notes merge, is eval's business.
#pragma once

#include "git/repo.hpp"

#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlci::git {

struct OidHash {
    size_t operator()(const Oid& o) const {
        size_t h;
        std::memcpy(&h, o.id, sizeof h);
        return h;
    }
};
using NoteIndex = std::unordered_map<Oid, Oid, OidHash>; // commit → note blob

/// A notes tree as read: every note (by the commit's hex), the fan-out folders met on the way (reused
/// when unchanged), and any other entries of the root (kept as they are, as git does).
struct NotesLayout {
    std::map<std::string, Oid> notes; // sorted: the builder groups by prefix
    std::map<std::string, Oid> dirs;  // "ab", "ab/cd" → tree
    int depth = -1;                   // fan-out depth of the notes (-1: none yet)
    bool uniform = true;              // every note at `depth`
    struct Extra {
        std::string name;
        Oid id;
        unsigned mode = 0;
    };
    std::vector<Extra> extras;
};

/// The note blob of `commit` on the notes ref `ref` (any fan-out layout, through libgit2's notes
/// reader); nullopt when it has none.
std::optional<Oid> note_blob(const Repo& repo, const std::string& ref, const Oid& commit);
/// The text of a note blob, as stored (a NUL included).
std::string note_text(const Repo& repo, const Oid& blob);
/// The layout of the notes commit `notes_commit` (empty for nullopt).
NotesLayout read_notes_layout(const Repo& repo, const std::optional<Oid>& notes_commit);
/// Every note of the notes commit `notes_commit`: commit → blob, one pass over its tree. A commit noted
/// at two fan-out depths keeps the last met in tree order.
NoteIndex read_notes_index(const Repo& repo, const Oid& notes_commit);

/// Write a note's text as a blob.
Oid write_note_text(Repo& repo, const std::string& text);
/// Write the notes tree holding `notes` (commit hex → blob): fan-out folders as git's notes code makes
/// them, the folders of `old` reused where no note of `dirty` (hexes) falls, the other entries of old's
/// root kept.
Oid write_notes_tree(Repo& repo, const NotesLayout& old, const std::map<std::string, Oid>& notes,
                     const std::set<std::string>& dirty);
/// Write a notes commit (the user's identity, else "mlci <mlci@localhost>").
Oid write_notes_commit(Repo& repo, const Oid& tree, const std::vector<Oid>& parents,
                       const std::string& message);
/// Move `ref` from `old` (nullopt: it must not exist) to `to`, compare-and-swap. False when another
/// writer won the race.
bool move_ref(Repo& repo, const std::string& ref, const std::optional<Oid>& old, const Oid& to,
              const std::string& message);

} // namespace mlci::git
