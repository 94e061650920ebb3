// The notes table of `git gate log` (note_table.hpp): raw notes trees read from the odb into one flat
// open-addressing table. Any entry not in canonical form answers nullopt, and NotesStore::index() decides.
#include "eval/note_table.hpp"

#include "git/odb.hpp"

#include <cstring>

namespace mlci::eval {

namespace {

constexpr size_t k_hex_size = 2 * git::Oid::k_raw_size;

// Names in a notes tree are lower case hex (NotesStore::index() takes no other).
int hex_value(char c) {
    return git::hex_value(c, false);
}

size_t hash_of(const unsigned char* id) {
    size_t h;
    std::memcpy(&h, id, sizeof h); // object ids are uniformly spread already
    return h;
}

// index_walk of notes.cpp over raw trees: `hex` holds the `len` hex digits of the folders above.
template <typename Put>
bool walk_raw(const git::Odb& odb, const git::Oid& tree, char* hex, size_t len, int depth, const Put& put) {
    if (depth > static_cast<int>(k_hex_size / 2)) {
        return false;
    }
    std::optional<git::RawObject> raw = odb.try_read(tree);
    if (!raw || raw->type() != git::ObjectType::tree) {
        return false;
    }
    std::string_view data = raw->data();
    const char* p = data.data();
    const char* end = p + data.size();
    git::RawTreeEntry e;
    while (p < end) {
        if (!git::next_tree_entry(p, end, e)) {
            return false;
        }
        bool hexname = true;
        for (char c : e.name) {
            if (hex_value(c) < 0) {
                hexname = false;
                break;
            }
        }
        if (!hexname || e.is_gitlink()) {
            continue; // a gitlink is neither a note nor a fan-out folder
        }
        if (e.is_tree()) {
            if (e.name.size() == 2 && len + 2 < k_hex_size) {
                std::memcpy(hex + len, e.name.data(), 2);
                git::Oid sub;
                std::memcpy(sub.id, e.id, sizeof sub.id);
                if (!walk_raw(odb, sub, hex, len + 2, depth + 1, put)) {
                    return false;
                }
            }
            continue;
        }
        if (len + e.name.size() != k_hex_size) {
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

std::optional<NoteTable> NoteTable::read(const git::Odb& odb, const git::Oid& tree, size_t size_hint) {
    NoteTable t;
    t.m_entries.reserve(size_hint);
    char hex[k_hex_size];
    if (!walk_raw(odb, tree, hex, 0, 0,
                  [&](const git::Oid& commit, const git::Oid& blob) { t.put(commit, blob); })) {
        return std::nullopt;
    }
    return t;
}

std::optional<NoteTable> NoteTable::read_commit(const git::Repo& repo, const git::Oid& notes_commit) {
    std::optional<git::Oid> tree = repo.tree_of(notes_commit);
    if (!tree) {
        return std::nullopt;
    }
    return read(git::Odb(repo), *tree, 0);
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
