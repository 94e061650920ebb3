// The notes store (notes.hpp): reads through libgit2, and writes that build blob, fan-out tree and commit
// themselves and move refs/notes/mlci/evals by compare-and-swap, retrying with backoff when a race is lost.
// Also the note merge of `git gate sync`, which never drops a readable run of ours.
#include "eval/notes.hpp"

#include "config/toml.hpp"
#include "git/handle.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <git2.h>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace mlci::eval {

using git::check;
using git::from_git;
using git::Handle;
using git::Oid;
using git::to_git;

std::string note_source(const Oid& commit) {
    return "note of commit " + commit.short_hex();
}

namespace {

bool is_hex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

// A notes tree as read: every note (by the commit's hex), the fan-out folders met on the way (reused
// when unchanged), and any other entries of the root (kept as they are, as git does).
struct Layout {
    std::map<std::string, Oid> notes; // sorted: the builder groups by prefix
    std::map<std::string, Oid> dirs;  // "ab", "ab/cd" → tree
    int depth = -1;                   // fan-out depth of the notes (-1: none yet)
    bool uniform = true;              // every note at `depth`
    struct Extra {
        std::string name;
        Oid id;
        git_filemode_t mode;
    };
    std::vector<Extra> extras;
};

void walk(git_repository* repo, const git_tree* tree, const std::string& hex, const std::string& path,
          int depth, Layout& out) {
    size_t n = git_tree_entrycount(tree);
    for (size_t i = 0; i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        std::string name = git_tree_entry_name(e);
        git_object_t type = git_tree_entry_type(e);
        bool hexname = is_hex(name);
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
        if (!is_hex(std::string_view(name, len))) {
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

Layout read_layout(git_repository* repo, const std::optional<Oid>& notes_commit) {
    Layout out;
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
    TreeBuilder(git_repository* repo, const Layout& old, const std::map<std::string, Oid>& notes,
                const std::set<std::string>& dirty)
        : m_repo(repo), m_old(old), m_notes(notes), m_dirty(dirty), m_levels(fanout_for(notes.size())) {
        m_reuse = old.uniform && old.depth == m_levels;
    }

    Oid build() { return level(0, "", m_notes.begin(), m_notes.end(), true); }

  private:
    using It = std::map<std::string, Oid>::const_iterator;
    git_repository* m_repo;
    const Layout& m_old;
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
                    check(git_treebuilder_insert(nullptr, bld.get(), x.name.c_str(), to_git(x.id), x.mode),
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

void backoff(int attempt) {
    static thread_local std::mt19937 rng(std::random_device{}());
    int ms = std::min(200, 2 << std::min(attempt, 6));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ms)(rng)));
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

NotesStore::NotesStore(git::Repo& repo, std::string ref) : m_repo(repo), m_ref(std::move(ref)) {}

std::optional<Oid> NotesStore::tip() const {
    return m_repo.ref_target(m_ref);
}

std::optional<std::string> NotesStore::read_text(const Oid& commit) const {
    Handle<git_note> note;
    int rc = git_note_read(note.out(), m_repo.raw(), m_ref.c_str(), to_git(commit));
    if (rc == GIT_ENOTFOUND) {
        return std::nullopt;
    }
    check(rc, "cannot read the note of " + commit.hex());
    // The note's blob, not git_note_message: a NUL in a hand-written note must reach the parser.
    return blob_text(m_repo.raw(), from_git(git_note_id(note.get())));
}

std::optional<Note> NotesStore::read(const Oid& commit) const {
    auto text = read_text(commit);
    if (!text) {
        return std::nullopt;
    }
    return parse_note(*text, note_source(commit));
}

std::optional<Note> NotesStore::read_lenient(const Oid& commit) const {
    try {
        return read(commit);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            throw;
        }
        warn(std::string(e.what()) + " (treated as no result)");
        return std::nullopt;
    }
}

NoteIndex NotesStore::index(const std::optional<Oid>& notes_commit) const {
    std::optional<Oid> c = notes_commit ? notes_commit : tip();
    NoteIndex out;
    if (!c) {
        return out;
    }
    git_repository* repo = m_repo.raw();
    Handle<git_commit> commit;
    check(git_commit_lookup(commit.out(), repo, to_git(*c)), "cannot read notes commit " + c->hex());
    Handle<git_tree> t;
    check(git_commit_tree(t.out(), commit.get()), "cannot read notes tree");
    index_walk(repo, t.get(), "", "", out);
    return out;
}

void NotesStore::edit(const std::map<Oid, NoteEdit>& edits, const std::string& message, int tries) {
    git_repository* repo = m_repo.raw();
    for (int attempt = 0; attempt < tries; ++attempt) {
        std::optional<Oid> old = tip();
        Layout layout = read_layout(repo, old);
        std::map<std::string, Oid> notes = layout.notes;
        std::set<std::string> dirty;
        for (const auto& [commit, fn] : edits) {
            std::string hex = commit.hex();
            auto it = notes.find(hex);
            std::optional<std::string> cur;
            if (it != notes.end()) {
                cur = blob_text(repo, it->second);
            }
            std::string next = fn(cur);
            if (cur && *cur == next) {
                continue;
            }
            notes[hex] = write_blob(repo, next);
            dirty.insert(hex);
        }
        if (dirty.empty()) {
            return;
        }
        Oid tree = TreeBuilder(repo, layout, notes, dirty).build();
        std::vector<Oid> parents;
        if (old) {
            parents.push_back(*old);
        }
        Oid commit = write_commit(repo, tree, parents, message);
        if (cas_ref(repo, m_ref, old, commit, message)) {
            return;
        }
        backoff(attempt);
    }
    throw Error(ErrorKind::git,
                "cannot update " + m_ref + ": other writers kept moving it (" + std::to_string(tries) +
                    " tries)",
                "run the command again");
}

void NotesStore::append(const Oid& commit, const Run& run) {
    edit({{commit,
           [&](const std::optional<std::string>& cur) {
               Note n;
               if (cur) {
                   try {
                       n = parse_note(*cur, note_source(commit));
                   } catch (const Error& e) {
                       throw input_error(std::string(e.what()) + "; not recording into it",
                                         "fix it with: git notes --ref=mlci/evals edit " + commit.hex());
                   }
               }
               n.runs.push_back(run);
               return serialize_note(n);
           }}},
         "git gate: record " + run.suite + " run " + run.id);
}

namespace {

std::optional<Note> try_parse(const std::string& text, const std::string& source, std::string* why) {
    try {
        return parse_note(text, source);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            throw;
        }
        if (why != nullptr) {
            *why = e.what();
        }
        return std::nullopt;
    }
}

// Two runs are the same run when they serialize alike (every field, in order).
std::string run_text(const Run& r) {
    Note n;
    n.runs.push_back(r);
    return serialize_note(n);
}

} // namespace

std::string merge_note_texts(const Oid& commit, const std::string& ours, const std::string& theirs,
                             const std::string& theirs_name) {
    if (ours == theirs) {
        return ours;
    }
    std::string why_ours;
    std::string why_theirs;
    std::optional<Note> mine = try_parse(ours, note_source(commit), &why_ours);
    std::optional<Note> other = try_parse(theirs, note_source(commit) + " in " + theirs_name, &why_theirs);
    if (mine && other) {
        std::string merged = serialize_note(merge_notes(*mine, *other));
        if (merged.size() <= k_max_toml_bytes) {
            return merged;
        }
        warn(note_source(commit) + ": merged with " + theirs_name +
             " it would pass the 1 MiB limit of a note (" + std::to_string(merged.size()) +
             " bytes); kept the local note, the other stays in " + theirs_name);
        return ours;
    }
    if (mine) {
        warn(why_theirs + "; kept the local note of " + commit.short_hex() + " (its runs stay readable)");
        return ours;
    }
    if (other) {
        warn(why_ours + "; replaced by the note in " + theirs_name +
             " (the local text stays in the history of " + k_notes_ref + ")");
        return theirs;
    }
    warn(why_theirs + "; the local note of " + commit.short_hex() + " does not parse either: kept it");
    return ours;
}

bool keeps_our_runs(const Oid& commit, const std::string& ours, const std::string& theirs) {
    if (ours == theirs) {
        return true;
    }
    std::optional<Note> mine = try_parse(ours, note_source(commit), nullptr);
    if (!mine) {
        return true; // nothing readable to keep
    }
    std::optional<Note> other = try_parse(theirs, note_source(commit), nullptr);
    if (!other) {
        return false;
    }
    std::map<std::string, std::vector<std::string>> theirs_by_id;
    for (const auto& r : other->runs) {
        theirs_by_id[r.id].push_back(run_text(r));
    }
    for (const auto& r : mine->runs) {
        auto it = theirs_by_id.find(r.id);
        if (it == theirs_by_id.end() ||
            std::find(it->second.begin(), it->second.end(), run_text(r)) == it->second.end()) {
            return false;
        }
    }
    return true;
}

std::string future_warning(const Run& run, const Oid& commit, int64_t now) {
    if (!dated_in_future(run, now)) {
        return "";
    }
    return "run " + run.id + " of suite '" + run.suite + "' on " + commit.short_hex() + " is dated " +
           run.at +
           ", in the future: that time is its writer's claim (runs count in the order they were recorded)";
}

void warn_future_runs(const Note& note, const Oid& commit) {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& r : note.runs) {
        std::string w = future_warning(r, commit, now);
        if (!w.empty()) {
            warn(w);
        }
    }
}

std::optional<Oid> NotesStore::merge_from(const Oid& other, const std::string& message,
                                          const std::string& other_name, int tries) {
    git_repository* repo = m_repo.raw();
    for (int attempt = 0; attempt < tries; ++attempt) {
        std::optional<Oid> old = tip();
        if (old && (*old == other || m_repo.is_ancestor(other, *old))) {
            return std::nullopt;
        }
        Oid next;
        bool fast_forward = !old || m_repo.is_ancestor(*old, other);
        std::optional<Layout> mine;
        std::optional<Layout> theirs;
        if (fast_forward && old) {
            // Behind: their notes descend from ours. Still, a note they changed or removed may have lost
            // runs we can read (an oversized or malformed note, an edit): then merge instead.
            mine = read_layout(repo, old);
            theirs = read_layout(repo, other);
            for (const auto& [hex, blob] : mine->notes) {
                auto it = theirs->notes.find(hex);
                if (it == theirs->notes.end() ||
                    (it->second != blob && !keeps_our_runs(Oid::from_hex(hex), blob_text(repo, blob),
                                                           blob_text(repo, it->second)))) {
                    fast_forward = false;
                    break;
                }
            }
        }
        if (fast_forward) {
            next = other;
        } else {
            if (!mine) {
                mine = read_layout(repo, old);
                theirs = read_layout(repo, other);
            }
            std::map<std::string, Oid> notes = mine->notes;
            std::set<std::string> dirty;
            for (const auto& [hex, blob] : theirs->notes) {
                auto it = notes.find(hex);
                if (it == notes.end()) {
                    notes[hex] = blob;
                    dirty.insert(hex);
                } else if (it->second != blob) {
                    std::string merged = merge_note_texts(Oid::from_hex(hex), blob_text(repo, it->second),
                                                          blob_text(repo, blob), other_name);
                    Oid m = write_blob(repo, merged);
                    if (m != it->second) {
                        it->second = m;
                        dirty.insert(hex);
                    }
                }
            }
            Oid tree = TreeBuilder(repo, *mine, notes, dirty).build();
            next = write_commit(repo, tree, {*old, other}, message);
        }
        if (cas_ref(repo, m_ref, old, next, message)) {
            return next;
        }
        backoff(attempt);
    }
    throw Error(ErrorKind::git, "cannot update " + m_ref + ": other writers kept moving it",
                "run the command again");
}

} // namespace mlci::eval
