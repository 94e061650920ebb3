// `git gate log`: a metric along history. Over a long history this is the one command that touches
// every note, so it avoids per-commit work it does not need: the notes tree is read once into a flat
// table (note_table.hpp), a note blob is read straight from the object database (no copy), notes in
// mlci's canonical layout are read by the line scanner of note_scan.hpp (parse_note only for the
// others), and each commit is read once: walk_by_time (log_walk.hpp) walks in libgit2's order and
// hands over the date and summary of the commits with a note on its way (libgit2's walk for ranges and
// whatever walk_by_time declines, then the commits with the metric are read again for their lines).
//
// Tried and dropped (measured on the 2-core machine, tests/bench/gate.sh): reading the notes on a
// second thread while the history is walked, fed by the walk's hide callback, sharing the (thread-safe)
// git_odb: the two threads together used 1.8x the CPU of one and the command took 1.4x as long, even
// with a core idle; libgit2's locks and the second heap's page faults cost more than the overlap saved.
#include "eval/metric_log.hpp"
#include "eval/judge.hpp"
#include "eval/log_walk.hpp"
#include "eval/note_scan.hpp"
#include "eval/note_table.hpp"
#include "eval/raw_object.hpp"
#include "eval/report.hpp"

#include "git/handle.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <git2.h>

namespace mlci::eval {

using git::check;
using git::from_git;
using git::Handle;
using git::to_git;

namespace {

using raw::OdbObject;

// One value of the metric on a commit: the latest run of a suite holding it.
struct Hit {
    std::string_view suite;
    std::string_view run_id;
    double value = 0;
    double spread = 0; // ± of the value when the run holds samples of it (parsed notes only)
};

// The latest run of each suite (of `suite` only when given) as parse_note + Note::latest see it: the
// last of that suite in the note's order. In suite-name order, keeping those that hold the metric.
// Runs are scanned or parsed; `hits` views them.
template <typename Runs, typename Suite>
void latest_hits(const Runs& runs, const std::string& suite, Suite suite_of, std::vector<size_t>& best,
                 std::vector<size_t>& order) {
    best.clear();
    for (size_t i = 0; i < runs.size(); ++i) {
        std::string_view s = suite_of(runs[i]);
        if (!suite.empty() && s != suite) {
            continue;
        }
        auto it = std::find_if(best.begin(), best.end(), [&](size_t b) { return suite_of(runs[b]) == s; });
        if (it == best.end()) {
            best.push_back(i);
        } else {
            *it = i; // recorded later
        }
    }
    order = best;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return suite_of(runs[a]) < suite_of(runs[b]); });
}

// libgit2 re-hashes every object it inflates (strict hash verification, on by default); git itself
// does not on reads (fsck does). Over a whole history that is one SHA-1 per commit and per note, a tenth
// of `git gate log`'s time, for a command that only reads: off while it walks, on again after.
struct NoHashVerification {
    NoHashVerification() { git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0); }
    ~NoHashVerification() { git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1); }
    NoHashVerification(const NoHashVerification&) = delete;
    NoHashVerification& operator=(const NoHashVerification&) = delete;
};

// Objects read once and kept as needed need no cache: caching them only grows the heap (20,000 commits
// are 6 MB, a page fault per 4 KiB of fresh memory) and takes the cache's lock. Off for one type while
// walk_by_time or NoteTable::read runs, then back to the limit git::init() sets for it.
struct NoCache {
    explicit NoCache(git_object_t type, size_t restore) : m_type(type), m_restore(restore) {
        git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, m_type, static_cast<size_t>(0));
    }
    ~NoCache() { git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, m_type, m_restore); }
    NoCache(const NoCache&) = delete;
    NoCache& operator=(const NoCache&) = delete;

  private:
    git_object_t m_type;
    size_t m_restore;
};
constexpr size_t k_commit_cache_limit = static_cast<size_t>(64) << 10; // git::init()
constexpr size_t k_tree_cache_limit = static_cast<size_t>(4) << 20;    // git::init()

// The committer time and summary of a raw commit, for the plain case only: a committer line ending in
// "> SECONDS +HHMM", and a message whose first paragraph is one line of words separated by single
// spaces. That line is what git_commit_summary returns for such a message; anything else (a
// multi-line paragraph, tabs, trailing blanks, an odd signature) returns false and the caller asks
// libgit2. `raw` is the object as stored (headers, blank line, message).
bool plain_commit(std::string_view raw, int64_t& time, std::string_view& summary) {
    size_t header_end = raw.find("\n\n");
    if (header_end == std::string_view::npos) {
        return false;
    }
    std::string_view header = raw.substr(0, header_end + 1);
    size_t c = header.rfind("\ncommitter ");
    if (c == std::string_view::npos || header.find("\ncommitter ") != c) {
        return false; // none, or more than one: let libgit2 decide
    }
    size_t eol = header.find('\n', c + 1);
    int64_t t = 0;
    if (!raw::signature_seconds(header.substr(c + 11, eol - c - 11), t)) {
        return false;
    }
    std::string_view msg = raw.substr(header_end + 2);
    while (!msg.empty() && msg.front() == '\n') {
        msg.remove_prefix(1); // git_commit_message skips leading newlines
    }
    size_t nl = msg.find('\n');
    std::string_view first = msg.substr(0, nl);
    if (nl != std::string_view::npos && nl + 1 < msg.size() && msg[nl + 1] != '\n') {
        return false; // the paragraph goes on: libgit2 joins its lines
    }
    if (!first.empty() && (first.front() == ' ' || first.back() == ' ')) {
        return false;
    }
    for (size_t i = 0; i < first.size(); ++i) {
        auto ch = static_cast<unsigned char>(first[i]);
        if (ch < 0x20 || ch == 0x7f || (ch == ' ' && first[i + 1] == ' ')) {
            return false; // control characters and runs of blanks: libgit2's whitespace rules
        }
    }
    time = t;
    summary = first;
    return true;
}

// The hits of a note the scanner can read: the latest run of each suite holding the metric.
bool scan_hits(std::string_view text, const std::string& metric, const std::string& suite,
               std::vector<ScannedRun>& scanned, std::vector<size_t>& best, std::vector<size_t>& order,
               std::vector<Hit>& hits) {
    if (!scan_note(text, metric, scanned)) {
        return false;
    }
    latest_hits(
        scanned, suite, [](const ScannedRun& x) { return x.suite; }, best, order);
    for (size_t i : order) {
        if (scanned[i].value) {
            hits.push_back({scanned[i].suite, scanned[i].id, *scanned[i].value});
        }
    }
    return true;
}

// The notes commit's tree, or nullopt when it cannot be read (NotesStore::index() then reports why).
std::optional<git::Oid> notes_tree(const git::Repo& repo, const git::Oid& notes_commit) {
    Handle<git_commit> c;
    if (git_commit_lookup(c.out(), repo.raw(), to_git(notes_commit)) < 0) {
        git_error_clear();
        return std::nullopt;
    }
    return from_git(git_commit_tree_id(c.get()));
}

// The table of every note: read from the raw trees, or, when that reader declines, from
// NotesStore::index() (which throws what it always threw for a damaged notes tree).
NoteTable note_table(const git::Repo& repo, const NotesStore& store, git_odb* odb,
                     const git::Oid& notes_commit) {
    if (auto tree = notes_tree(repo, notes_commit)) {
        std::optional<NoteTable> t;
        {
            NoCache uncached(GIT_OBJECT_TREE, k_tree_cache_limit);
            t = NoteTable::read(odb, *tree, 0);
        }
        if (t) {
            return std::move(*t);
        }
    }
    return NoteTable::from_index(store.index(notes_commit));
}

} // namespace

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count) {
    return metric_log(repo, store, metric, suite, range, max_count, LogWalk::automatic);
}

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count,
                                 LogWalk walker) {
    Handle<git_revwalk> walk;
    check(git_revwalk_new(walk.out(), repo.raw()), "cannot walk history");
    git_revwalk_sorting(walk.get(), GIT_SORT_TIME);
    std::string r = range.empty() ? "HEAD" : range;
    std::optional<git::Oid> from; // the one commit walked from, when not a range
    if (r.find("..") != std::string::npos) {
        if (git_revwalk_push_range(walk.get(), r.c_str()) < 0) {
            throw input_error("invalid range '" + r + "'", "give REV or A..B");
        }
    } else {
        git::Oid c = repo.commit_of(r);
        check(git_revwalk_push(walk.get(), to_git(c)), "cannot walk from " + r);
        from = c;
    }
    std::vector<LogPoint> out;
    std::optional<git::Oid> tip = store.tip();
    if (!tip) {
        return out; // no note anywhere: nothing to walk for
    }
    NoHashVerification fast_reads;
    Handle<git_odb> odb;
    check(git_repository_odb(odb.out(), repo.raw()), "cannot open the object database");

    std::vector<ScannedRun> scanned;
    std::vector<size_t> best;
    std::vector<size_t> order;
    std::vector<Hit> hits;

    // The hits of a note the scanner declined: parse_note decides; a malformed note is reported, in
    // history order, and counts as no result.
    auto parse_hits = [&](std::string_view text, const git_oid* id, Note& note) {
        git::Oid commit = from_git(id);
        try {
            note = parse_note(text, note_source(commit));
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::input) {
                throw;
            }
            warn(std::string(e.what()) + " (treated as no result)");
            return;
        }
        latest_hits(
            note.runs, suite, [](const Run& x) { return std::string_view(x.suite); }, best, order);
        for (size_t i : order) {
            if (auto v = note.runs[i].metric(metric)) {
                hits.push_back({note.runs[i].suite, note.runs[i].id, *v,
                                spread(note.runs[i], metric, k_default_confidence)});
            }
        }
    };
    // A commit's date and summary. The walk has read the commit: it is in libgit2's object cache.
    auto commit_line = [&](const git_oid* id, int64_t& time, std::string& summary) {
        OdbObject raw;
        check(git_odb_read(&raw.p, odb.get(), id), "cannot read commit");
        std::string_view plain;
        if (plain_commit({static_cast<const char*>(git_odb_object_data(raw.p)), git_odb_object_size(raw.p)},
                         time, plain)) {
            summary = plain;
            return;
        }
        Handle<git_commit> c;
        check(git_commit_lookup(c.out(), repo.raw(), id), "cannot read commit");
        const char* s = git_commit_summary(c.get());
        summary = s != nullptr ? s : "";
        time = git_commit_time(c.get());
    };
    // One point per hit, with the commit's date and summary; false once max_count points are out.
    // Dates and summaries the walk read on its way (walk_by_time), by table slot.
    std::vector<int64_t> line_time;
    std::vector<std::string> line_summary;
    std::vector<char> line_known;
    const NoteTable* line_table = nullptr;
    auto emit = [&](const git_oid* id, const Hit* first, size_t count) {
        if (count == 0) {
            return true;
        }
        int64_t time = 0;
        std::string summary;
        size_t slot = line_table != nullptr ? line_table->find(id->id) : NoteTable::npos;
        if (slot != NoteTable::npos && line_known[slot]) {
            time = line_time[slot];
            summary = std::move(line_summary[slot]);
        } else {
            commit_line(id, time, summary);
        }
        for (size_t k = 0; k < count; ++k) {
            if (max_count > 0 && out.size() >= max_count) {
                return false; // -n counts values, and a commit can hold several (one per suite)
            }
            LogPoint& p = out.emplace_back();
            p.commit = from_git(id);
            p.time = time;
            p.summary = summary;
            p.suite = first[k].suite;
            p.run_id = first[k].run_id;
            p.value = first[k].value;
            p.spread = first[k].spread;
        }
        return max_count == 0 || out.size() < max_count;
    };
    // The note of one commit, read, scanned (or parsed) and emitted on this thread.
    auto one_commit = [&](const git_oid* id, const NoteTable& table, size_t slot) {
        OdbObject blob;
        check(git_odb_read(&blob.p, odb.get(), to_git(table.blob(slot))),
              "cannot read blob " + table.blob(slot).hex());
        if (git_odb_object_type(blob.p) != GIT_OBJECT_BLOB) {
            throw input_error("cannot read blob " + table.blob(slot).hex() + ": the note of commit " +
                                  from_git(id).hex() + " is not a blob",
                              "repair or remove the note: git notes --ref=mlci/evals remove " +
                                  from_git(id).hex());
        }
        std::string_view text(static_cast<const char*>(git_odb_object_data(blob.p)),
                              git_odb_object_size(blob.p));
        hits.clear();
        Note note; // parsed only when the scanner cannot read the note
        if (!scan_hits(text, metric, suite, scanned, best, order, hits)) {
            parse_hits(text, id, note);
        }
        return emit(id, hits.data(), hits.size());
    };

    NoteTable table = note_table(repo, store, odb.get(), *tip);
    out.reserve(std::min(max_count > 0 ? max_count : table.size(), table.size()));
    if (from && walker == LogWalk::automatic) {
        // One read per commit: the walk keeps the date and summary of the commits with a note.
        line_time.assign(table.size(), 0);
        line_summary.assign(table.size(), std::string());
        line_known.assign(table.size(), 0);
        auto visit = [&](const git::Oid& c, std::string_view raw) {
            size_t slot = table.find(c);
            std::string_view summary;
            if (slot != NoteTable::npos && plain_commit(raw, line_time[slot], summary)) {
                line_summary[slot] = summary;
                line_known[slot] = 1;
            }
        };
        std::string objects = std::string(git_repository_commondir(repo.raw())) + "objects";
        std::optional<std::vector<WalkedCommit>> walked;
        {
            NoCache uncached(GIT_OBJECT_COMMIT, k_commit_cache_limit);
            walked = walk_by_time(odb.get(), objects, *from, visit, table.size() + 64);
        }
        if (walked) {
            line_table = &table;
            for (const WalkedCommit& c : *walked) {
                size_t slot = table.find(c.id);
                if (slot != NoteTable::npos && !one_commit(to_git(c.id), table, slot)) {
                    break;
                }
            }
            return out;
        }
        line_known.assign(table.size(), 0); // libgit2 walks: it reads the lines again
    }
    git_oid id;
    int rc = 0;
    while ((rc = git_revwalk_next(&id, walk.get())) == 0) {
        size_t slot = table.find(id.id);
        if (slot != NoteTable::npos && !one_commit(&id, table, slot)) {
            return out;
        }
    }
    if (rc != GIT_ITEROVER) {
        // A history that cannot be walked to its end (an object missing, a shallow clone with a
        // range): say so rather than print a part of it as if it were all.
        check(rc, "cannot walk the history for 'git gate log'",
              "in a shallow clone, fetch the history first: git fetch --unshallow");
    }
    return out;
}

} // namespace mlci::eval
