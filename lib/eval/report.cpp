// `git gate report` (report.hpp): build_report compares the latest runs at HEAD and at its merge base with
// the baseline, with verdicts, case flips and per-metric trends; render_* print it as text, Markdown or
// JSON. The value, delta and sparkline formatting here is shared with `git gate check`.
#include "eval/report.hpp"

#include "eval/details.hpp"
#include "eval/labels.hpp"
#include "registry/revision.hpp"
#include "util/diag.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace mlci::eval {

std::string value_text(std::optional<double> v) {
    if (!v) {
        return "—";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", *v);
    return buf;
}

std::string value_with_spread(const Run& r, const std::string& metric) {
    auto v = r.metric(metric);
    std::string out = value_text(v);
    if (double h = spread(r, metric, k_default_confidence); h > 0) {
        out += " ± " + value_text(h);
    }
    return out;
}

std::string metric_value_text(const Run& r, const std::string& metric, Unit u) {
    auto v = r.metric(metric);
    if (!v) {
        return "—";
    }
    std::string out = unit_value(*v, u);
    if (double h = spread(r, metric, k_default_confidence); h > 0) {
        out += " ± " + unit_delta(h, u).substr(1); // the half-width without its sign
    }
    return out;
}

void read_ci_env(ReportOptions& opt) {
    for (const char* var : {"GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"}) {
        const char* v = std::getenv(var);
        if (v != nullptr && *v != '\0') {
            opt.ci_target = v;
            opt.ci_target_var = var;
            return;
        }
    }
}

std::string cases_summary(const Run& r) {
    size_t pass = 0;
    for (const auto& [k, v] : r.cases) {
        pass += case_passes(v) ? 1 : 0;
    }
    std::string out = std::to_string(pass) + "/" + std::to_string(r.cases.size()) + " pass";
    PassAtK p = pass_at_k(r);
    if (p.k > 0) {
        char buf[160];
        std::snprintf(buf, sizeof buf, " (%zu samples each; pass@%zu %.4g, pass^%zu %.4g; %zu flaky)", p.k,
                      p.k, p.pass_at_k, p.k, p.pass_hat_k, flaky_cases(r.suite, r).size());
        out += buf;
    }
    return out;
}

std::string interval_text(const RuleResult& r) {
    if (!r.judged) {
        return "";
    }
    if (r.interval.exact) {
        return "exact";
    }
    return "[" + value_text(r.interval.lo) + ", " + value_text(r.interval.hi) + "]";
}

std::string confidence_text(double c) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g%% confidence", c * 100);
    return buf;
}

Json interval_json(const RuleResult& r) {
    Json j = Json::object();
    j["estimate"] = r.interval.estimate;
    j["low"] = r.interval.lo;
    j["high"] = r.interval.hi;
    j["exact"] = r.interval.exact;
    j["method"] = r.interval.method;
    j["n"] = static_cast<uint64_t>(r.interval.n);
    j["limit"] = r.limit;
    j["p"] = r.p;
    if (r.on_cases) {
        j["cases"] = static_cast<uint64_t>(r.cases);
        j["samples_per_case"] = static_cast<uint64_t>(r.samples_per_case);
    }
    if (r.repeats > 0) {
        j["repeats"] = static_cast<uint64_t>(r.repeats);
    }
    if (!r.left_out.empty()) {
        Json lo = Json::array();
        for (const auto& id : r.left_out) {
            lo.push_back(id);
        }
        j["left_out"] = lo;
    }
    if (r.need_cases > 0) {
        j["need_cases"] = static_cast<uint64_t>(r.need_cases);
    }
    if (r.need_repeat > 0) {
        j["need_repeat"] = static_cast<uint64_t>(r.need_repeat);
    }
    return j;
}

std::string flaky_text(const GateResult& g, std::string (*esc)(std::string_view)) {
    std::string out;
    for (const auto& s : g.suites) {
        if (s.pass_at.k > 0) {
            char buf[160];
            std::snprintf(buf, sizeof buf, ": %zu samples per case; pass@%zu %.4g, pass^%zu %.4g\n",
                          s.pass_at.k, s.pass_at.k, s.pass_at.pass_at_k, s.pass_at.k, s.pass_at.pass_hat_k);
            out += "suite " + esc(s.suite) + buf;
        }
    }
    if (!g.flaky.empty()) {
        out += "flaky cases (their samples disagree):\n";
        size_t shown = 0;
        for (const auto& f : g.flaky) {
            if (shown++ == 20) {
                out += "  … and " + std::to_string(g.flaky.size() - 20) + " more\n";
                break;
            }
            out += "  " + esc(f.suite) + "  " + esc(f.id) + "  " + std::to_string(f.passes) + "/" +
                   std::to_string(f.samples) + " passed\n";
        }
    }
    return out;
}

void put_pass_at(Json& o, const PassAtK& p) {
    o["samples_per_case"] = static_cast<uint64_t>(p.k);
    o["pass_at_k"] = p.pass_at_k;
    o["pass_hat_k"] = p.pass_hat_k;
}

Json flaky_json(const GateResult& g) {
    Json j = Json::object();
    Json suites = Json::array();
    for (const auto& s : g.suites) {
        if (s.pass_at.k > 0) {
            Json o = Json::object();
            o["suite"] = s.suite;
            put_pass_at(o, s.pass_at);
            suites.push_back(o);
        }
    }
    j["suites"] = suites;
    Json cases = Json::array();
    for (const auto& f : g.flaky) {
        Json o = Json::object();
        o["suite"] = f.suite;
        o["case"] = f.id;
        o["passes"] = static_cast<uint64_t>(f.passes);
        o["samples"] = static_cast<uint64_t>(f.samples);
        cases.push_back(o);
    }
    j["cases"] = cases;
    return j;
}

std::string delta_text(std::optional<double> base, std::optional<double> head, bool arrows) {
    if (!base || !head) {
        return "";
    }
    double d = *head - *base;
    char buf[96];
    const char* arrow = !arrows ? "" : d > 0 ? "▲ " : d < 0 ? "▼ " : "= ";
    if (*base != 0) {
        std::snprintf(buf, sizeof buf, "%s%+.6g (%+.2f%%)", arrow, d, d / std::fabs(*base) * 100);
    } else {
        std::snprintf(buf, sizeof buf, "%s%+.6g", arrow, d);
    }
    return buf;
}

std::string sparkline(const std::vector<std::optional<double>>& values) {
    static const char* bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double lo = INFINITY;
    double hi = -INFINITY;
    for (const auto& v : values) {
        if (v) {
            lo = std::min(lo, *v);
            hi = std::max(hi, *v);
        }
    }
    std::string out;
    for (const auto& v : values) {
        if (!v) {
            out += " ";
            continue;
        }
        int k = hi > lo ? static_cast<int>(std::lround((*v - lo) / (hi - lo) * 7)) : 3;
        out += bars[std::clamp(k, 0, 7)];
    }
    return out;
}

namespace {

// The latest run of each suite, as Note::latest picks it: the last recorded.
std::map<std::string, const Run*> latest_runs(const std::optional<Note>& n) {
    std::map<std::string, const Run*> out;
    if (n) {
        for (const auto& r : n->runs) {
            out[r.suite] = &r;
        }
    }
    return out;
}

// A note's runs with their derived metrics (n_cases), as a gate sees them.
std::optional<Note> with_derived(std::optional<Note> n) {
    if (n) {
        for (auto& r : n->runs) {
            add_derived_metrics(r);
        }
    }
    return n;
}

std::vector<git::Oid> first_parents(const git::Repo& repo, const git::Oid& head, int n) {
    std::vector<git::Oid> out;
    git::Oid cur = head;
    while (static_cast<int>(out.size()) < n) {
        out.push_back(cur);
        git::CommitInfo c = repo.commit(cur);
        if (c.parents.empty()) {
            break;
        }
        cur = c.parents[0];
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string gate_details(const GateResult& g) {
    std::vector<std::string> parts;
    for (const auto& e : g.errors) {
        parts.push_back(e);
    }
    for (const auto& r : g.rules) {
        if (r.status == "fail" || r.status == "inconclusive") {
            parts.push_back((r.status == "inconclusive" ? "inconclusive: " : "") + r.why);
        }
    }
    for (const auto& e : g.removed_failures) {
        parts.push_back(e);
    }
    if (!g.missing.empty()) {
        parts.push_back("no result for " + join(g.missing, ", "));
    }
    return join(parts, "; ");
}

// A delta in words with its interval: "worse ▼ −1.2 pp [−2.4 pp, +0.1 pp]".
std::string delta_cell(const MetricRow& m) {
    std::string out = m.delta_words;
    if (m.delta) {
        out += " [" + unit_delta(m.delta->lo, m.unit) + ", " + unit_delta(m.delta->hi, m.unit) + "]";
    }
    return out;
}

// The delta cell on a terminal: worse in red, better in green (paint: never without a terminal or with
// NO_COLOR).
std::string painted_delta(const MetricRow& m) {
    Colour c = m.change == "worse" ? Colour::red : m.change == "better" ? Colour::green : Colour::none;
    return c == Colour::none ? delta_cell(m) : paint(delta_cell(m), c);
}

// Rows [begin, end) of one suite and label set, as consecutive groups: calls each(first, last) per group.
template <class F>
void for_each_group(const std::vector<MetricRow>& rows, F&& each) {
    size_t i = 0;
    while (i < rows.size()) {
        size_t j = i + 1;
        while (j < rows.size() && rows[j].suite == rows[i].suite && rows[j].labels == rows[i].labels) {
            ++j;
        }
        each(i, j);
        i = j;
    }
}

// The "changed between base and head" lines: each prompt and model pointer, then how many other files.
// `esc` escapes names, paths and versions (they come from the repository); `prefix` starts each line.
std::string changes_lines(const Changes& c, std::string (*esc)(std::string_view), const std::string& prefix) {
    std::string out;
    for (const auto* list : {&c.prompts, &c.models}) {
        for (const auto& a : *list) {
            out += prefix + (list == &c.prompts ? "prompt " : "model ") + esc(a.name) + ": " +
                   esc(change_text(a)) + "\n";
        }
    }
    if (c.other_count > 0) {
        std::vector<std::string> names;
        for (const auto& p : c.other_first) {
            names.push_back(esc(p));
        }
        out += prefix + std::to_string(c.other_count) +
               (c.other_count == 1 ? " other file: " : " other files: ") + join(names, ", ") +
               (c.other_count > c.other_first.size() ? ", …" : "") + "\n";
    }
    return out;
}

std::string value_cell(const std::string& text) {
    return text.empty() ? "—" : text;
}

// A gate's verdict in words: an inconclusive rule shows, under either policy.
std::string verdict_words(const GateResult& g) {
    std::string v = verdict_name(g.verdict);
    if (g.inconclusive > 0) {
        v += " (" + std::to_string(g.inconclusive) + " inconclusive)";
    }
    return v;
}

// One suite's rows (base against head, with the trend along history), flips, removed and added and
// flaky cases, and the error of its latest run on head.
void add_suite(Report& rep, const Gates* gates, const std::string& s, const Run* h, const Run* b,
               const std::vector<std::optional<Note>>& history_notes) {
    if (h != nullptr && !h->ok()) {
        rep.head_errors.push_back("suite '" + s + "': the latest run failed: " + h->reason);
    }
    std::vector<std::string> metrics;
    for (const Run* r : {h, b}) {
        if (r != nullptr) {
            for (const auto& [m, v] : r->metrics) {
                if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) {
                    metrics.push_back(m);
                }
            }
        }
    }
    size_t first_row = rep.rows.size();
    for (const auto& m : metrics) {
        MetricRow row;
        row.suite = s;
        row.metric = m;
        row.name = metric_base_name(m);
        row.labels = metric_labels(m);
        row.direction = metric_direction(gates, m);
        if (h != nullptr) {
            row.head = h->metric(m);
        }
        if (b != nullptr) {
            row.base = b->metric(m);
        }
        row.unit = metric_unit(m, row.base, row.head);
        row.head_text = h != nullptr ? metric_value_text(*h, m, row.unit) : "";
        row.base_text = b != nullptr ? metric_value_text(*b, m, row.unit) : "";
        if (row.head && row.base) {
            row.change = change_name(change_of(*row.base, *row.head, row.direction.better));
            row.delta_words = change_words(*row.base, *row.head, row.direction.better, row.unit);
        }
        if (row.head && row.base && h->ok() && b->ok()) {
            // The change as a relative rule would judge it: its interval, when noise can be estimated.
            RuleResult rr;
            rr.rule.metric = m;
            rr.rule.kind = Rule::Kind::max_rise;
            rr.candidate = row.head;
            rr.baseline = row.base;
            measure_rule(rr, *h, b, k_default_confidence);
            if (!rr.interval.exact) {
                row.delta = rr.interval;
            }
        }
        for (const auto& n : history_notes) {
            const Run* r = n ? n->latest(s) : nullptr;
            row.trend.push_back(r != nullptr ? r->metric(m) : std::nullopt);
        }
        rep.rows.push_back(std::move(row));
    }
    // Plain metrics first, then each label set in turn (in name order), each in the run's order.
    std::stable_sort(rep.rows.begin() + static_cast<std::ptrdiff_t>(first_row), rep.rows.end(),
                     [](const MetricRow& x, const MetricRow& y) { return x.labels < y.labels; });
    if (h != nullptr && b != nullptr && h->ok() && b->ok()) {
        for (auto& f : case_flips(s, *h, *b, k_default_confidence)) {
            rep.flips.push_back(std::move(f));
        }
        case_set_changes(s, *h, *b, rep.removed, rep.added);
    }
    if (h != nullptr && h->ok()) {
        for (auto& f : flaky_cases(s, *h)) {
            rep.flaky.push_back(std::move(f));
        }
    }
}

// The nearest first-parent ancestor of `head` (not head itself) whose note holds a run.
std::optional<git::Oid> ancestor_with_results(const git::Repo& repo, const NotesStore& store,
                                              const git::Oid& head, int max_walk) {
    git::Oid cur = head;
    for (int i = 0; i < max_walk; ++i) {
        git::CommitInfo c = repo.commit(cur);
        if (c.parents.empty()) {
            return std::nullopt;
        }
        cur = c.parents[0];
        auto n = store.read_lenient(cur);
        if (n && !n->runs.empty()) {
            return cur;
        }
    }
    return std::nullopt;
}

// The ref to compare with when --base is not given, and why: the pull request's target branch in CI,
// else the pre-push gate's baseline, else origin/HEAD.
struct BaseRef {
    std::string ref;
    std::string why;
    bool from_ci = false;
};

BaseRef default_base_ref(const git::Repo& repo, const Gates* gates, const ReportOptions& opt, Report& rep) {
    if (!opt.ci_target.empty()) {
        std::string ref = "origin/" + opt.ci_target;
        if (git::valid_ref_name("refs/remotes/" + ref) && repo.resolve_commit(ref)) {
            return {ref,
                    "the merge base with " + ref + ", the pull request's target (" + opt.ci_target_var + ")",
                    true};
        }
        rep.warnings.push_back(opt.ci_target_var + " names " + quoted(opt.ci_target) + ", but " +
                               quoted(ref) + " does not exist in this clone (fetch it: git fetch origin " +
                               shell_quote(opt.ci_target) + "); using the default base");
    }
    const Gate* pp = gates ? gates->gate("pre-push") : nullptr;
    if (pp && !pp->baseline.empty()) {
        return {pp->baseline, "the merge base with " + pp->baseline + ", the pre-push gate's baseline",
                false};
    }
    return {"origin/HEAD", "the merge base with origin/HEAD", false};
}

// Set rep.base, base_ref and base_why. Returns whether the base is the default one (the merge base with
// the pre-push gate's baseline or origin/HEAD, not the head itself), against which gates judge anyway.
bool choose_base(const git::Repo& repo, const NotesStore& store, const Gates* gates, const ReportOptions& opt,
                 Report& rep) {
    if (!opt.base.empty()) {
        registry::RevTarget t = registry::resolve_rev(repo, opt.base); // input_error when unknown
        rep.base_ref = opt.base;
        if (t.version) {
            // A version or a stage (NAME@production): that version's own commit, not a merge base.
            rep.base = t.commit;
            rep.base_why = "given with --base: " + t.describe();
            return false;
        }
        std::optional<git::Oid> b = t.commit;
        rep.base = repo.merge_base(rep.head, *b);
        rep.base = rep.base ? rep.base : b;
        rep.base_why =
            *rep.base == *b ? "given with --base" : "the merge base with " + opt.base + " (--base)";
        return false;
    }
    auto [ref, why, from_ci] = default_base_ref(repo, gates, opt, rep);
    rep.base_ref = ref;
    rep.base_why = why;
    auto b = repo.resolve_commit(ref);
    if (!b) {
        rep.warnings.push_back("no base: '" + ref + "' does not exist (use --base REF)");
        rep.base_why.clear();
        return true;
    }
    rep.base = repo.merge_base(rep.head, *b);
    rep.base = rep.base ? rep.base : b;
    if (*rep.base != rep.head) {
        return !from_ci;
    }
    // Right after a push the merge base is the head: comparing it with itself says nothing.
    rep.base = ancestor_with_results(repo, store, rep.head, opt.max_walk);
    if (!rep.base) {
        rep.warnings.push_back("no base: " + why +
                               " is the head itself, and no first-parent ancestor has results");
        rep.base_why.clear();
        return false;
    }
    rep.base_why = why + " is the head itself; using the nearest first-parent ancestor with results";
    return false;
}

} // namespace

Report build_report(const git::Repo& repo, const NotesStore& store, const Gates* gates,
                    const ReportOptions& opt) {
    Report rep;
    rep.head_ref = opt.head;
    registry::RevTarget head = registry::resolve_rev(repo, opt.head);
    rep.head = head.commit;
    bool base_is_default = choose_base(repo, store, gates, opt, rep);
    if (rep.base) {
        rep.changes = changes_between(repo, *rep.base, rep.head);
    }

    std::optional<Note> head_note = with_derived(store.read_lenient(rep.head));
    std::optional<Note> base_note = rep.base ? with_derived(store.read_lenient(*rep.base)) : std::nullopt;
    auto head_runs = latest_runs(head_note);
    auto base_runs = latest_runs(base_note);

    // History for the sparklines: first parents of head, oldest first.
    std::vector<git::Oid> history = first_parents(repo, rep.head, std::max(1, opt.last));
    rep.trend_commits = history;
    std::vector<std::optional<Note>> history_notes;
    history_notes.reserve(history.size());
    for (const auto& c : history) {
        history_notes.push_back(c == rep.head ? head_note : with_derived(store.read_lenient(c)));
    }

    std::set<std::string> suites;
    for (const auto& [s, r] : head_runs) {
        suites.insert(s);
    }
    for (const auto& [s, r] : base_runs) {
        suites.insert(s);
    }
    for (const auto& s : suites) {
        size_t first = rep.flips.size();
        const Run* h = head_runs.count(s) ? head_runs[s] : nullptr;
        const Run* b = base_runs.count(s) ? base_runs[s] : nullptr;
        add_suite(rep, gates, s, h, b, history_notes);
        if (h != nullptr && b != nullptr) {
            attach_details(repo, rep.flips, first, *h, *b, rep.warnings);
        }
    }

    if (gates != nullptr) {
        for (const auto& g : gates->gates) {
            if (std::find(opt.stages.begin(), opt.stages.end(), g.name) != opt.stages.end()) {
                continue;
            }
            CheckOptions co;
            co.stages = opt.stages;
            if (!base_is_default && rep.base) {
                co.baseline_override = rep.base->hex(); // the gates judge against the base shown
            }
            if (head.version) {
                co.artifact_name = head.version->name; // --head NAME@V: a stage baseline of that NAME
            }
            try {
                rep.gates.push_back(check_gate(repo, store, *gates, g, rep.head, co));
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::usage) {
                    throw;
                }
                // An ambiguous stage baseline: the report still shows the results, without that gate.
                rep.warnings.push_back("gate '" + g.name + "' not judged: " + e.what() + " (" + e.hint() +
                                       ")");
                continue;
            }
            for (const auto& w : rep.gates.back().warnings) {
                rep.warnings.push_back(w);
            }
        }
    }
    return rep;
}

// Both renderings show strings from notes (suites, metrics, case ids, reasons), gates.toml and refs: the
// text one term_escape's each (a terminal), the markdown one md_escape's each (a pull request), so none can
// steer the terminal, forge a line or render as a heading or HTML (issue 12).
std::string render_text(const Report& r) {
    std::string out = "head " + r.head.short_hex() + " (" + term_escape(r.head_ref) + ")";
    out += r.base ? ", base " + r.base->short_hex() + " (" + term_escape(r.base_ref) + ")\n" : ", no base\n";
    if (!r.base_why.empty()) {
        out += "base: " + term_escape(r.base_why) + "\n";
    }
    std::string changed = changes_lines(r.changes, term_escape, "  ");
    if (!changed.empty()) {
        out += "changed since base:\n" + changed;
    }
    if (r.rows.empty()) {
        out += "no eval results on either commit\n";
    }
    for_each_group(r.rows, [&](size_t first, size_t last) {
        const MetricRow& g = r.rows[first];
        if (first == 0 || r.rows[first - 1].suite != g.suite) {
            out += "\nsuite " + paint(term_escape(g.suite), Colour::bold) + "\n";
        }
        if (!g.labels.empty()) {
            out += "  " + term_escape(g.labels) + ":\n";
        }
        std::vector<std::vector<std::string>> rows = {{"  METRIC", "BASE", "HEAD", "DELTA", "TREND"}};
        for (size_t i = first; i < last; ++i) {
            const MetricRow& m = r.rows[i];
            rows.push_back({"  " + term_escape(m.labels.empty() ? m.metric : m.name), value_cell(m.base_text),
                            value_cell(m.head_text), painted_delta(m), sparkline(m.trend)});
        }
        out += format_table(rows);
    });
    for (const auto& e : r.head_errors) {
        out += term_escape(e) + "\n";
    }
    if (!r.gates.empty()) {
        out += "\n";
        std::vector<std::vector<std::string>> rows = {{"GATE", "VERDICT", "DETAILS"}};
        for (const auto& g : r.gates) {
            rows.push_back({term_escape(g.gate), verdict_words(g), term_escape(gate_details(g))});
        }
        out += format_table(rows);
    }
    if (!r.flips.empty()) {
        out += "\ncases that flipped:\n";
        for (const auto& f : r.flips) {
            out += std::string(f.regressed ? "  broken  " : "  fixed   ") + term_escape(f.suite) + " " +
                   term_escape(f.id) +
                   (f.labels.empty() ? "" : "  (" + term_escape(labels_text(f.labels)) + ")") + "\n";
            out += flip_detail_lines(f, "          ", "\n", term_escape);
        }
    }
    if (!r.removed.empty() || !r.added.empty()) {
        out += "\n" + case_changes_text(r.removed, r.added, term_escape);
    }
    if (!r.flaky.empty()) {
        out += "\nflaky cases (samples disagree on head):\n";
        for (size_t i = 0; i < r.flaky.size() && i < 20; ++i) {
            const auto& f = r.flaky[i];
            out += "  " + term_escape(f.suite) + " " + term_escape(f.id) + "  " + std::to_string(f.passes) +
                   "/" + std::to_string(f.samples) + " passed\n";
        }
        if (r.flaky.size() > 20) {
            out += "  … and " + std::to_string(r.flaky.size() - 20) + " more\n";
        }
    }
    return out;
}

std::string render_markdown(const Report& r) {
    std::string out = "## Eval report\n\n";
    out += "Head `" + r.head.short_hex() + "` (" + md_escape(r.head_ref) + ")";
    out += r.base ? " against base `" + r.base->short_hex() + "` (" + md_escape(r.base_ref) + ")\n\n"
                  : ", no base\n\n";
    if (!r.base_why.empty()) {
        out += "Base: " + md_escape(r.base_why) + ".\n\n";
    }
    for (const auto& w : r.warnings) {
        out += "> ⚠️ " + md_escape(w) + "\n\n";
    }
    std::string changed = changes_lines(r.changes, md_escape, "- ");
    if (!changed.empty()) {
        out += "### Changed since base\n\n" + changed;
    }
    if (r.rows.empty()) {
        out += "_No eval results on either commit._\n";
    }
    for_each_group(r.rows, [&](size_t first, size_t last) {
        const MetricRow& g = r.rows[first];
        if (first == 0 || r.rows[first - 1].suite != g.suite) {
            out += "\n### Suite " + md_escape(g.suite) + "\n";
        }
        if (!g.labels.empty()) {
            out += "\n#### " + md_escape(g.labels) + "\n";
        }
        out += "\n| metric | base | head | Δ | trend |\n|---|---:|---:|---|---|\n";
        for (size_t i = first; i < last; ++i) {
            const MetricRow& m = r.rows[i];
            const char* icon = m.change == "worse" ? "🔴 " : m.change == "better" ? "🟢 " : "";
            out += "| " + md_escape(m.labels.empty() ? m.metric : m.name) + " | " +
                   md_escape(value_cell(m.base_text)) + " | " + md_escape(value_cell(m.head_text)) + " | " +
                   icon + md_escape(delta_cell(m)) + " | " + sparkline(m.trend) + " |\n";
        }
    });
    for (const auto& e : r.head_errors) {
        out += "\n❌ " + md_escape(e) + "\n";
    }
    if (!r.gates.empty()) {
        out += "\n### Gates\n\n| gate | verdict | details |\n|---|---|---|\n";
        for (const auto& g : r.gates) {
            const char* icon = g.verdict == Verdict::pass ? "✅" : g.verdict == Verdict::fail ? "❌" : "⚠️";
            out += "| " + md_escape(g.gate) + " | " + icon + " " + verdict_words(g) + " | " +
                   md_escape(gate_details(g)) + " |\n";
        }
    }
    if (!r.flaky.empty()) {
        out += "\n### Flaky cases\n\n";
        for (size_t i = 0; i < r.flaky.size() && i < 20; ++i) {
            const auto& f = r.flaky[i];
            out += "- " + md_escape(f.suite) + " / " + md_escape(f.id) + ": " + std::to_string(f.passes) +
                   "/" + std::to_string(f.samples) + " samples passed\n";
        }
        if (r.flaky.size() > 20) {
            out += "- … and " + std::to_string(r.flaky.size() - 20) + " more\n";
        }
    }
    if (!r.flips.empty()) {
        out += "\n### Cases that flipped\n\n";
        for (const auto& f : r.flips) {
            out += std::string(f.regressed ? "- ❌ broken: " : "- ✅ fixed: ") + md_escape(f.suite) + " / " +
                   md_escape(f.id) + (f.labels.empty() ? "" : " [" + md_escape(labels_text(f.labels)) + "]") +
                   " (" + value_text(f.from) + " → " + value_text(f.to) + ")\n";
            out += flip_detail_lines(f, "  - ", "\n", md_escape);
        }
    }
    for (const auto* list : {&r.removed, &r.added}) {
        if (!list->empty()) {
            out += list == &r.removed ? "\n### Cases removed (on base, not on head)\n\n"
                                      : "\n### Cases added (new on head)\n\n";
        }
        for (const auto& c : *list) {
            out += "- " + md_escape(c.suite) + " / " + md_escape(c.id) + "\n";
        }
    }
    return out;
}

Json case_changes_json(const std::vector<CaseChange>& changes, bool with_allowed) {
    Json out = Json::array();
    for (const auto& c : changes) {
        Json cj = Json::object();
        cj["suite"] = c.suite;
        cj["case"] = c.id;
        if (with_allowed) {
            cj["allowed"] = c.allowed;
        }
        out.push_back(cj);
    }
    return out;
}

std::string case_changes_text(const std::vector<CaseChange>& removed, const std::vector<CaseChange>& added,
                              std::string (*esc)(std::string_view)) {
    std::string out;
    if (!removed.empty()) {
        out += "cases removed (in the baseline's run, not in the candidate's):\n";
        for (const auto& c : removed) {
            out += "  " + esc(c.suite) + "  " + esc(c.id) + (c.allowed ? "  (allowed)" : "") + "\n";
        }
    }
    if (!added.empty()) {
        out += "cases added (new in the candidate's run):\n";
        for (const auto& c : added) {
            out += "  " + esc(c.suite) + "  " + esc(c.id) + "\n";
        }
    }
    return out;
}

namespace {

// A flip's details as JSON: {base, head} each {expected, output, reason} (each string at most
// k_detail_json bytes) or null, and `available` false when a run's details could not be read.
Json flip_details_json(const CaseFlip& f) {
    auto side = [](const std::optional<CaseDetail>& d) {
        if (!d) {
            return Json();
        }
        Json o = Json::object();
        o["expected"] = clip_detail(d->expected, k_detail_json);
        o["output"] = clip_detail(d->output, k_detail_json);
        o["reason"] = clip_detail(d->reason, k_detail_json);
        return o;
    };
    Json j = Json::object();
    j["base"] = side(f.base_detail);
    j["head"] = side(f.head_detail);
    j["available"] = !f.details_missing;
    return j;
}

} // namespace

Json flips_json(const std::vector<CaseFlip>& flips) {
    Json out = Json::array();
    for (const auto& f : flips) {
        Json fj = Json::object();
        fj["suite"] = f.suite;
        fj["case"] = f.id;
        fj["from"] = f.from;
        fj["to"] = f.to;
        fj["change"] = f.regressed ? "broken" : "fixed";
        if (!f.labels.empty()) {
            fj["labels"] = labels_json(f.labels);
        }
        if (f.head_detail || f.base_detail || f.details_missing) {
            fj["details"] = flip_details_json(f);
        }
        out.push_back(fj);
    }
    return out;
}

namespace {

Json changes_json(const Changes& c) {
    Json j = Json::object();
    for (const auto* list : {&c.prompts, &c.models}) {
        Json arr = Json::array();
        for (const auto& a : *list) {
            Json o = Json::object();
            o["name"] = a.name;
            o["path"] = a.path;
            o["status"] = a.status;
            o["base_version"] = a.base_version.empty() ? Json() : Json(a.base_version);
            o["head_version"] = a.head_version.empty() ? Json() : Json(a.head_version);
            if (list == &c.models) {
                o["base_hash"] = a.base_hash.empty() ? Json() : Json(a.base_hash);
                o["head_hash"] = a.head_hash.empty() ? Json() : Json(a.head_hash);
            }
            arr.push_back(o);
        }
        j[list == &c.prompts ? "prompts" : "models"] = arr;
    }
    j["other_count"] = static_cast<uint64_t>(c.other_count);
    j["other_first"] = Json::strings(c.other_first);
    return j;
}

} // namespace

Json report_json(const Report& r) {
    Json j = Json::object();
    j["head"] = r.head.hex();
    j["head_ref"] = r.head_ref;
    j["base"] = r.base ? Json(r.base->hex()) : Json();
    j["base_ref"] = r.base_ref;
    j["base_why"] = r.base_why;
    j["changes"] = changes_json(r.changes);
    Json rows = Json::array();
    for (const auto& m : r.rows) {
        Json row = Json::object();
        row["suite"] = m.suite;
        row["metric"] = m.metric;
        row["base"] = m.base ? Json(*m.base) : Json();
        row["head"] = m.head ? Json(*m.head) : Json();
        row["delta"] = m.base && m.head ? Json(*m.head - *m.base) : Json();
        row["name"] = m.name;
        row["labels"] = m.labels;
        row["direction"] = better_name(m.direction.better);
        row["direction_from"] = m.direction.from;
        row["change"] = m.change.empty() ? Json() : Json(m.change);
        row["base_text"] = m.base_text;
        row["head_text"] = m.head_text;
        row["delta_text"] = m.delta_words;
        if (m.delta) {
            Json d = Json::object();
            d["low"] = m.delta->lo;
            d["high"] = m.delta->hi;
            d["method"] = m.delta->method;
            row["delta_interval"] = d;
        }
        Json trend = Json::array();
        for (const auto& v : m.trend) {
            trend.push_back(v ? Json(*v) : Json());
        }
        row["trend"] = trend;
        rows.push_back(row);
    }
    j["metrics"] = rows;
    Json gates = Json::array();
    for (const auto& g : r.gates) {
        Json gj = Json::object();
        gj["gate"] = g.gate;
        gj["verdict"] = verdict_name(g.verdict);
        gj["inconclusive"] = static_cast<uint64_t>(g.inconclusive);
        gj["details"] = gate_details(g);
        gates.push_back(gj);
    }
    j["gates"] = gates;
    j["flips"] = flips_json(r.flips);
    j["removed"] = case_changes_json(r.removed, false);
    j["added"] = case_changes_json(r.added, false);
    j["errors"] = Json::strings(r.head_errors);
    return j;
}

} // namespace mlci::eval
