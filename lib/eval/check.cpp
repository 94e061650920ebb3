// Gate verdicts (check.hpp): check_gate takes each suite's latest recorded run on the candidate and on
// the baseline (the merge base with the gate's baseline ref), judges every rule (judge.hpp) and folds the
// results into pass, fail or undecided; also combine() and the commands that would fill missing results.
#include "eval/check.hpp"

#include "eval/details.hpp"
#include "eval/fingerprint.hpp"
#include "eval/stage_baseline.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iterator>
#include <memory>

namespace mlci::eval {

const char* verdict_name(Verdict v) {
    static constexpr const char* names[] = {"pass", "fail", "undecided"}; // Verdict's order
    auto i = static_cast<size_t>(v);
    return i < std::size(names) ? names[i] : "?";
}

namespace {

// The gate's baseline: the merge base of the candidate with the gate's (or --baseline's) ref. Relative
// rules are skipped, with a warning, when the ref does not exist yet or shares no history.
void resolve_baseline(GateResult& res, const git::Repo& repo, const Gate& gate, const git::Oid& candidate,
                      const CheckOptions& opt, bool has_relative) {
    res.baseline_ref = opt.baseline_override.empty() ? gate.baseline : opt.baseline_override;
    if (res.baseline_ref.empty()) {
        return;
    }
    if (is_stage_baseline(res.baseline_ref)) {
        // "@STAGE": the stage's version itself (stage_baseline.hpp), never a merge base.
        StageBaselineQuery q{gate.name, res.baseline_ref, !opt.baseline_override.empty(), opt.artifact_name,
                             opt.stages};
        StageBaseline sb = stage_baseline(repo, candidate, q);
        res.baseline = sb.commit;
        res.baseline_version = sb.holder;
        if (!sb.commit && has_relative) {
            res.warnings.push_back(sb.warning);
        }
        return;
    }
    if (auto b = repo.resolve_commit(res.baseline_ref)) {
        res.baseline = repo.merge_base(candidate, *b);
        if (!res.baseline && has_relative) {
            res.warnings.push_back("gate '" + gate.name + "': " + candidate.short_hex() + " and baseline '" +
                                   res.baseline_ref + "' share no history: relative rules skipped");
        }
    } else if (has_relative) {
        res.warnings.push_back("gate '" + gate.name + "': baseline '" + res.baseline_ref +
                               "' does not exist yet (a first push?): relative rules skipped");
    }
}

// Each suite's latest run on the candidate and on the baseline — recorded there, or reused from a commit
// with the same fingerprint — with its failures, flips, flaky cases and pass@k.
class SuiteCollector {
  public:
    SuiteCollector(const git::Repo& repo, const NotesStore& store, const CheckOptions& opt, GateResult& res)
        : m_repo(repo), m_store(store), m_opt(opt), m_res(res),
          m_now(static_cast<int64_t>(std::time(nullptr))) {
        m_cand_note = store.read_lenient(res.candidate);
        if (res.baseline) {
            m_base_note = store.read_lenient(*res.baseline);
        }
    }

    SuiteResult collect(const Gate& gate, const std::string& name, const SuiteDef* def, bool has_relative) {
        SuiteResult sr;
        sr.suite = name;
        if (m_cand_note) {
            if (const Run* r = m_cand_note->latest(name)) {
                sr.candidate = *r;
                note_future(*r, m_res.candidate);
            }
        }
        if (!sr.candidate && def != nullptr) {
            if (auto f = reuse(m_res.candidate, m_cand_fp, *def)) {
                sr.candidate = f->run;
                sr.candidate_from = f->commit.hex();
            }
        }
        if (m_res.baseline) {
            if (m_base_note) {
                if (const Run* r = m_base_note->latest(name)) {
                    sr.baseline = *r;
                    note_future(*r, *m_res.baseline);
                }
            }
            if (!sr.baseline && def != nullptr && has_relative) {
                if (auto f = reuse(*m_res.baseline, m_base_fp, *def)) {
                    sr.baseline = f->run;
                    sr.baseline_from = f->commit.hex();
                }
            }
        }
        if (!sr.candidate) {
            m_res.missing.push_back(name);
        } else if (!sr.candidate->ok()) {
            m_res.errors.push_back("suite '" + name + "': the latest run (" + sr.candidate->id +
                                   ") failed: " + sr.candidate->reason);
        }
        for (auto* r : {&sr.candidate, &sr.baseline}) {
            if (*r) {
                add_derived_metrics(**r);
            }
        }
        narrow(gate, sr);
        if (sr.candidate && sr.baseline && sr.candidate->ok() && sr.baseline->ok()) {
            size_t first = m_res.flips.size();
            for (auto& f : case_flips(name, *sr.candidate, *sr.baseline, m_res.confidence)) {
                m_res.flips.push_back(std::move(f));
            }
            attach_details(m_repo, m_res.flips, first, *sr.candidate, *sr.baseline, m_res.warnings);
            case_set_changes(name, *sr.candidate, *sr.baseline, m_res.removed, m_res.added);
        }
        if (sr.candidate && sr.candidate->ok()) {
            for (auto& f : flaky_cases(name, *sr.candidate)) {
                m_res.flaky.push_back(std::move(f));
            }
            sr.pass_at = pass_at_k(*sr.candidate);
        }
        return sr;
    }

  private:
    // The gate's selection of cases, and in a promotion the artifact's (when the candidate's run carries its
    // label and the gate's own select does not name that label): the runs narrowed to those cases.
    void narrow(const Gate& gate, SuiteResult& sr) {
        Selection sel = gate.select;
        std::string label = gate.select_artifact.empty() ? m_opt.artifact_kind : gate.select_artifact;
        bool named = std::any_of(sel.begin(), sel.end(), [&](const auto& l) { return l.first == label; });
        if (!gate.select_artifact_off && !m_opt.artifact_name.empty() && !label.empty() && !named &&
            sr.candidate && carries_label(*sr.candidate, label)) {
            sel = merge_selections(sel, {{label, {m_opt.artifact_name}}});
        }
        if (sel.empty()) {
            return;
        }
        sr.selection = sel;
        sr.candidate_all = std::move(sr.candidate);
        sr.baseline_all = std::move(sr.baseline);
        sr.candidate.reset();
        sr.baseline.reset();
        if (sr.candidate_all) {
            sr.candidate = select_cases(*sr.candidate_all, sel);
            if (sr.candidate_all->ok() && !sr.candidate_all->cases.empty() && sr.candidate->cases.empty()) {
                m_res.errors.push_back("suite '" + sr.suite + "': no case of the latest run (" +
                                       sr.candidate_all->id + ") carries " + selection_text(sel));
            }
        }
        if (sr.baseline_all) {
            sr.baseline = select_cases(*sr.baseline_all, sel);
        }
    }

    std::optional<Found> reuse(const git::Oid& commit, std::unique_ptr<Fingerprinter>& fp,
                               const SuiteDef& def) {
        if (!m_opt.reuse) {
            return std::nullopt;
        }
        if (!fp) {
            fp = std::make_unique<Fingerprinter>(m_repo, commit);
        }
        if (!m_index) {
            m_index = m_store.index();
        }
        return find_by_fingerprint(m_store, *m_index, def, fp->of(def));
    }

    // A run dated in the future is judged like any other (the latest is the last recorded, whatever its
    // `at`), but said: an `at` ahead of the clock is either a broken clock or a forgery.
    void note_future(const Run& r, const git::Oid& commit) {
        std::string w = future_warning(r, commit, m_now);
        if (!w.empty()) {
            m_res.warnings.push_back(w);
        }
    }

    const git::Repo& m_repo;
    const NotesStore& m_store;
    const CheckOptions& m_opt;
    GateResult& m_res;
    int64_t m_now;
    std::optional<Note> m_cand_note;
    std::optional<Note> m_base_note;
    std::optional<NoteIndex> m_index;
    std::unique_ptr<Fingerprinter> m_cand_fp;
    std::unique_ptr<Fingerprinter> m_base_fp;
};

// What a rule reads of a suite: its metric among the cases the gate selects and those the rule's metric
// name selects (`pass_rate{provider=b}`), under its base name in runs narrowed to those cases; `name` is the
// metric's full name (`pass_rate{prompt=a,provider=b}`), shown and quoted as evidence.
struct RuleRuns {
    std::string name;
    std::string metric;
    const Run* candidate = nullptr;
    const Run* baseline = nullptr;
    std::optional<Run> cand_view, base_view;
};

void rule_runs(const SuiteResult& sr, const std::string& rule_metric, RuleRuns& out) {
    out.name = out.metric = rule_metric;
    out.candidate = sr.candidate ? &*sr.candidate : nullptr;
    out.baseline = sr.baseline ? &*sr.baseline : nullptr;
    std::optional<MetricName> parsed;
    if (rule_metric.find('{') != std::string::npos) {
        parsed = parse_metric_name(rule_metric, nullptr);
    }
    if (!parsed || parsed->sel.empty()) {
        if (!sr.selection.empty()) {
            out.name = labelled_metric(rule_metric, sr.selection);
        }
        return;
    }
    Selection sel = merge_selections(sr.selection, parsed->sel);
    out.metric = parsed->base;
    out.name = labelled_metric(parsed->base, sel);
    const auto& cand_all = sr.selection.empty() ? sr.candidate : sr.candidate_all;
    const auto& base_all = sr.selection.empty() ? sr.baseline : sr.baseline_all;
    if (cand_all) {
        out.cand_view = select_cases(*cand_all, sel);
        out.candidate = &*out.cand_view;
    }
    if (base_all) {
        out.base_view = select_cases(*base_all, sel);
        out.baseline = &*out.base_view;
    }
}

// The suite whose run holds the rule's metric: the rule's own, else the first whose candidate has it, else
// the gate's only suite ("" when none).
std::string rule_target(const GateResult& res, const Gate& gate, const Rule& rule) {
    if (!rule.suite.empty()) {
        return rule.suite;
    }
    for (const auto& s : res.suites) {
        RuleRuns rr;
        rule_runs(s, rule.metric, rr);
        if (rr.candidate != nullptr && rr.candidate->metric(rr.metric)) {
            return s.suite;
        }
    }
    return gate.suites.size() == 1 ? gate.suites[0] : "";
}

// Why a rule's baseline value is missing, or "" when it is there.
std::string baseline_gap(const SuiteResult& sr, const RuleRuns& runs, const std::string& target) {
    if (!sr.baseline) {
        return "has no run of suite '" + target + "'";
    }
    if (!sr.baseline->ok()) {
        return "has only a failed run of suite '" + target + "'";
    }
    return "has no metric '" + runs.name + "' in suite '" + target + "'";
}

// One rule against the collected runs: skipped or failed by name when its run or metric is missing,
// else measured (judge.hpp); decide_rules gives the verdicts of all of them together.
RuleResult place_rule(const GateResult& res, const Gate& gate, const Rule& rule,
                      std::vector<std::string>& baseline_missing) {
    RuleResult rr;
    rr.rule = rule;
    std::string target = rule_target(res, gate, rule);
    if (target.empty()) {
        if (!res.missing.empty()) {
            rr.status = "skip";
            rr.why = "no result yet for suite " + join(res.missing, ", ");
        } else {
            rr.status = "fail";
            rr.why = "metric '" + rule.metric + "' is missing from the runs of " + join(gate.suites, ", ");
        }
        return rr;
    }
    rr.suite = target;
    auto sit = std::find_if(res.suites.begin(), res.suites.end(),
                            [&](const SuiteResult& s) { return s.suite == target; });
    const SuiteResult* sr = sit == res.suites.end() ? nullptr : &*sit;
    if (sr == nullptr || !sr->candidate) {
        rr.status = "skip";
        rr.why = "no run of suite '" + target + "' yet";
        return rr;
    }
    if (!sr->candidate->ok()) {
        rr.status = "fail";
        rr.why = "the latest run of '" + target + "' failed";
        return rr;
    }
    RuleRuns runs;
    rule_runs(*sr, rule.metric, runs);
    rr.rule.metric = runs.name;
    rr.candidate = runs.candidate->metric(runs.metric);
    if (runs.baseline != nullptr && runs.baseline->ok()) {
        rr.baseline = runs.baseline->metric(runs.metric);
    }
    if (!rr.candidate) {
        rr.status = "fail";
        rr.why = "metric '" + runs.name + "' is missing from run " + sr->candidate->id + " of suite '" +
                 target + "'";
        return rr;
    }
    if (rule.needs_baseline()) {
        if (!res.baseline) {
            rr.status = "skip";
            rr.why = "no baseline";
            return rr;
        }
        if (!sr->baseline || !sr->baseline->ok() || !rr.baseline) {
            std::string what = baseline_gap(*sr, runs, target);
            if (gate.missing_baseline_passes) {
                rr.status = "skip";
                rr.why = "baseline " + res.baseline->short_hex() + " " + what +
                         " (on_missing_baseline = \"pass\")";
            } else {
                rr.status = "fail";
                rr.why = "baseline " + res.baseline->short_hex() + " " + what;
                if (!sr->baseline && std::find(baseline_missing.begin(), baseline_missing.end(), target) ==
                                         baseline_missing.end()) {
                    baseline_missing.push_back(target);
                }
            }
            return rr;
        }
    }
    // Measured under the base name in the narrowed runs, reported under the full name.
    rr.rule.metric = runs.metric;
    measure_rule(rr, *runs.candidate, rule.needs_baseline() ? runs.baseline : nullptr, res.confidence);
    rr.rule.metric = runs.name;
    return rr;
}

// Removed cases against allow_removed_cases: an integer allows that many in all, an array the ids it
// lists; the rest fail the gate, with one reason per suite.
void judge_removed(GateResult& res, const Gate& gate) {
    bool all_allowed = !gate.allow_removed_by_id && res.removed.size() <= gate.allow_removed_count;
    std::vector<std::pair<std::string, size_t>> refused; // suite → cases refused, in order
    for (auto& c : res.removed) {
        c.allowed = all_allowed || (gate.allow_removed_by_id &&
                                    std::find(gate.allow_removed_ids.begin(), gate.allow_removed_ids.end(),
                                              c.id) != gate.allow_removed_ids.end());
        if (c.allowed) {
            continue;
        }
        if (refused.empty() || refused.back().first != c.suite) {
            refused.emplace_back(c.suite, 0);
        }
        ++refused.back().second;
    }
    for (const auto& [suite, n] : refused) {
        res.removed_failures.push_back(std::to_string(n) + (n == 1 ? " case" : " cases") +
                                       " removed from suite '" + suite + "' (" + gate.allow_removed_text() +
                                       ")");
    }
}

// The gate's verdict from its rules and suites, with the warning an inconclusive pass owes the user.
void fold_verdict(GateResult& res, const Gate& gate) {
    res.inconclusive = static_cast<size_t>(std::count_if(
        res.rules.begin(), res.rules.end(), [](const RuleResult& r) { return r.status == "inconclusive"; }));
    if (res.inconclusive > 0 && !res.inconclusive_fails) {
        res.warnings.push_back("gate '" + gate.name + "': " + std::to_string(res.inconclusive) + " rule" +
                               (res.inconclusive == 1 ? " is" : "s are") +
                               " inconclusive (the results are too noisy to tell); passed under "
                               "on_inconclusive = \"pass\"");
    }
    bool failed = !res.errors.empty() || !res.removed_failures.empty() ||
                  std::any_of(res.rules.begin(), res.rules.end(), [&](const RuleResult& r) {
                      return r.status == "fail" || (r.status == "inconclusive" && res.inconclusive_fails);
                  });
    res.verdict = failed ? Verdict::fail : !res.missing.empty() ? Verdict::undecided : Verdict::pass;
}

} // namespace

GateResult check_gate(const git::Repo& repo, const NotesStore& store, const Gates& gates, const Gate& gate,
                      const git::Oid& candidate, const CheckOptions& opt) {
    GateResult res;
    res.gate = gate.name;
    res.candidate = candidate;
    res.confidence = gate.confidence;
    res.inconclusive_fails =
        gate.on_inconclusive ? *gate.on_inconclusive == "fail"
                             : std::find(opt.stages.begin(), opt.stages.end(), gate.name) != opt.stages.end();
    res.inconclusive_fails_by_default = res.inconclusive_fails && !gate.on_inconclusive;
    bool has_relative =
        std::any_of(gate.rules.begin(), gate.rules.end(), [](const Rule& r) { return r.needs_baseline(); });
    resolve_baseline(res, repo, gate, candidate, opt, has_relative);

    SuiteCollector collector(repo, store, opt, res);
    for (const auto& name : gate.suites) {
        SuiteResult sr = collector.collect(gate, name, gates.suite(name), has_relative);
        res.suites.push_back(std::move(sr));
    }
    for (const auto& rule : gate.rules) {
        res.rules.push_back(place_rule(res, gate, rule, res.baseline_missing));
    }
    decide_rules(res.rules, res.confidence);
    judge_removed(res, gate);
    fold_verdict(res, gate);
    return res;
}

Verdict combine(const std::vector<GateResult>& results) {
    Verdict v = Verdict::pass;
    for (const auto& r : results) {
        if (r.verdict == Verdict::fail) {
            return Verdict::fail;
        }
        if (r.verdict == Verdict::undecided) {
            v = Verdict::undecided;
        }
    }
    return v;
}

std::vector<std::string> missing_commands(const GateResult& r, bool candidate_is_head) {
    std::vector<std::string> out;
    // Suite names come from gates.toml, which a clone supplies: quoted, so the hint is safe to paste.
    for (const auto& s : r.missing) {
        out.push_back("git gate run " + shell_quote(s) +
                      (candidate_is_head ? "" : " --rev " + r.candidate.hex()));
    }
    for (const auto& s : r.baseline_missing) {
        out.push_back("git gate run " + shell_quote(s) + " --rev " + r.baseline->hex());
    }
    return out;
}

} // namespace mlci::eval
