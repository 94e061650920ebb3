// `git gate log`: a metric along history. Over a long history this is the one command that touches
// every note, so it avoids per-commit work it does not need: the notes tree is read once into a hash
// map, a note blob is read straight from the object database (no copy), notes in mlci's canonical
// layout are read by the line scanner of note_scan.hpp (parse_note only for the others), and a
// commit object is parsed only when its note holds the metric (for the date and summary).
// (Reading the notes on a second thread while walking was tried: on a loaded 2-core machine it cost
// more CPU, and time, than it saved.)
#include "eval/note_scan.hpp"
#include "eval/report.hpp"

#include "git/handle.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <git2.h>
#include <map>

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

} // namespace

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count) {
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
    if (!store.tip()) {
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
    // One point per hit, with the commit's date and summary; false once max_count points are out.
    auto emit = [&](const git_oid* id, const Hit* first, size_t count) {
        if (count == 0) {
            return true;
        }
        // The walk has read the commit: it is in libgit2's object cache.
        OdbObject raw;
        check(git_odb_read(&raw.p, odb.get(), id), "cannot read commit");
        int64_t time = 0;
        std::string_view summary;
        Handle<git_commit> c;
        if (!plain_commit({static_cast<const char*>(git_odb_object_data(raw.p)), git_odb_object_size(raw.p)},
                          time, summary)) {
            check(git_commit_lookup(c.out(), repo.raw(), id), "cannot read commit");
            const char* s = git_commit_summary(c.get());
            summary = s != nullptr ? s : "";
            time = git_commit_time(c.get());
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
        }
        return max_count == 0 || out.size() < max_count;
    };

    git_oid id;
    NoteIndex index = store.index();
    out.reserve(std::min(max_count > 0 ? max_count : index.size(), index.size()));
    while (git_revwalk_next(&id, walk.get()) == 0) {
        auto it = index.find(from_git(&id));
        if (it == index.end()) {
            continue;
        }
        OdbObject blob;
        check(git_odb_read(&blob.p, odb.get(), to_git(it->second)), "cannot read blob " + it->second.hex());
        std::string_view text(static_cast<const char*>(git_odb_object_data(blob.p)),
                              git_odb_object_size(blob.p));
        hits.clear();
        Note note; // parsed only when the scanner cannot read the note
        if (!scan_hits(text, metric, suite, scanned, best, order, hits)) {
            parse_hits(text, &id, note);
        }
        if (!emit(&id, hits.data(), hits.size())) {
            break;
        }
    }
    return out;
}

} // namespace mlci::eval
