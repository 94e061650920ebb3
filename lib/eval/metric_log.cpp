// `git gate log`: a metric along history. Over a long history this is the one command that touches
// every note, so it avoids per-commit work it does not need: the notes tree is read once into a flat
// table (note_table.hpp), a note blob is read straight from the object database (no copy), notes in
// mlci's canonical layout are read by the line scanner of note_scan.hpp (parse_note only for the
// others), and a commit object is parsed only when its note holds the metric (for the date and summary).
//
// A whole history costs two object reads per commit: the commit (libgit2's walk) and its note. On a
// machine with two cores the notes are read on a second thread while libgit2 walks: libgit2 sorts by
// time only once it has walked everything (GIT_SORT_TIME limits the list first), but it calls the
// walk's hide callback for each commit it takes in as it goes, which streams the commits to the helper
// thread in discovery order. The helper shares only the git_odb (documented thread-safe) and never
// reports anything: whatever it could not do (a note the scanner declines, a read that fails, a tree
// the table reader declines) is done again on the calling thread, in history order, exactly as the
// sequential path does it, so messages, warnings and exit codes are the same either way.
#include "eval/metric_log.hpp"
#include "eval/note_scan.hpp"
#include "eval/note_table.hpp"
#include "eval/report.hpp"

#include "git/handle.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <git2.h>
#include <mutex>
#include <sched.h>
#include <thread>

namespace mlci::eval {

using git::check;
using git::from_git;
using git::Handle;
using git::to_git;

namespace {

struct OdbObject {
    git_odb_object* p = nullptr;
    ~OdbObject() { git_odb_object_free(p); }
};

// One value of the metric on a commit: the latest run of a suite holding it.
struct Hit {
    std::string_view suite;
    std::string_view run_id;
    double value = 0;
};

// The latest run of each suite (of `suite` only when given) as parse_note + Note::latest see it, in
// suite-name order, keeping those that hold the metric. Runs are scanned or parsed; `hits` views them.
template <typename Runs, typename Suite, typename At>
void latest_hits(const Runs& runs, const std::string& suite, Suite suite_of, At at_of,
                 std::vector<size_t>& best, std::vector<size_t>& order) {
    best.clear();
    for (size_t i = 0; i < runs.size(); ++i) {
        std::string_view s = suite_of(runs[i]);
        if (!suite.empty() && s != suite) {
            continue;
        }
        auto it = std::find_if(best.begin(), best.end(), [&](size_t b) { return suite_of(runs[b]) == s; });
        if (it == best.end()) {
            best.push_back(i);
        } else if (at_of(runs[i]) >= at_of(runs[*it])) {
            *it = i; // a later run, or the later one in the note on a tie
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

bool is_digit(char c) {
    return c >= '0' && c <= '9';
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
    std::string_view line = header.substr(c + 1, eol - c - 1);
    size_t gt = line.rfind('>');
    if (gt == std::string_view::npos || gt + 2 >= line.size() || line[gt + 1] != ' ') {
        return false;
    }
    std::string_view rest = line.substr(gt + 2); // "1767225660 +0000"
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 18 || rest.size() != sp + 6 ||
        (rest[sp + 1] != '+' && rest[sp + 1] != '-')) {
        return false;
    }
    int64_t t = 0;
    for (size_t i = 0; i < sp; ++i) {
        if (!is_digit(rest[i])) {
            return false;
        }
        t = t * 10 + (rest[i] - '0');
    }
    for (size_t i = sp + 2; i < rest.size(); ++i) {
        if (!is_digit(rest[i])) {
            return false;
        }
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
        scanned, suite, [](const ScannedRun& x) { return x.suite; }, [](const ScannedRun& x) { return x.at; },
        best, order);
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
        if (auto t = NoteTable::read(odb, *tree)) {
            return std::move(*t);
        }
    }
    return NoteTable::from_index(store.index(notes_commit));
}

// The second thread of a whole-history log: builds the note table, then, for each commit the walk
// hands over (hide callback → push), in the order they come: reads and scans its note and, when the
// note holds the metric, reads the commit's date and summary (the walk has just read the commit: it is
// in the object cache the two threads share). The points of a table slot are complete; the caller
// reads them only after finish() (the join orders the memory).
class NotesPrefetch {
  public:
    enum class State : unsigned char { pending, done, declined };

    NotesPrefetch(git_odb* odb, std::optional<git::Oid> tree, const std::string& metric,
                  const std::string& suite)
        : m_odb(odb), m_tree(tree), m_metric(metric), m_suite(suite) {
        m_local.reserve(k_batch);
        m_thread = std::thread([this] { work(); });
    }
    ~NotesPrefetch() { finish(); }
    NotesPrefetch(const NotesPrefetch&) = delete;
    NotesPrefetch& operator=(const NotesPrefetch&) = delete;

    /// From the walking thread: a commit the walk took in (some more than once). Never throws (it runs
    /// inside libgit2): a commit it could not hand over is read by the caller later.
    void push(const git_oid* commit) noexcept {
        try {
            m_local.push_back(*commit);
            if (m_local.size() >= k_batch) {
                flush();
            }
        } catch (...) {
            m_local.clear();
        }
    }
    static int hide_cb(const git_oid* commit, void* self) {
        static_cast<NotesPrefetch*>(self)->push(commit);
        return 0; // hide nothing: the walk is the same as without the callback
    }

    /// No more commits: wait for the thread.
    void finish() {
        if (!m_thread.joinable()) {
            return;
        }
        flush();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_cv.notify_one();
        m_thread.join();
    }

    /// After finish(): the table, when the thread could read it.
    std::optional<NoteTable>& table() { return m_table; }
    /// After finish(): what the thread made of a slot's note; when done, its points are
    /// points()[first(slot), first(slot) + count(slot)).
    State state(size_t slot) const { return slot < m_state.size() ? m_state[slot] : State::pending; }
    size_t first(size_t slot) const { return m_first[slot]; }
    size_t count(size_t slot) const { return m_count[slot]; }
    std::vector<LogPoint>& points() { return m_points; }

  private:
    static constexpr size_t k_batch = 256;

    void flush() {
        if (m_local.empty()) {
            return;
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_queue.insert(m_queue.end(), m_local.begin(), m_local.end());
        }
        m_cv.notify_one();
        m_local.clear();
    }

    // One commit's note: its points, or false when the caller must do it (it then meets the same
    // error, warning or libgit2 fallback as the sequential path).
    bool one(const git_oid& c, size_t slot, std::vector<ScannedRun>& scanned, std::vector<size_t>& best,
             std::vector<size_t>& order, std::vector<Hit>& hits) {
        OdbObject blob;
        if (git_odb_read(&blob.p, m_odb, to_git(m_table->blob(slot))) < 0) {
            git_error_clear();
            return false;
        }
        std::string_view text(static_cast<const char*>(git_odb_object_data(blob.p)),
                              git_odb_object_size(blob.p));
        hits.clear();
        if (!scan_hits(text, m_metric, m_suite, scanned, best, order, hits)) {
            return false;
        }
        m_first[slot] = m_points.size();
        m_count[slot] = hits.size();
        if (hits.empty()) {
            return true;
        }
        OdbObject raw;
        int64_t time = 0;
        std::string_view summary;
        if (git_odb_read(&raw.p, m_odb, &c) < 0) {
            git_error_clear();
            return false;
        }
        if (!plain_commit({static_cast<const char*>(git_odb_object_data(raw.p)), git_odb_object_size(raw.p)},
                          time, summary)) {
            return false; // libgit2 decides, through the repository: the caller's thread only
        }
        for (const Hit& h : hits) {
            LogPoint& p = m_points.emplace_back();
            p.commit = from_git(&c);
            p.time = time;
            p.summary = summary;
            p.suite = h.suite;
            p.run_id = h.run_id;
            p.value = h.value;
        }
        return true;
    }

    void work() {
        try {
            if (m_tree) {
                m_table = NoteTable::read(m_odb, *m_tree);
            }
            if (!m_table) {
                return; // the caller builds it and reads every note itself
            }
            m_state.assign(m_table->size(), State::pending);
            m_first.assign(m_table->size(), 0);
            m_count.assign(m_table->size(), 0);
            m_points.reserve(m_table->size());
            std::vector<git_oid> batch;
            std::vector<ScannedRun> scanned;
            std::vector<size_t> best;
            std::vector<size_t> order;
            std::vector<Hit> hits;
            for (;;) {
                {
                    std::unique_lock<std::mutex> lock(m_mutex);
                    m_cv.wait(lock, [this] { return !m_queue.empty() || m_done; });
                    if (m_queue.empty()) {
                        return;
                    }
                    batch.swap(m_queue);
                }
                for (const git_oid& c : batch) {
                    size_t slot = m_table->find(c.id);
                    if (slot == NoteTable::npos || m_state[slot] != State::pending) {
                        continue;
                    }
                    m_state[slot] = State::declined; // until done
                    size_t before = m_points.size();
                    if (one(c, slot, scanned, best, order, hits)) {
                        m_state[slot] = State::done;
                    } else {
                        m_points.resize(before);
                    }
                }
                batch.clear();
            }
        } catch (...) {
            // Out of memory or the like: the caller redoes what is left and meets the error itself.
        }
    }

    git_odb* m_odb;
    std::optional<git::Oid> m_tree;
    const std::string& m_metric;
    const std::string& m_suite;
    std::optional<NoteTable> m_table;
    std::vector<State> m_state;
    std::vector<size_t> m_first;
    std::vector<size_t> m_count;
    std::vector<LogPoint> m_points;

    std::vector<git_oid> m_local; // the walking thread's batch
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<git_oid> m_queue;
    bool m_done = false;
    std::thread m_thread;
};

// Whether a second thread would have a core to itself: at least two cores for this process, fewer
// runnable tasks than cores right now (this one included), and a 1-minute load average below the core
// count (as `make -l` judges the load). On a busy machine a second thread only takes turns with the
// first on one core, and libgit2's locks make the turns costly: measured 1.1-1.5x slower than one.
bool idle_core() {
    cpu_set_t set;
    CPU_ZERO(&set);
    int cores = sched_getaffinity(0, sizeof set, &set) == 0
                    ? CPU_COUNT(&set)
                    : static_cast<int>(std::thread::hardware_concurrency());
    if (cores < 2) {
        return false;
    }
    FILE* f = std::fopen("/proc/loadavg", "re");
    if (f == nullptr) {
        return true; // not Linux: the core count is all there is to go by
    }
    double load = 0;
    int running = 0;
    int total = 0;
    int n = std::fscanf(f, "%lf %*f %*f %d/%d", &load, &running, &total);
    std::fclose(f);
    return n == 3 && running <= cores && load < cores;
}

} // namespace

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count) {
    return metric_log(repo, store, metric, suite, range, max_count, LogThreads::automatic);
}

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count,
                                 LogThreads threads) {
    Handle<git_revwalk> walk;
    check(git_revwalk_new(walk.out(), repo.raw()), "cannot walk history");
    git_revwalk_sorting(walk.get(), GIT_SORT_TIME);
    std::string r = range.empty() ? "HEAD" : range;
    if (r.find("..") != std::string::npos) {
        if (git_revwalk_push_range(walk.get(), r.c_str()) < 0) {
            throw input_error("invalid range '" + r + "'", "give REV or A..B");
        }
    } else {
        git::Oid c = repo.commit_of(r);
        check(git_revwalk_push(walk.get(), to_git(c)), "cannot walk from " + r);
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
            note.runs, suite, [](const Run& x) { return std::string_view(x.suite); },
            [](const Run& x) { return std::string_view(x.at); }, best, order);
        for (size_t i : order) {
            if (auto v = note.runs[i].metric(metric)) {
                hits.push_back({note.runs[i].suite, note.runs[i].id, *v});
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
    auto emit = [&](const git_oid* id, const Hit* first, size_t count) {
        if (count == 0) {
            return true;
        }
        int64_t time = 0;
        std::string summary;
        commit_line(id, time, summary);
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
        }
        return max_count == 0 || out.size() < max_count;
    };
    // The note of one commit, read, scanned (or parsed) and emitted on this thread.
    auto one_commit = [&](const git_oid* id, const NoteTable& table, size_t slot) {
        OdbObject blob;
        check(git_odb_read(&blob.p, odb.get(), to_git(table.blob(slot))),
              "cannot read blob " + table.blob(slot).hex());
        std::string_view text(static_cast<const char*>(git_odb_object_data(blob.p)),
                              git_odb_object_size(blob.p));
        hits.clear();
        Note note; // parsed only when the scanner cannot read the note
        if (!scan_hits(text, metric, suite, scanned, best, order, hits)) {
            parse_hits(text, id, note);
        }
        return emit(id, hits.data(), hits.size());
    };

    bool parallel =
        threads == LogThreads::two || (threads == LogThreads::automatic && max_count == 0 && idle_core());
    git_oid id;
    if (!parallel) {
        NoteTable table = note_table(repo, store, odb.get(), *tip);
        out.reserve(std::min(max_count > 0 ? max_count : table.size(), table.size()));
        while (git_revwalk_next(&id, walk.get()) == 0) {
            size_t slot = table.find(id.id);
            if (slot != NoteTable::npos && !one_commit(&id, table, slot)) {
                break;
            }
        }
        return out;
    }

    NotesPrefetch prefetch(odb.get(), notes_tree(repo, *tip), metric, suite);
    check(git_revwalk_add_hide_cb(walk.get(), &NotesPrefetch::hide_cb, &prefetch), "cannot walk history");
    std::vector<git_oid> walked;
    while (git_revwalk_next(&id, walk.get()) == 0) {
        walked.push_back(id);
    }
    prefetch.finish();
    NoteTable table =
        prefetch.table() ? std::move(*prefetch.table()) : NoteTable::from_index(store.index(*tip));
    out.reserve(std::min(max_count > 0 ? max_count : table.size(), table.size()));
    std::vector<LogPoint>& ready = prefetch.points();
    for (const git_oid& c : walked) {
        size_t slot = table.find(c.id);
        if (slot == NoteTable::npos) {
            continue;
        }
        if (prefetch.state(slot) != NotesPrefetch::State::done) {
            if (!one_commit(&c, table, slot)) {
                break;
            }
            continue;
        }
        size_t n = prefetch.count(slot);
        size_t keep = max_count > 0 ? std::min(n, max_count - out.size()) : n;
        for (size_t k = 0; k < keep; ++k) {
            out.push_back(std::move(ready[prefetch.first(slot) + k]));
        }
        if (max_count > 0 && out.size() >= max_count) {
            break;
        }
    }
    return out;
}

} // namespace mlci::eval
