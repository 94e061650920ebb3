// `git gate log`: a metric along history. Over a long history this is the one command that touches
// every note, so it avoids per-commit work it does not need: the notes tree is read once into a flat
// table (note_table.hpp), a note blob is read straight from the object database (no copy), notes in
// mlci's canonical layout are read by the line scanner of note_scan.hpp (parse_note only for the
// others), and each commit is read once: walk_by_time (git/time_walk.hpp) walks in libgit2's order and
// hands over the date and summary of the commits with a note on its way (libgit2's walk for ranges and
// whatever walk_by_time declines, then the commits with the metric are read again for their lines).
//
// Tried and dropped (measured on the 2-core machine, tests/bench/gate.sh): reading the notes on a
// second thread while the history is walked, fed by the walk's hide callback, sharing the (thread-safe)
// object database (git::Odb): the two threads together used 1.8x the CPU of one and the command took 1.4x as
// long, even with a core idle; libgit2's locks and the second heap's page faults cost more than the overlap
// saved.
#include "eval/metric_log.hpp"

#include "eval/judge.hpp"
#include "eval/labels.hpp"
#include "eval/note_scan.hpp"
#include "eval/note_table.hpp"
#include "eval/report.hpp"

#include "git/odb.hpp"
#include "git/time_walk.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <algorithm>

namespace mlci::eval {

namespace {

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
    if (!git::signature_seconds(header.substr(c + 11, eol - c - 11), t)) {
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

// The table of every note: read from the raw trees, or, when that reader declines, from
// NotesStore::index() (which throws what it always threw for a damaged notes tree, or a notes commit
// that cannot be read).
NoteTable note_table(const git::Repo& repo, const NotesStore& store, const git::Odb& odb,
                     const git::Oid& notes_commit) {
    if (auto tree = repo.tree_of(notes_commit)) {
        std::optional<NoteTable> t;
        {
            git::NoObjectCache uncached(git::ObjectType::tree);
            t = NoteTable::read(odb, *tree, 0);
        }
        if (t) {
            return std::move(*t);
        }
    }
    return NoteTable::from_index(store.index(notes_commit));
}

// The points of one `git gate log`, gathered commit by commit in history order: each noted commit's
// note read, scanned (or parsed), and its hits emitted with the commit's date and summary.
class LogReader {
  public:
    LogReader(const git::Repo& repo, const git::Odb& odb, const NoteTable& table, const std::string& metric,
              const std::string& suite, size_t max_count, std::vector<LogPoint>& out)
        : m_repo(repo), m_odb(odb), m_table(table), m_metric(metric), m_suite(suite), m_max_count(max_count),
          m_out(out) {}

    /// walk_by_time from `from`, one read per commit: the walk keeps the date and summary of the
    /// commits with a note. False when it declines (nothing emitted: the caller walks with libgit2).
    bool walk_plain(const git::Oid& from);
    /// libgit2's walk; throws when the history cannot be walked to its end.
    void walk_libgit2(git::TimeOrderWalk& walk);

  private:
    bool one_commit(const git::Oid& id, size_t slot);
    void parse_hits(std::string_view text, const git::Oid& commit, Note& note);
    bool emit(const git::Oid& id, const Hit* first, size_t count);
    git::CommitLine commit_line(const git::Oid& id) const;

    const git::Repo& m_repo;
    const git::Odb& m_odb;
    const NoteTable& m_table;
    const std::string& m_metric;
    const std::string& m_suite;
    size_t m_max_count;
    std::vector<LogPoint>& m_out;

    std::vector<ScannedRun> m_scanned;
    std::vector<size_t> m_best;
    std::vector<size_t> m_order;
    std::vector<Hit> m_hits;
    // Dates and summaries walk_plain read on its way, by table slot (used once its walk succeeded).
    bool m_lines_read = false;
    std::vector<int64_t> m_line_time;
    std::vector<std::string> m_line_summary;
    std::vector<char> m_line_known;
};

bool LogReader::walk_plain(const git::Oid& from) {
    m_line_time.assign(m_table.size(), 0);
    m_line_summary.assign(m_table.size(), std::string());
    m_line_known.assign(m_table.size(), 0);
    auto visit = [&](const git::Oid& c, std::string_view raw) {
        size_t slot = m_table.find(c);
        std::string_view summary;
        if (slot != NoteTable::npos && plain_commit(raw, m_line_time[slot], summary)) {
            m_line_summary[slot] = summary;
            m_line_known[slot] = 1;
        }
    };
    std::optional<std::vector<git::WalkedCommit>> walked;
    {
        git::NoObjectCache uncached(git::ObjectType::commit);
        walked = git::walk_by_time(m_odb, m_repo.common_dir() + "objects", from, visit, m_table.size() + 64);
    }
    if (!walked) {
        m_line_known.assign(m_table.size(), 0); // libgit2 walks: it reads the lines again
        return false;
    }
    m_lines_read = true;
    for (const git::WalkedCommit& c : *walked) {
        size_t slot = m_table.find(c.id);
        if (slot != NoteTable::npos && !one_commit(c.id, slot)) {
            break;
        }
    }
    return true;
}

void LogReader::walk_libgit2(git::TimeOrderWalk& walk) {
    git::Oid id;
    while (walk.next(id)) {
        size_t slot = m_table.find(id);
        if (slot != NoteTable::npos && !one_commit(id, slot)) {
            return;
        }
    }
    // A history that cannot be walked to its end (an object missing, a shallow clone with a range): say
    // so rather than print a part of it as if it were all.
    walk.check_complete("cannot walk the history for 'git gate log'",
                        "in a shallow clone, fetch the history first: git fetch --unshallow");
}

// The note of one commit, read, scanned (or parsed) and emitted; false once max_count points are out.
bool LogReader::one_commit(const git::Oid& id, size_t slot) {
    const git::Oid& blob_id = m_table.blob(slot);
    git::RawObject blob = m_odb.read(blob_id, "cannot read blob " + blob_id.hex());
    if (blob.type() != git::ObjectType::blob) {
        throw input_error("cannot read blob " + blob_id.hex() + ": the note of commit " + id.hex() +
                              " is not a blob",
                          "repair or remove the note: git notes --ref=mlci/evals remove " + id.hex());
    }
    std::string_view text = blob.data();
    m_hits.clear();
    Note note; // parsed only when the scanner cannot read the note
    if (!scan_hits(text, m_metric, m_suite, m_scanned, m_best, m_order, m_hits)) {
        parse_hits(text, id, note);
    }
    return emit(id, m_hits.data(), m_hits.size());
}

// The hits of a note the scanner declined: parse_note decides; a malformed note is reported, in history
// order, and counts as no result.
void LogReader::parse_hits(std::string_view text, const git::Oid& commit, Note& note) {
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
        note.runs, m_suite, [](const Run& x) { return std::string_view(x.suite); }, m_best, m_order);
    bool labelled = m_metric.find('{') != std::string::npos;
    for (size_t i : m_order) {
        std::optional<double> v = note.runs[i].metric(m_metric);
        if (!v && labelled && !note.runs[i].labels.empty()) {
            // pass_rate{prompt=a}: a derived metric, as check and report read it.
            add_derived_metrics(note.runs[i]);
            v = metric_among(note.runs[i], m_metric);
        }
        if (v) {
            m_hits.push_back({note.runs[i].suite, note.runs[i].id, *v,
                              spread(note.runs[i], m_metric, k_default_confidence)});
        }
    }
}

// One point per hit, with the commit's date and summary; false once max_count points are out.
bool LogReader::emit(const git::Oid& id, const Hit* first, size_t count) {
    if (count == 0) {
        return true;
    }
    git::CommitLine line;
    size_t slot = m_lines_read ? m_table.find(id) : NoteTable::npos;
    if (slot != NoteTable::npos && m_line_known[slot]) {
        line.time = m_line_time[slot];
        line.summary = std::move(m_line_summary[slot]);
    } else {
        line = commit_line(id);
    }
    for (size_t k = 0; k < count; ++k) {
        if (m_max_count > 0 && m_out.size() >= m_max_count) {
            return false; // -n counts values, and a commit can hold several (one per suite)
        }
        LogPoint& p = m_out.emplace_back();
        p.commit = id;
        p.time = line.time;
        p.summary = line.summary;
        p.suite = first[k].suite;
        p.run_id = first[k].run_id;
        p.value = first[k].value;
        p.spread = first[k].spread;
    }
    return m_max_count == 0 || m_out.size() < m_max_count;
}

// A commit's date and summary, read by hand in the plain case, else by libgit2. The walk has read the
// commit: it is in libgit2's object cache.
git::CommitLine LogReader::commit_line(const git::Oid& id) const {
    git::RawObject raw = m_odb.read(id, "cannot read commit");
    git::CommitLine line;
    std::string_view plain;
    if (plain_commit(raw.data(), line.time, plain)) {
        line.summary = plain;
        return line;
    }
    return m_repo.commit_line(id);
}

} // namespace

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count) {
    return metric_log(repo, store, metric, suite, range, max_count, LogWalk::automatic);
}

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count,
                                 LogWalk walker) {
    git::TimeOrderWalk walk(repo);
    std::string r = range.empty() ? "HEAD" : range;
    std::optional<git::Oid> from; // the one commit walked from, when not a range
    if (r.find("..") != std::string::npos) {
        if (!walk.push_range(r)) {
            throw input_error("invalid range '" + r + "'", "give REV or A..B");
        }
    } else {
        git::Oid c = repo.commit_of(r);
        walk.push(c, "cannot walk from " + r);
        from = c;
    }
    std::vector<LogPoint> out;
    std::optional<git::Oid> tip = store.tip();
    if (!tip) {
        return out; // no note anywhere: nothing to walk for
    }
    git::NoHashVerification fast_reads;
    git::Odb odb(repo);
    NoteTable table = note_table(repo, store, odb, *tip);
    out.reserve(std::min(max_count > 0 ? max_count : table.size(), table.size()));
    LogReader reader(repo, odb, table, metric, suite, max_count, out);
    if (from && walker == LogWalk::automatic && reader.walk_plain(*from)) {
        return out;
    }
    reader.walk_libgit2(walk);
    return out;
}

} // namespace mlci::eval
