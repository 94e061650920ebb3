// The notes table of `git gate log` (note_table.hpp): raw notes trees read from the odb into one flat
// open-addressing table. Any entry not in canonical form answers nullopt, and NotesStore::index() decides.
#include "eval/note_table.hpp"

#include "eval/raw_object.hpp"
#include "git/handle.hpp"

#include <cstring>
#include <git2.h>

namespace mlci::eval {

namespace {

using raw::OdbObject;

// Names in a notes tree are lower case hex (NotesStore::index() takes no other).
int hex_value(char c) {
    return raw::hex_value(c, false);
}

size_t hash_of(const unsigned char* id) {
    size_t h;
    std::memcpy(&h, id, sizeof h); // object ids are uniformly spread already
    return h;
}

// One tree entry in canonical form: "<octal mode> <name>\0<20-byte id>".
struct RawEntry {
    unsigned mode = 0;
    std::string_view name;
    const unsigned char* id = nullptr;
};

// Reads the entry at `p`; false when it is not in canonical form (libgit2 may still read it: the
// caller then lets NotesStore::index() decide).
bool next_entry(const char*& p, const char* end, RawEntry& e) {
    unsigned mode = 0;
    const char* q = p;
    while (q < end && *q >= '0' && *q <= '7' && q - p < 7) {
        mode = mode * 8 + static_cast<unsigned>(*q - '0');
        ++q;
    }
    if (q == p || q >= end || *q != ' ' || mode > 0xffff) {
        return false;
    }
    ++q;
    const char* nul = static_cast<const char*>(std::memchr(q, 0, static_cast<size_t>(end - q)));
    if (nul == nullptr || nul == q || nul - q > 0xffff || end - (nul + 1) < GIT_OID_RAWSZ) {
        return false;
    }
    e.mode = mode;
    e.name = std::string_view(q, static_cast<size_t>(nul - q));
    e.id = reinterpret_cast<const unsigned char*>(nul + 1);
    p = nul + 1 + GIT_OID_RAWSZ;
    return true;
}

bool is_dir(unsigned mode) {
    return (mode & 0170000) == 0040000; // libgit2's S_ISDIR: git_tree_entry_type says tree
}
bool is_gitlink(unsigned mode) {
    return (mode & 0170000) == 0160000; // a commit: neither a note nor a fan-out folder
}

// index_walk of notes.cpp over raw trees: `hex` holds the `len` hex digits of the folders above.
template <typename Put>
bool walk_raw(git_odb* odb, const git_oid* tree, char* hex, size_t len, int depth, const Put& put) {
    if (depth > GIT_OID_HEXSZ / 2) {
        return false;
    }
    OdbObject raw;
    if (git_odb_read(&raw.p, odb, tree) < 0 || git_odb_object_type(raw.p) != GIT_OBJECT_TREE) {
        git_error_clear();
        return false;
    }
    const char* p = static_cast<const char*>(git_odb_object_data(raw.p));
    const char* end = p + git_odb_object_size(raw.p);
    RawEntry e;
    while (p < end) {
        if (!next_entry(p, end, e)) {
            return false;
        }
        bool hexname = true;
        for (char c : e.name) {
            if (hex_value(c) < 0) {
                hexname = false;
                break;
            }
        }
        if (!hexname || is_gitlink(e.mode)) {
            continue;
        }
        if (is_dir(e.mode)) {
            if (e.name.size() == 2 && len + 2 < GIT_OID_HEXSZ) {
                std::memcpy(hex + len, e.name.data(), 2);
                if (!walk_raw(odb, reinterpret_cast<const git_oid*>(e.id), hex, len + 2, depth + 1, put)) {
                    return false;
                }
            }
            continue;
        }
        if (len + e.name.size() != GIT_OID_HEXSZ) {
            continue;
        }
        std::memcpy(hex + len, e.name.data(), e.name.size());
        git::Oid commit;
        for (size_t i = 0; i < sizeof commit.id; ++i) {
            commit.id[i] = static_cast<unsigned char>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
        }
        git::Oid blob;
        std::memcpy(blob.id, e.id, sizeof blob.id);
        put(commit, blob);
    }
    return true;
}

} // namespace

size_t NoteTable::find(const unsigned char* commit) const {
    if (m_table.empty()) {
        return npos;
    }
    for (size_t b = hash_of(commit) & m_mask;; b = (b + 1) & m_mask) {
        uint32_t s = m_table[b];
        if (s == 0) {
            return npos;
        }
        if (std::memcmp(m_entries[s - 1].commit.id, commit, sizeof m_entries[s - 1].commit.id) == 0) {
            return s - 1;
        }
    }
}

void NoteTable::grow() {
    size_t n = m_table.empty() ? 1024 : m_table.size() * 2;
    m_table.assign(n, 0);
    m_mask = n - 1;
    for (size_t i = 0; i < m_entries.size(); ++i) {
        size_t b = hash_of(m_entries[i].commit.id) & m_mask;
        while (m_table[b] != 0) {
            b = (b + 1) & m_mask;
        }
        m_table[b] = static_cast<uint32_t>(i + 1);
    }
}

void NoteTable::put(const git::Oid& commit, const git::Oid& blob) {
    if (size_t s = find(commit); s != npos) {
        m_entries[s].blob = blob; // noted at two depths: the last met wins, as in NotesStore::index()
        return;
    }
    if ((m_entries.size() + 1) * 2 > m_table.size()) {
        grow();
    }
    m_entries.push_back({commit, blob});
    size_t b = hash_of(commit.id) & m_mask;
    while (m_table[b] != 0) {
        b = (b + 1) & m_mask;
    }
    m_table[b] = static_cast<uint32_t>(m_entries.size());
}

std::optional<NoteTable> NoteTable::read(git_odb* odb, const git::Oid& tree, size_t size_hint) {
    NoteTable t;
    t.m_entries.reserve(size_hint);
    char hex[GIT_OID_HEXSZ];
    if (!walk_raw(odb, git::to_git(tree), hex, 0, 0,
                  [&](const git::Oid& commit, const git::Oid& blob) { t.put(commit, blob); })) {
        return std::nullopt;
    }
    return t;
}

std::optional<NoteTable> NoteTable::read_commit(const git::Repo& repo, const git::Oid& notes_commit) {
    git::Handle<git_commit> c;
    git::Handle<git_odb> odb;
    if (git_commit_lookup(c.out(), repo.raw(), git::to_git(notes_commit)) < 0 ||
        git_repository_odb(odb.out(), repo.raw()) < 0) {
        git_error_clear();
        return std::nullopt;
    }
    return read(odb.get(), git::from_git(git_commit_tree_id(c.get())), 0);
}

NoteTable NoteTable::from_index(const NoteIndex& index) {
    NoteTable t;
    t.m_entries.reserve(index.size());
    for (const auto& [commit, blob] : index) {
        t.put(commit, blob);
    }
    return t;
}

} // namespace mlci::eval
