// git gate check | report | log: judging results and showing them.
#include "common.hpp"
#include "config/config.hpp"
#include "eval/check.hpp"
#include "eval/gate_text.hpp"
#include "eval/gates.hpp"
#include "eval/log_text.hpp"
#include "eval/notes.hpp"
#include "eval/report.hpp"
#include "eval/report_html.hpp"
#include "fsutil/file.hpp"
#include "git-gate.hpp"
#include "promote/promote.hpp"
#include "registry/revision.hpp"
#include "util/diag.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>

namespace mlci::gate {

namespace {

const bool reg_check = add_subcommand(
    "check", "apply a gate's rules: exit 0 pass, 1 fail, 2 cannot decide",
    [](CLI::App& sub, Opts& o) {
        sub.add_option("gate", o.gate, "the gate (default: every gate not named like a stage)");
        sub.add_option("--rev", o.rev,
                       "the candidate: a commit, or NAME@VERSION / NAME@STAGE (default HEAD)");
        sub.add_option("--baseline", o.baseline,
                       "compare with the merge base with this ref instead, or with @STAGE's version");
        sub.add_flag("--json", o.json, "print JSON");
    },
    [](git::Repo& repo, const Opts& o) {
        registry::RevTarget target = registry::resolve_rev(repo, o.rev);
        git::Oid cand = target.commit;
        eval::Gates gates = *eval::gates_in_force(repo, cand, eval::GatesFrom::worktree);
        eval::CheckOptions co;
        co.baseline_override = o.baseline;
        if (target.version) {
            // --rev NAME@V judges that version as its promotion would: its cases, its stage baseline.
            co.artifact_name = target.version->name;
            co.artifact_kind = promote::recorded_kind(registry::Registry::load(repo), co.artifact_name);
        }
        co.stages = eval::configured_stages(repo);
        eval::GateSelection sel{o.gate, o.gate.empty() ? co.stages : std::vector<std::string>{}, true};
        eval::NotesStore store(repo);
        auto a = eval::check_answer(repo, store, gates, eval::select_gates(gates, sel), cand, co, o.json);
        o.json ? cli::out_raw(a.output) : cli::out(a.output);
        for (const auto& e : a.errors) {
            cli::error(e);
        }
        for (const auto& c : a.commands) {
            cli::hint("run: " + c);
        }
        return cli::exit_code(a.verdict);
    });

const bool reg_report = add_subcommand(
    "report", "the pull-request view: base vs head, gates, trends",
    [](CLI::App& sub, Opts& o) {
        sub.add_option(
            "--base", o.base,
            "base commit (default: the pull request's target in CI, else the merge base with the pre-push "
            "gate's baseline; never the head itself)");
        sub.add_option("--head", o.head, "head commit (default HEAD)");
        sub.add_option("--format", o.format, "text, markdown, html (one self-contained page) or json")
            ->check(CLI::IsMember({"text", "markdown", "html", "json"}));
        sub.add_option("--last", o.last, "commits in each trend sparkline (default 20)")
            ->check(CLI::Range(1, 1000));
        sub.add_flag("--json", o.json, "same as --format json");
    },
    [](git::Repo& repo, const Opts& o) {
        git::Oid head = registry::commit_of_rev(repo, o.head);
        auto gates = eval::gates_in_force(repo, head, eval::GatesFrom::worktree_if_any);
        eval::NotesStore store(repo);
        eval::ReportOptions ro;
        ro.base = o.base;
        ro.head = o.head;
        ro.last = o.last;
        ro.stages = eval::configured_stages(repo);
        eval::read_ci_env(ro);
        eval::Report rep = eval::build_report(repo, store, gates ? &*gates : nullptr, ro);
        std::string fmt = o.json ? "json" : o.format;
        if (fmt == "json") {
            cli::out_raw(eval::report_json(rep).dump() + "\n");
        } else if (fmt == "markdown") {
            cli::out(eval::render_markdown(rep));
        } else if (fmt == "html") {
            cli::out_data(eval::render_html(rep)); // data: its tabs kept (escaped by render_html)
        } else {
            for (const auto& w : rep.warnings) {
                warn(w);
            }
            cli::out(eval::render_text(rep));
        }
        return 0;
    });

const bool reg_log = add_subcommand(
    "log", "a metric along history: commit, date, value",
    [](CLI::App& sub, Opts& o) {
        sub.add_option("metric", o.metric, "the metric")->required();
        sub.add_option("range", o.range, "REV or A..B (default HEAD)");
        sub.add_option("--suite", o.suite, "only this suite's runs");
        sub.add_option("-n,--max-count", o.max_count, "stop after this many values");
        sub.add_flag("--json", o.json, "print JSON");
    },
    [](git::Repo& repo, const Opts& o) {
        eval::NotesStore store(repo);
        auto points = eval::metric_log(repo, store, o.metric, o.suite, o.range, o.max_count);
        if (!o.json && points.empty()) {
            cli::note("no recorded value of " + mlci::quoted(o.metric) + " in this history");
            return 0;
        }
        o.json ? eval::write_log_json(points, cli::out_raw) : eval::write_log_text(points, cli::out);
        return 0;
    });

} // namespace

} // namespace mlci::gate
