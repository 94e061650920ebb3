// The GIT_SORT_TIME walk of `git gate log` (time_walk.hpp): libgit2 1.5's revwalk re-done step by step
// over raw commit objects, ties included. Anything outside the plain case answers nullopt so that the
// caller walks with libgit2 instead; libgit2_walk is the reference the tests compare it with.
#include "git/time_walk.hpp"

#include "fsutil/file.hpp"
#include "git/handle.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <git2.h>
#include <sys/stat.h>

namespace mlci::git {

namespace {

// "<prefix><40 hex>\n" at `p`: the id, and `p` moved past the line.
bool id_line(std::string_view raw, size_t& p, std::string_view prefix, Oid& out) {
    if (raw.size() - p < prefix.size() + GIT_OID_HEXSZ + 1 || raw.compare(p, prefix.size(), prefix) != 0 ||
        raw[p + prefix.size() + GIT_OID_HEXSZ] != '\n') {
        return false;
    }
    const char* h = raw.data() + p + prefix.size();
    for (size_t i = 0; i < sizeof out.id; ++i) {
        int hi = hex_value(h[2 * i], true);
        int lo = hex_value(h[2 * i + 1], true);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out.id[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    p += prefix.size() + GIT_OID_HEXSZ + 1;
    return true;
}

// "<prefix>NAME <EMAIL> SECONDS +HHMM\n" at `p` (signature_seconds): the seconds, and `p` moved
// past the line.
bool signature_line(std::string_view raw, size_t& p, std::string_view prefix, int64_t& time) {
    if (raw.size() - p < prefix.size() || raw.compare(p, prefix.size(), prefix) != 0) {
        return false;
    }
    size_t eol = raw.find('\n', p);
    if (eol == std::string_view::npos ||
        !signature_seconds(raw.substr(p + prefix.size(), eol - p - prefix.size()), time)) {
        return false;
    }
    p = eol + 1;
    return true;
}

struct Node {
    Oid id;
    int64_t time = 0;
    uint32_t first_parent = 0; // into Walk::parents
    uint32_t parent_count = 0;
    bool parsed = false;
    bool seen = false;
    bool added = false;
};

class Walk {
  public:
    // `graph`: a commit-graph is beside the objects (see parse). `shallow`: sorted ids of the commits
    // whose parents a shallow clone cut off.
    Walk(const Odb& odb, const WalkVisit& visit, size_t size_hint, bool graph, std::vector<Oid> shallow)
        : m_odb(odb), m_visit(visit), m_graph(graph), m_shallow(std::move(shallow)) {
        m_nodes.reserve(size_hint); // no copies of a growing array (each a page fault per 4 KiB)
        m_parents.reserve(size_hint);
    }

    uint32_t lookup(const Oid& id) {
        if ((m_nodes.size() + 1) * 2 > m_table.size()) {
            grow();
        }
        size_t b = hash_of(id) & m_mask;
        for (;; b = (b + 1) & m_mask) {
            uint32_t s = m_table[b];
            if (s == 0) {
                break;
            }
            if (m_nodes[s - 1].id == id) {
                return s - 1;
            }
        }
        m_nodes.push_back(Node{id});
        m_table[b] = static_cast<uint32_t>(m_nodes.size());
        return static_cast<uint32_t>(m_nodes.size() - 1);
    }

    // git_commit_list_parse: the commit's time and parents (commit_quick_parse's reading).
    bool parse(uint32_t n) {
        if (m_nodes[n].parsed) {
            return true;
        }
        std::optional<RawObject> raw = m_odb.try_read(m_nodes[n].id);
        if (!raw || raw->type() != ObjectType::commit) {
            return false;
        }
        std::string_view text = raw->data();
        size_t p = 0;
        Oid id;
        if (!id_line(text, p, "tree ", id)) {
            return false;
        }
        uint32_t first = static_cast<uint32_t>(m_parents.size());
        while (id_line(text, p, "parent ", id)) {
            m_parents.push_back(lookup(id)); // may grow m_nodes: index, never hold a reference
        }
        uint32_t count = static_cast<uint32_t>(m_parents.size()) - first;
        if (count > 0xffff) {
            return false;
        }
        if (!m_shallow.empty() && std::binary_search(m_shallow.begin(), m_shallow.end(), m_nodes[n].id)) {
            m_parents.resize(first); // as git sees a shallow clone: its history ends here
            count = 0;
        }
        int64_t time = 0;
        int authors = 0;
        while (text.compare(p, 7, "author ") == 0) {
            if (!signature_line(text, p, "author ", time)) {
                return false;
            }
            ++authors;
        }
        size_t committer = p;
        if (!signature_line(text, p, "committer ", time)) {
            return false;
        }
        // Beside a commit-graph libgit2 takes each time from the graph, which git wrote with its own
        // reading (parse_commit_date): 0 unless one author line is followed by the committer line, and
        // the digits after the committer line's first '>'; 34 bits. Where that could differ from this
        // reading, the walk is left to libgit2.
        if (m_graph && (authors != 1 || time >= (int64_t{1} << 34) ||
                        text.substr(committer, p - committer).find('>') !=
                            text.substr(committer, p - committer).rfind('>'))) {
            return false;
        }
        Node& node = m_nodes[n];
        node.time = time;
        node.first_parent = first;
        node.parent_count = count;
        node.parsed = true;
        if (m_visit) {
            m_visit(node.id, text);
        }
        return true;
    }

    std::vector<Node>& nodes() { return m_nodes; }
    uint32_t parent(const Node& n, uint32_t i) const { return m_parents[n.first_parent + i]; }

  private:
    static size_t hash_of(const Oid& id) {
        size_t h;
        std::memcpy(&h, id.id, sizeof h);
        return h;
    }
    void grow() {
        size_t n = m_table.empty() ? 1024 : m_table.size() * 2;
        m_table.assign(n, 0);
        m_mask = n - 1;
        for (size_t i = 0; i < m_nodes.size(); ++i) {
            size_t b = hash_of(m_nodes[i].id) & m_mask;
            while (m_table[b] != 0) {
                b = (b + 1) & m_mask;
            }
            m_table[b] = static_cast<uint32_t>(i + 1);
        }
    }

    const Odb& m_odb;
    const WalkVisit& m_visit;
    bool m_graph;
    std::vector<Oid> m_shallow;
    std::vector<Node> m_nodes;
    std::vector<uint32_t> m_parents;
    std::vector<uint32_t> m_table; // node + 1 per bucket, 0 = empty
    size_t m_mask = 0;
};

// git_commit_list: a singly linked list of nodes, kept here as indices.
struct List {
    std::vector<uint32_t> item;
    std::vector<uint32_t> next; // k_end = none
    uint32_t head = k_end;
    std::vector<uint32_t> free;
    static constexpr uint32_t k_end = 0xffffffff;

    uint32_t cell(uint32_t node, uint32_t after) {
        uint32_t c;
        if (!free.empty()) {
            c = free.back();
            free.pop_back();
            item[c] = node;
            next[c] = after;
        } else {
            c = static_cast<uint32_t>(item.size());
            item.push_back(node);
            next.push_back(after);
        }
        return c;
    }
    // git_commit_list_insert_by_date: before the first item with an earlier time (so after the equal
    // ones). Indices only: cell() may move the vectors.
    void insert_by_date(uint32_t node, const std::vector<Node>& nodes) {
        uint32_t prev = k_end;
        uint32_t cur = head;
        while (cur != k_end && !(nodes[item[cur]].time < nodes[node].time)) {
            prev = cur;
            cur = next[cur];
        }
        uint32_t c = cell(node, cur);
        if (prev == k_end) {
            head = c;
        } else {
            next[prev] = c;
        }
    }
    uint32_t pop() {
        uint32_t c = head;
        head = next[c];
        free.push_back(c);
        return item[c];
    }
    bool empty() const { return head == k_end; }
};

bool time_cmp_greater(const Node& a, const Node& b) {
    return a.time < b.time; // git_commit_list_time_cmp(a, b) > 0
}

} // namespace

std::optional<std::vector<WalkedCommit>> walk_by_time(const Odb& odb, const std::string& objects_dir,
                                                      const Oid& tip, const WalkVisit& visit,
                                                      size_t size_hint) {
    // With a commit-graph libgit2 takes times and parents from it (Walk::parse says when those are not
    // the commits' own).
    struct stat st;
    bool graph = ::stat((objects_dir + "/info/commit-graph").c_str(), &st) == 0;
    // A shallow clone ($GIT_DIR/shallow, beside objects/): its listed commits have no parents.
    std::vector<Oid> shallow;
    if (auto text = read_file_if_exists(objects_dir + "/../shallow", 64u << 20)) {
        size_t p = 0;
        Oid id;
        while (p < text->size()) {
            if (!id_line(*text, p, "", id)) {
                return std::nullopt; // not the list git writes: libgit2 decides
            }
            shallow.push_back(id);
        }
        std::sort(shallow.begin(), shallow.end());
    }
    Walk w(odb, visit, size_hint, graph, std::move(shallow));
    uint32_t t = w.lookup(tip);
    // prepare_walk: the one pushed commit, parsed and seen.
    if (!w.parse(t)) {
        return std::nullopt;
    }
    w.nodes()[t].seen = true;
    // limit_list: pop the date-ordered list, adding each commit's parents by date.
    List list;
    list.head = list.cell(t, List::k_end);
    std::vector<uint32_t> newlist;
    newlist.reserve(size_hint);
    while (!list.empty()) {
        uint32_t c = list.pop();
        if (!w.nodes()[c].added) { // add_parents_to_list
            w.nodes()[c].added = true;
            for (uint32_t i = 0; i < w.nodes()[c].parent_count; ++i) {
                uint32_t p = w.parent(w.nodes()[c], i);
                if (!w.parse(p)) {
                    return std::nullopt;
                }
                if (!w.nodes()[p].seen) {
                    w.nodes()[p].seen = true;
                    list.insert_by_date(p, w.nodes());
                }
            }
        }
        newlist.push_back(c);
    }
    // GIT_SORT_TIME: every commit into git_pqueue (a binary heap on a vector), then popped.
    const std::vector<Node>& nodes = w.nodes();
    std::vector<uint32_t> heap;
    heap.reserve(newlist.size());
    for (uint32_t item : newlist) {
        size_t el = heap.size();
        heap.push_back(item);
        while (el > 0) { // pqueue_up
            size_t parent_el = (el - 1) >> 1;
            uint32_t parent = heap[parent_el];
            if (!time_cmp_greater(nodes[parent], nodes[item])) {
                break; // cmp(parent, kid) <= 0
            }
            heap[el] = parent;
            el = parent_el;
        }
        heap[el] = item;
    }
    std::vector<WalkedCommit> out;
    out.reserve(heap.size());
    while (!heap.empty()) {
        uint32_t top = heap[0];
        out.push_back({nodes[top].id, nodes[top].time});
        if (heap.size() > 1) { // git_pqueue_pop: the last to the top, then pqueue_down
            heap[0] = heap.back();
            heap.pop_back();
            size_t el = 0;
            uint32_t parent = heap[0];
            for (;;) {
                size_t kid_el = 2 * el + 1;
                if (kid_el >= heap.size()) {
                    break;
                }
                uint32_t kid = heap[kid_el];
                if (kid_el + 1 < heap.size() && time_cmp_greater(nodes[kid], nodes[heap[kid_el + 1]])) {
                    kid = heap[kid_el + 1];
                    kid_el += 1;
                }
                if (!time_cmp_greater(nodes[parent], nodes[kid])) {
                    break;
                }
                heap[el] = kid;
                el = kid_el;
            }
            heap[el] = parent;
        } else {
            heap.pop_back();
        }
    }
    return out;
}

TimeOrderWalk::TimeOrderWalk(const Repo& repo) {
    check(git_revwalk_new(&m_walk, repo.raw()), "cannot walk history");
    git_revwalk_sorting(m_walk, GIT_SORT_TIME);
}

TimeOrderWalk::~TimeOrderWalk() {
    git_revwalk_free(m_walk);
}

bool TimeOrderWalk::push_range(const std::string& range) {
    return git_revwalk_push_range(m_walk, range.c_str()) >= 0;
}

void TimeOrderWalk::push(const Oid& commit, const std::string& what) {
    check(git_revwalk_push(m_walk, to_git(commit)), what);
}

bool TimeOrderWalk::next(Oid& out) {
    static_assert(sizeof(git_oid) == sizeof out.id);
    m_rc = git_revwalk_next(reinterpret_cast<git_oid*>(out.id), m_walk);
    return m_rc == 0;
}

void TimeOrderWalk::check_complete(const std::string& what, const std::string& hint) const {
    if (m_rc != 0 && m_rc != GIT_ITEROVER) {
        check(m_rc, what, hint);
    }
}

std::vector<Oid> libgit2_walk(const Repo& repo, const std::string& range) {
    Handle<git_revwalk> walk;
    check(git_revwalk_new(walk.out(), repo.raw()), "cannot walk history");
    git_revwalk_sorting(walk.get(), GIT_SORT_TIME);
    if (range.find("..") != std::string::npos) {
        check(git_revwalk_push_range(walk.get(), range.c_str()), "invalid range " + range);
    } else {
        Oid c = repo.commit_of(range);
        check(git_revwalk_push(walk.get(), to_git(c)), "cannot walk from " + range);
    }
    std::vector<Oid> out;
    git_oid id;
    while (git_revwalk_next(&id, walk.get()) == 0) {
        out.push_back(from_git(&id));
    }
    return out;
}

std::optional<std::vector<Oid>> walk_by_time(const Repo& repo, const Oid& tip) {
    auto w = walk_by_time(Odb(repo), repo.common_dir() + "objects", tip, {}, 0);
    if (!w) {
        return std::nullopt;
    }
    std::vector<Oid> out;
    for (const auto& c : *w) {
        out.push_back(c.id);
    }
    return out;
}

} // namespace mlci::git
