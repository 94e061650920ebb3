// git notes trees (notes.hpp): read through libgit2's tree and notes readers, written as blob, fan-out
// tree and commit built here, and moved onto the notes ref by compare-and-swap.
#include "git/notes.hpp"

#include "git/handle.hpp"
#include "util/strings.hpp"

#include <git2.h>

namespace mlci::git {

namespace {

void walk(git_repository* repo, const git_tree* tree, const std::string& hex, const std::string& path,
          int depth, NotesLayout& out) {
    size_t n = git_tree_entrycount(tree);
    for (size_t i = 0; i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        std::string name = git_tree_entry_name(e);
        git_object_t type = git_tree_entry_type(e);
        bool hexname = is_lower_hex(name);
        if (type == GIT_OBJECT_BLOB && hexname && hex.size() + name.size() == GIT_OID_HEXSZ) {
            out.notes[hex + name] = from_git(git_tree_entry_id(e));
            if (out.depth == -1) {
                out.depth = depth;
            } else if (out.depth != depth) {
                out.uniform = false;
            }
            continue;
        }
        if (type == GIT_OBJECT_TREE && hexname && name.size() == 2 && hex.size() + 2 < GIT_OID_HEXSZ) {
            std::string sub = path.empty() ? name : path + "/" + name;
            out.dirs[sub] = from_git(git_tree_entry_id(e));
            Handle<git_tree> t;
            check(git_tree_lookup(t.out(), repo, git_tree_entry_id(e)), "cannot read notes tree " + sub);
            walk(repo, t.get(), hex + name, sub, depth + 1, out);
            continue;
        }
        if (depth == 0) {
            out.extras.push_back({name, from_git(git_tree_entry_id(e)), git_tree_entry_filemode(e)});
        }
        // Deeper non-note entries cannot be told apart from damage; git ignores them too.
    }
}

// The notes of a tree as index() wants them: the same entries walk() takes for notes (the last one
// met wins when a note appears at two fan-out depths, as in read_layout), straight into the hash map.
void index_walk(git_repository* repo, const git_tree* tree, const std::string& hex, const std::string& path,
                NoteIndex& out) {
    size_t n = git_tree_entrycount(tree);
    char full[GIT_OID_HEXSZ];
    for (size_t i = 0; i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        const char* name = git_tree_entry_name(e);
        size_t len = std::strlen(name);
        if (!is_lower_hex(std::string_view(name, len))) {
            continue;
        }
        git_object_t type = git_tree_entry_type(e);
        if (type == GIT_OBJECT_BLOB && hex.size() + len == GIT_OID_HEXSZ) {
            std::memcpy(full, hex.data(), hex.size());
            std::memcpy(full + hex.size(), name, len);
            git_oid commit;
            check(git_oid_fromstrn(&commit, full, GIT_OID_HEXSZ), "cannot read notes tree");
            out.insert_or_assign(from_git(&commit), from_git(git_tree_entry_id(e)));
        } else if (type == GIT_OBJECT_TREE && len == 2 && hex.size() + 2 < GIT_OID_HEXSZ) {
            Handle<git_tree> t;
            std::string sub = path.empty() ? std::string(name) : path + "/" + name;
            check(git_tree_lookup(t.out(), repo, git_tree_entry_id(e)), "cannot read notes tree " + sub);
            index_walk(repo, t.get(), hex + name, sub, out);
        }
    }
}

NotesLayout read_layout(git_repository* repo, const std::optional<Oid>& notes_commit) {
    NotesLayout out;
    if (!notes_commit) {
        return out;
    }
    Handle<git_commit> c;
    check(git_commit_lookup(c.out(), repo, to_git(*notes_commit)),
          "cannot read notes commit " + notes_commit->hex());
    Handle<git_tree> t;
    check(git_commit_tree(t.out(), c.get()), "cannot read notes tree");
    walk(repo, t.get(), "", "", 0, out);
    return out;
}

// git's own notes code splits a level into 2-hex folders once it holds more than 256 notes; any
// layout reads back, this one keeps each tree small so a write rewrites ~2 small trees.
int fanout_for(size_t n) {
    int levels = 0;
    size_t cap = 256;
    while (n > cap && levels < 18) {
        ++levels;
        cap *= 256;
    }
    return levels;
}

class TreeBuilder {
  public:
    TreeBuilder(git_repository* repo, const NotesLayout& old, const std::map<std::string, Oid>& notes,
                const std::set<std::string>& dirty)
        : m_repo(repo), m_old(old), m_notes(notes), m_dirty(dirty), m_levels(fanout_for(notes.size())) {
        m_reuse = old.uniform && old.depth == m_levels;
    }

    Oid build() { return level(0, "", m_notes.begin(), m_notes.end(), true); }

  private:
    using It = std::map<std::string, Oid>::const_iterator;
    git_repository* m_repo;
    const NotesLayout& m_old;
    const std::map<std::string, Oid>& m_notes;
    const std::set<std::string>& m_dirty;
    int m_levels;
    bool m_reuse = false;

    bool dirty_under(const std::string& hexprefix) const {
        auto it = m_dirty.lower_bound(hexprefix);
        return it != m_dirty.end() && it->compare(0, hexprefix.size(), hexprefix) == 0;
    }

    Oid level(int depth, const std::string& path, It begin, It end, bool root) {
        Handle<git_treebuilder> bld;
        check(git_treebuilder_new(bld.out(), m_repo, nullptr), "cannot build notes tree");
        size_t off = static_cast<size_t>(depth) * 2;
        if (depth == m_levels) {
            for (It it = begin; it != end; ++it) {
                check(git_treebuilder_insert(nullptr, bld.get(), it->first.c_str() + off, to_git(it->second),
                                             GIT_FILEMODE_BLOB),
                      "cannot build notes tree");
            }
        } else {
            It it = begin;
            while (it != end) {
                std::string two = it->first.substr(off, 2);
                It group_end = it;
                while (group_end != end && group_end->first.compare(off, 2, two) == 0) {
                    ++group_end;
                }
                std::string sub = path.empty() ? two : path + "/" + two;
                std::string hexprefix = it->first.substr(0, off + 2);
                Oid tree;
                auto old = m_old.dirs.find(sub);
                if (m_reuse && old != m_old.dirs.end() && !dirty_under(hexprefix)) {
                    tree = old->second;
                } else {
                    tree = level(depth + 1, sub, it, group_end, false);
                }
                check(
                    git_treebuilder_insert(nullptr, bld.get(), two.c_str(), to_git(tree), GIT_FILEMODE_TREE),
                    "cannot build notes tree");
                it = group_end;
            }
        }
        if (root) {
            for (const auto& x : m_old.extras) {
                if (git_treebuilder_get(bld.get(), x.name.c_str()) == nullptr) {
                    check(git_treebuilder_insert(nullptr, bld.get(), x.name.c_str(), to_git(x.id),
                                                 static_cast<git_filemode_t>(x.mode)),
                          "cannot build notes tree");
                }
            }
        }
        git_oid out;
        check(git_treebuilder_write(&out, bld.get()), "cannot write notes tree");
        return from_git(&out);
    }
};

Handle<git_signature> notes_signature(git_repository* repo) {
    Handle<git_signature> sig;
    if (git_signature_default(sig.out(), repo) < 0) {
        // CI jobs often have no identity: the notes commit still needs one.
        check(git_signature_now(sig.out(), "mlci", "mlci@localhost"), "cannot create signature");
    }
    return sig;
}

Oid write_commit(git_repository* repo, const Oid& tree_id, const std::vector<Oid>& parents,
                 const std::string& message) {
    Handle<git_tree> tree;
    check(git_tree_lookup(tree.out(), repo, to_git(tree_id)), "cannot read notes tree");
    std::vector<Handle<git_commit>> owned;
    std::vector<const git_commit*> raw;
    for (const auto& p : parents) {
        Handle<git_commit> c;
        check(git_commit_lookup(c.out(), repo, to_git(p)), "cannot read notes commit " + p.hex());
        raw.push_back(c.get());
        owned.push_back(std::move(c));
    }
    auto sig = notes_signature(repo);
    git_oid out;
    check(git_commit_create(&out, repo, nullptr, sig.get(), sig.get(), nullptr, message.c_str(), tree.get(),
                            raw.size(), raw.data()),
          "cannot write notes commit");
    return from_git(&out);
}

// Move `ref` from `old` (nullopt: must not exist) to `to`. False when another writer won the race.
bool cas_ref(git_repository* repo, const std::string& ref, const std::optional<Oid>& old, const Oid& to,
             const std::string& message) {
    Handle<git_reference> out;
    int rc = old ? git_reference_create_matching(out.out(), repo, ref.c_str(), to_git(to), 1, to_git(*old),
                                                 message.c_str())
                 : git_reference_create(out.out(), repo, ref.c_str(), to_git(to), 0, message.c_str());
    if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
        return false;
    }
    check(rc, "cannot update " + ref);
    return true;
}

std::string blob_text(git_repository* repo, const Oid& id) {
    Handle<git_blob> b;
    check(git_blob_lookup(b.out(), repo, to_git(id)), "cannot read note blob " + id.hex());
    return std::string(static_cast<const char*>(git_blob_rawcontent(b.get())),
                       static_cast<size_t>(git_blob_rawsize(b.get())));
}

Oid write_blob(git_repository* repo, const std::string& text) {
    git_oid out;
    check(git_blob_create_from_buffer(&out, repo, text.data(), text.size()), "cannot write note");
    return from_git(&out);
}

} // namespace

std::optional<Oid> note_blob(const Repo& repo, const std::string& ref, const Oid& commit) {
    Handle<git_note> note;
    int rc = git_note_read(note.out(), repo.raw(), ref.c_str(), to_git(commit));
    if (rc == GIT_ENOTFOUND) {
        return std::nullopt;
    }
    check(rc, "cannot read the note of " + commit.hex());
    // The note's blob, not git_note_message: a NUL in a hand-written note must reach the parser.
    return from_git(git_note_id(note.get()));
}

std::string note_text(const Repo& repo, const Oid& blob) {
    return blob_text(repo.raw(), blob);
}

NotesLayout read_notes_layout(const Repo& repo, const std::optional<Oid>& notes_commit) {
    return read_layout(repo.raw(), notes_commit);
}

NoteIndex read_notes_index(const Repo& repo, const Oid& notes_commit) {
    NoteIndex out;
    Handle<git_commit> commit;
    check(git_commit_lookup(commit.out(), repo.raw(), to_git(notes_commit)),
          "cannot read notes commit " + notes_commit.hex());
    Handle<git_tree> t;
    check(git_commit_tree(t.out(), commit.get()), "cannot read notes tree");
    index_walk(repo.raw(), t.get(), "", "", out);
    return out;
}

Oid write_note_text(Repo& repo, const std::string& text) {
    return write_blob(repo.raw(), text);
}

Oid write_notes_tree(Repo& repo, const NotesLayout& old, const std::map<std::string, Oid>& notes,
                     const std::set<std::string>& dirty) {
    return TreeBuilder(repo.raw(), old, notes, dirty).build();
}

Oid write_notes_commit(Repo& repo, const Oid& tree, const std::vector<Oid>& parents,
                       const std::string& message) {
    return write_commit(repo.raw(), tree, parents, message);
}

bool move_ref(Repo& repo, const std::string& ref, const std::optional<Oid>& old, const Oid& to,
              const std::string& message) {
    return cas_ref(repo.raw(), ref, old, to, message);
}

} // namespace mlci::git
