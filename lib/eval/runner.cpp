// `git gate run` and `git gate record` (runner.hpp): reuses a run with the same fingerprint when there is
// one, else executes the suite (K times with repeat = K, recorded as one run of lists) in the work tree or
// a temporary worktree of --rev, and appends the run to the commit's note. A suite's own failure becomes
// an error run; only our failures throw.
#include "eval/runner.hpp"

#include "config/config.hpp"
#include "eval/details.hpp"
#include "eval/fingerprint.hpp"
#include "eval/formats.hpp"
#include "eval/json_in.hpp"
#include "eval/output.hpp"
#include "eval/worktree.hpp"
#include "fsutil/file.hpp"
#include "registry/revision.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/proc.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace mlci::eval {

int64_t now_epoch() {
    return static_cast<int64_t>(std::time(nullptr));
}

std::string recorder_identity(const git::Repo& repo) {
    if (const char* e = std::getenv("GIT_COMMITTER_EMAIL"); e != nullptr && *e) {
        return e;
    }
    if (auto email = repo.config_string("user.email"); email && !email->empty()) {
        return *email;
    }
    const char* user = std::getenv("USER");
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    return std::string(user ? user : "unknown") + "@" + host;
}

std::string stderr_tail(std::string_view raw, size_t max_lines, size_t max_bytes) {
    // Clean first: control characters and terminal escape sequences (ESC [ … final byte) go, lines stay.
    std::string clean;
    clean.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(raw[i]);
        if (c == 0x1b) {
            if (i + 1 < raw.size() && raw[i + 1] == '[') {
                i += 2;
                while (i < raw.size() && (static_cast<unsigned char>(raw[i]) < 0x40 || raw[i] == 0x7f)) {
                    ++i;
                }
            }
            continue;
        }
        if (c == '\n' || c >= 0x20) {
            if (c != 0x7f) {
                clean += static_cast<char>(c);
            }
        }
    }
    // Invalid UTF-8 (a cut sequence at the start of the tail, binary noise) is dropped byte by byte.
    std::string text;
    text.reserve(clean.size());
    for (size_t i = 0; i < clean.size();) {
        uint32_t cp = 0;
        size_t n = static_cast<unsigned char>(clean[i]) < 0x80 ? 1 : utf8_sequence(clean, i, cp);
        if (n == 0) {
            ++i;
            continue;
        }
        text.append(clean, i, n);
        i += n;
    }
    std::vector<std::string> lines;
    for (const auto& l : split_lines(text)) {
        if (!trim(l).empty()) {
            lines.push_back(std::string(trim(l)));
        }
    }
    std::vector<std::string> kept;
    size_t bytes = 0;
    for (auto it = lines.rbegin(); it != lines.rend() && kept.size() < max_lines; ++it) {
        if (bytes + it->size() + 1 > max_bytes) {
            if (kept.empty()) { // one long line: its end
                size_t from = it->size() - (max_bytes - 3);
                while (from < it->size() && (static_cast<unsigned char>((*it)[from]) & 0xC0) == 0x80) {
                    ++from;
                }
                kept.push_back("…" + it->substr(from));
            }
            break;
        }
        bytes += it->size() + 1;
        kept.push_back(*it);
    }
    std::reverse(kept.begin(), kept.end());
    return join(kept, "\n");
}

namespace {

// One execution of a suite's command with its own {out}: the output, or why there is none.
struct Attempt {
    std::optional<SuiteOutput> output;
    std::string reason; // when there is no output: the process's failure or the unreadable output
    double seconds = 0;
    std::string text; // the output file as written: the run's details object
};

// A private folder for one execution's {out}: made with mkdtemp beside the other temporaries (named
// *.mlci-tmp.* so a later run can spot a stale one), removed with all the tool wrote in it.
struct PrivateDir {
    std::string path;
    PrivateDir(const std::string& tmp_dir, const std::string& suite) {
        std::string tmpl = tmp_dir + "/" + suite + ".mlci-tmp.XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw io_error("cannot create a folder in " + mlci::quoted(tmp_dir) + ": " +
                           std::strerror(errno));
        }
        path = tmpl;
    }
    PrivateDir(const PrivateDir&) = delete;
    PrivateDir& operator=(const PrivateDir&) = delete;
    ~PrivateDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec); // never follows a link the tool left there
    }
};

// Read what the suite wrote: {out} in its format. lm-eval writes results_<date>.json beside a {out} named
// *.json, or below a {out} folder: it is read from the private folder, which holds only what the tool wrote.
// `text` keeps the file as written (the run's details object); a folder (lm-eval) leaves it empty.
SuiteOutput read_out(const SuiteDef& suite, const std::string& out, const std::string& dir, int exit_code,
                     std::string& text) {
    bool is_dir = suite.out_name().back() == '/';
    if (suite.format == "lm-eval") {
        return read_results(suite.format, is_dir ? out : dir);
    }
    if (!path_exists(out)) {
        throw input_error("the suite exited " + std::to_string(exit_code) +
                          " but did not write its output file ({out})");
    }
    if (!is_regular_file(out)) {
        throw input_error("the suite's output ({out}) is not a regular file");
    }
    size_t limit = suite.format == k_default_format ? k_max_json_bytes : k_max_results_bytes;
    text = read_file(out, limit);
    return parse_results(suite.format, text, "output of suite '" + suite.name + "'");
}

Attempt execute_once(const SuiteDef& suite, const std::string& cwd, const std::string& tmp_dir,
                     const git::Oid& commit, int repeat_index) {
    PrivateDir dir(tmp_dir, suite.name);
    std::string name = suite.out_name();
    std::string out = dir.path + "/" + name;
    if (name.back() == '/') {
        out.pop_back();
        make_dirs(out);
    }
    util::ProcOptions opt;
    for (const auto& a : suite.command) {
        std::string arg = a;
        for (size_t p = arg.find("{out}"); p != std::string::npos; p = arg.find("{out}", p + out.size())) {
            arg.replace(p, 5, out);
        }
        opt.argv.push_back(arg);
    }
    opt.cwd = cwd;
    opt.timeout_s = suite.timeout_s;
    opt.stdout_to_stderr = true;
    opt.new_group = true;
    opt.tee_tail = k_stderr_tail_bytes * 2;
    opt.env = {{"MLCI_COMMIT", commit.hex()},
               {"MLCI_SUITE", suite.name},
               {"MLCI_OUT", out},
               {"MLCI_REPEAT", std::to_string(repeat_index)}};
    Attempt a;
    util::ProcResult res = util::run_process(opt);
    a.seconds = res.seconds;
    bool ran = !res.exec_failed && !res.timed_out && res.signal == 0 &&
               std::find(suite.ok_exit_codes.begin(), suite.ok_exit_codes.end(), res.exit_code) !=
                   suite.ok_exit_codes.end();
    std::string said = stderr_tail(res.err);
    if (!ran) {
        a.reason =
            res.describe(suite.command[0], suite.timeout_s) + (said.empty() ? "" : "; stderr: " + said);
        return a;
    }
    try {
        a.output = read_out(suite, out, dir.path, res.exit_code, a.text);
        if (a.output->metrics.empty() && a.output->cases.empty()) {
            throw input_error("the output of suite '" + suite.name + "' holds no metrics");
        }
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            throw;
        }
        a.output.reset();
        a.reason = std::string("unreadable output: ") + e.what() + (said.empty() ? "" : "; stderr: " + said);
    }
    return a;
}

} // namespace

Run execute_suite(const SuiteDef& suite, const std::string& cwd, const std::string& tmp_dir,
                  const git::Oid& commit, const std::string& fingerprint, const std::string& by,
                  std::string* output_text) {
    make_dirs(tmp_dir);
    Run run;
    run.suite = suite.name;
    int64_t start = now_epoch();
    run.id = new_run_id(start);
    run.at = format_utc(start);
    run.by = by;
    run.fingerprint = fingerprint;
    // `repeat = K`: K executions, each with its own {out} (MLCI_REPEAT = 1..K), recorded as one run of
    // lists; the first failure makes the run an error (what it said is kept as the reason).
    std::vector<SuiteOutput> outputs;
    double seconds = 0;
    for (int i = 1; i <= suite.repeat; ++i) {
        Attempt a = execute_once(suite, cwd, tmp_dir, commit, i);
        seconds += a.seconds;
        if (!a.output) {
            run.status = "error";
            run.reason = suite.repeat > 1 ? "repeat " + std::to_string(i) + " of " +
                                                std::to_string(suite.repeat) + ": " + a.reason
                                          : a.reason;
            break;
        }
        outputs.push_back(std::move(*a.output));
        if (output_text != nullptr) {
            *output_text = std::move(a.text); // with repeat = K, the last one's
        }
    }
    run.duration_s = static_cast<double>(static_cast<int64_t>(seconds * 1000)) / 1000.0;
    if (run.status == "ok") {
        try {
            put_output(run, combine_outputs(outputs, "output of suite '" + suite.name + "'"),
                       "output of suite '" + suite.name + "'");
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::input) {
                throw;
            }
            run.metrics.clear();
            run.cases.clear();
            run.metric_samples.clear();
            run.case_samples.clear();
            run.clusters.clear();
            run.status = "error";
            run.reason = std::string("unreadable output: ") + e.what();
        }
    }
    return run;
}

namespace {

std::vector<const SuiteDef*> pick_suites(const Gates& gates, const std::vector<std::string>& names) {
    std::vector<const SuiteDef*> out;
    if (names.empty()) {
        for (const auto& [n, s] : gates.suites) {
            out.push_back(&s);
        }
        if (out.empty()) {
            throw config_error(gates.source + ": defines no [suite.NAME] table",
                               "see 'man git-gate' for an example");
        }
        return out;
    }
    for (const auto& n : names) {
        const SuiteDef* s = gates.suite(n);
        if (s == nullptr) {
            std::vector<std::string> known;
            for (const auto& [k, v] : gates.suites) {
                known.push_back(k);
            }
            throw usage_error("no suite '" + n + "' in " + gates.source,
                              known.empty() ? "add a [suite." + n + "] table"
                                            : "known suites: " + join(known, ", "));
        }
        out.push_back(s);
    }
    return out;
}

// The commit a run records for (HEAD in the work tree, else --rev) and the suites in force there.
Gates gates_for_run(git::Repo& repo, const std::string& rev, git::Oid& commit) {
    Gates gates;
    if (rev.empty()) {
        auto head = repo.head();
        if (!head) {
            throw usage_error("HEAD has no commit yet: there is nothing to record results for",
                              "commit first, then run 'git gate run'");
        }
        commit = *head;
        gates = load_gates(repo.workdir());
    } else {
        commit = registry::commit_of_rev(repo, rev);
        auto g = load_gates_at(repo, commit);
        if (!g) {
            if (repo.is_bare()) {
                throw config_error(std::string(k_gates_path) + " does not exist in " + commit.short_hex());
            }
            warn(std::string(k_gates_path) + " does not exist in " + commit.short_hex() +
                 ": using the work tree's suites");
            gates = load_gates(repo.workdir());
        } else {
            gates = std::move(*g);
        }
    }
    return gates;
}

// A result recorded for HEAD must describe HEAD: a suite whose inputs (its `inputs` globs) have
// uncommitted changes is refused before anything is reused or run — reusing by the committed
// fingerprint would record an old result for an edit it never saw.
void refuse_dirty_inputs(const git::Repo& repo, const std::vector<const SuiteDef*>& suites) {
    for (const SuiteDef* s : suites) {
        auto dirty = dirty_inputs(repo, *s);
        if (dirty.empty()) {
            continue;
        }
        std::vector<std::string> shown(dirty.begin(), dirty.begin() + std::min<size_t>(dirty.size(), 5));
        throw input_error("inputs of suite '" + s->name + "' have uncommitted changes (" + join(shown, ", ") +
                              (dirty.size() > 5 ? ", …" : "") + "): a result would not describe HEAD",
                          "commit them first, or use 'git gate run --dirty' to run on the work tree as it "
                          "is without recording");
    }
}

// The run's details object (eval/details.hpp): its output file, stored in the cache and named in the run,
// unless the suite says details = false or the file is over its bound (then a warning, and the run is
// recorded without).
void keep_details(const git::Repo& repo, const SuiteDef& suite, Run& run, const std::string& text) {
    if (!suite.details || !run.ok() || text.empty()) {
        return;
    }
    if (text.size() > suite.details_max) {
        warn("suite '" + suite.name + "': its output is " + human_size(text.size()) +
             ", over details_max_size (" + human_size(suite.details_max) + "): recorded without details");
        return;
    }
    try {
        run.details = store_details_text(repo, text, suite.format, suite.details_max);
    } catch (const Error& e) {
        // The run itself is sound: record it, without details, rather than lose it.
        warn("suite '" + suite.name + "': could not store its details (" + e.what() +
             "): recorded without details");
    }
}

} // namespace

std::vector<Run> run_suites(git::Repo& repo, const RunRequest& req,
                            const std::function<void(const RunEvent&)>& on_event) {
    bool in_worktree = req.rev.empty();
    if (req.dirty && !in_worktree) {
        throw usage_error("--dirty runs on the work tree: it cannot be combined with --rev",
                          "drop --rev, or commit and run 'git gate run --rev REV'");
    }
    git::Oid commit;
    Gates gates = gates_for_run(repo, req.rev, commit);
    std::vector<const SuiteDef*> suites = pick_suites(gates, req.suites);
    if (in_worktree && !req.dirty) {
        refuse_dirty_inputs(repo, suites);
    }
    NotesStore store(repo);
    Fingerprinter fp(repo, commit);
    std::string by = recorder_identity(repo);
    std::optional<NoteIndex> index;
    std::optional<Note> own;
    if (!req.force && !req.dirty) {
        own = store.read_lenient(commit);
    }
    std::unique_ptr<TempWorktree> wt;
    std::vector<Run> out;
    for (const SuiteDef* s : suites) {
        std::string f = fp.of(*s);
        if (!req.force && !req.dirty) {
            // Already recorded on this very commit: nothing new to record (the latest such run).
            const Run* mine = nullptr;
            if (own) {
                for (const auto& r : own->runs) {
                    if (r.suite == s->name && r.fingerprint == f && r.ok()) {
                        mine = &r;
                    }
                }
            }
            if (mine != nullptr) {
                out.push_back(*mine);
                on_event({RunEvent::Kind::reused, s->name, &out.back(), commit.hex(), {}});
                continue;
            }
            if (!index) {
                index = store.index();
            }
            if (auto found = find_by_fingerprint(store, *index, *s, f)) {
                Run copy = reused_copy(*found, now_epoch(), by);
                store.append(commit, copy);
                out.push_back(copy);
                on_event({RunEvent::Kind::reused, s->name, &out.back(), found->commit.hex(), {}});
                continue;
            }
        }
        std::string cwd;
        if (in_worktree) {
            cwd = repo.workdir();
        } else {
            if (!wt) {
                wt = std::make_unique<TempWorktree>(repo, commit);
            }
            cwd = wt->path();
        }
        on_event({RunEvent::Kind::start, s->name, nullptr, commit.hex(), {}});
        std::string text;
        Run run = execute_suite(*s, cwd, repo.git_dir() + "mlci/tmp", commit, f, by, &text);
        if (!req.dirty) {
            keep_details(repo, *s, run, text);
            store.append(commit, run);
        }
        out.push_back(run);
        std::string why;
        if (req.dirty) {
            why = dirty_inputs(repo, *s).empty() ? "--dirty records nothing"
                                                 : "inputs have uncommitted changes (--dirty)";
        }
        on_event({RunEvent::Kind::done, s->name, &out.back(), commit.hex(), why});
    }
    return out;
}

namespace {

// Record `o` (read by `read`, after the suite is checked) as a run of `suite` on `rev` (HEAD when "").
Run record_output(git::Repo& repo, const std::string& suite, const std::string& rev,
                  const std::function<SuiteOutput()>& read, const std::string& source,
                  const std::string& details_file, const std::string& details_format) {
    git::Oid commit;
    if (rev.empty()) {
        auto head = repo.head();
        if (!head) {
            throw usage_error("HEAD has no commit yet: there is nothing to record results for");
        }
        commit = *head;
    } else {
        commit = registry::commit_of_rev(repo, rev);
    }
    if (!valid_stage_name(suite)) {
        throw usage_error("suite name " + mlci::quoted(suite) + " is invalid (letters, digits, '_' and '-')");
    }
    // The suite must be one the gates define (a typo would record results no gate ever reads): the
    // commit's gates.toml, or the work tree's when recording for HEAD. With no gates.toml at all there
    // is nothing to check against, and the run is recorded without a fingerprint.
    std::optional<Gates> at_commit = load_gates_at(repo, commit);
    std::optional<Gates> in_tree;
    const SuiteDef* def = at_commit ? at_commit->suite(suite) : nullptr;
    if (def == nullptr && !repo.is_bare() && repo.head() == commit &&
        path_exists(path_join(repo.workdir(), k_gates_path))) {
        in_tree = load_gates(repo.workdir());
        def = in_tree->suite(suite);
    }
    const Gates* known = in_tree ? &*in_tree : at_commit ? &*at_commit : nullptr;
    if (def == nullptr && known != nullptr) {
        std::vector<std::string> names;
        for (const auto& [name, s] : known->suites) {
            names.push_back(name);
        }
        throw usage_error(
            "no suite " + mlci::quoted(suite) + " in " + known->source,
            (names.empty() ? std::string("it defines no suite") : "known suites: " + join(names, ", ")) +
                "; define [suite." + suite + "] to record its results");
    }
    SuiteOutput o = read();
    if (o.metrics.empty() && o.cases.empty()) {
        throw input_error(source + ": holds no metrics");
    }
    Run run;
    run.suite = suite;
    int64_t now = now_epoch();
    run.id = new_run_id(now);
    run.at = format_utc(now);
    run.by = recorder_identity(repo);
    if (def != nullptr) {
        // The fingerprint lets later commits with the same inputs reuse this result.
        run.fingerprint = Fingerprinter(repo, commit).of(*def);
    }
    put_output(run, std::move(o), source);
    if (!details_file.empty()) {
        // Checked and stored before the note is written: a bad --details records nothing.
        if (!valid_details_format(details_format)) {
            throw usage_error("details format " + mlci::quoted(details_format) + " is not a format name");
        }
        run.details = store_details(repo, details_file, details_format,
                                    def != nullptr ? def->details_max : k_default_details_max);
    }
    NotesStore(repo).append(commit, run);
    return run;
}

} // namespace

Run record_metrics(git::Repo& repo, const std::string& suite, const std::string& metrics_file,
                   const std::string& rev, const std::string& details_file,
                   const std::string& details_format) {
    return record_output(
        repo, suite, rev,
        [&] {
            if (metrics_file == "-") {
                throw usage_error("--metrics needs a file name");
            }
            if (!is_regular_file(metrics_file)) {
                throw input_error("cannot read metrics file " + mlci::quoted(metrics_file) + ": " +
                                  (path_exists(metrics_file) ? "not a regular file" : "no such file"));
            }
            return parse_results(k_default_format, read_file(metrics_file, k_max_json_bytes), metrics_file);
        },
        metrics_file, details_file, details_format);
}

Run record_results(git::Repo& repo, const std::string& suite, const std::string& format,
                   const std::string& file, const std::string& rev, const std::string& details_file,
                   const std::string& details_format) {
    check_format(format, "--from");
    // The results file is the run's details object, unless --details names another (a folder, as
    // lm-eval writes, is not one file: recorded without details).
    bool own = details_file.empty() && is_regular_file(file);
    return record_output(
        repo, suite, rev, [&] { return read_results(format, file); }, file, own ? file : details_file,
        own ? format : details_format);
}

} // namespace mlci::eval
