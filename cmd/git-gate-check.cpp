// git gate check | report | log: judging results and showing them.
#include "common.hpp"
#include "config/config.hpp"
#include "eval/check.hpp"
#include "eval/gate_text.hpp"
#include "eval/gates.hpp"
#include "eval/log_text.hpp"
#include "eval/notes.hpp"
#include "eval/report.hpp"
#include "fsutil/file.hpp"
#include "git-gate.hpp"
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

std::vector<std::string> stage_names(const git::Repo& repo) {
    if (repo.is_bare()) {
        return Config{}.stages;
    }
    return load_config(repo.workdir(), repo.common_dir()).stages;
}

struct CheckOpts {
    std::string gate;
    std::string rev = "HEAD";
    std::string baseline;
    bool json = false;
};

const bool reg_check = add_command([](CLI::App& app) {
    auto o = std::make_shared<CheckOpts>();
    auto* sub = app.add_subcommand("check", "apply a gate's rules: exit 0 pass, 1 fail, 2 cannot decide");
    sub->add_option("gate", o->gate, "the gate (default: every gate not named like a stage)");
    sub->add_option("--rev", o->rev, "the candidate commit (default HEAD)");
    sub->add_option("--baseline", o->baseline, "compare with the merge base with this ref instead");
    sub->add_flag("--json", o->json, "print JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       git::Oid cand = repo.commit_of(o->rev);
                       eval::Gates gates = *eval::gates_in_force(repo, cand, eval::GatesFrom::worktree);
                       eval::GateSelection sel{o->gate, {}, true};
                       if (o->gate.empty()) {
                           sel.stages = stage_names(repo);
                       }
                       std::vector<const eval::Gate*> chosen = eval::select_gates(gates, sel);
                       eval::NotesStore store(repo);
                       eval::CheckOptions co;
                       co.baseline_override = o->baseline;
                       co.stages = stage_names(repo);
                       bool is_head = repo.head() == cand;
                       std::vector<eval::GateResult> results;
                       Json all = Json::array();
                       std::string text;
                       std::vector<std::string> commands;
                       for (const auto* g : chosen) {
                           results.push_back(eval::check_gate(repo, store, gates, *g, cand, co));
                           const auto& r = results.back();
                           for (const auto& w : r.warnings) {
                               warn(w);
                           }
                           auto cmds = eval::missing_commands(r, is_head);
                           if (o->json) {
                               all.push_back(eval::gate_json(r, cmds));
                           } else {
                               text += (text.empty() ? "" : "\n") + eval::gate_text(r);
                           }
                           for (const auto& c : cmds) {
                               if (std::find(commands.begin(), commands.end(), c) == commands.end()) {
                                   commands.push_back(c);
                               }
                           }
                       }
                       if (o->json) {
                           cli::out_raw(all.dump() + "\n");
                       } else {
                           cli::out(text);
                       }
                       eval::Verdict v = eval::combine(results);
                       for (const auto& r : results) {
                           for (const auto& m : r.missing) {
                               cli::error("gate '" + term_escape(r.gate) + "' cannot decide: suite '" +
                                          term_escape(m) + "' has no result on " + cand.short_hex());
                           }
                       }
                       for (const auto& c : commands) {
                           cli::hint("run: " + c);
                       }
                       return cli::exit_code(v);
                   }};
});

struct ReportOpts {
    std::string base;
    std::string head = "HEAD";
    std::string format = "text";
    int last = 20;
    bool json = false;
};

const bool reg_report = add_command([](CLI::App& app) {
    auto o = std::make_shared<ReportOpts>();
    auto* sub = app.add_subcommand("report", "the pull-request view: base vs head, gates, trends");
    sub->add_option("--base", o->base, "base commit (default: merge base with the pre-push gate's baseline)");
    sub->add_option("--head", o->head, "head commit (default HEAD)");
    sub->add_option("--format", o->format, "text, markdown or json")
        ->check(CLI::IsMember({"text", "markdown", "json"}));
    sub->add_option("--last", o->last, "commits in each trend sparkline (default 20)")
        ->check(CLI::Range(1, 1000));
    sub->add_flag("--json", o->json, "same as --format json");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       git::Oid head = repo.commit_of(o->head);
                       auto gates = eval::gates_in_force(repo, head, eval::GatesFrom::worktree_if_any);
                       eval::NotesStore store(repo);
                       eval::ReportOptions ro;
                       ro.base = o->base;
                       ro.head = o->head;
                       ro.last = o->last;
                       ro.stages = stage_names(repo);
                       eval::Report rep = eval::build_report(repo, store, gates ? &*gates : nullptr, ro);
                       std::string fmt = o->json ? "json" : o->format;
                       if (fmt == "json") {
                           cli::out_raw(eval::report_json(rep).dump() + "\n");
                       } else if (fmt == "markdown") {
                           cli::out(eval::render_markdown(rep));
                       } else {
                           for (const auto& w : rep.warnings) {
                               warn(w);
                           }
                           cli::out(eval::render_text(rep));
                       }
                       return 0;
                   }};
});

// `git gate log` prints one line per commit over whole histories: the lines are written straight into
// the output (eval/log_text.hpp) instead of building a Json tree or temporary strings per value.
using eval::append_short_hex;
using eval::append_utc;
using eval::append_value;

// Output goes out in pieces of about this size: a whole history's text in one string would be megabytes
// of fresh memory (a page fault per 4 KiB) for nothing.
constexpr size_t k_log_chunk = 64 * 1024;

void flush_if_full(std::string& out, bool json) {
    if (out.size() >= k_log_chunk) {
        json ? cli::out_raw(out) : cli::out(out);
        out.clear();
    }
}

void print_log_json(const std::vector<eval::LogPoint>& points) {
    if (points.empty()) {
        cli::out_raw("[]\n\n"); // Json::dump()'s newline, then the command's own, as every --json output
        return;
    }
    std::string out;
    out.reserve(k_log_chunk + 1024);
    out += '[';
    for (size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        out += i == 0 ? "\n  {\n    \"commit\": \"" : ",\n  {\n    \"commit\": \"";
        eval::append_hex(out, p.commit);
        out += "\",\n    \"date\": \"";
        append_utc(out, p.time);
        out += "\",\n    \"suite\": ";
        eval::append_json_string(out, p.suite);
        out += ",\n    \"run\": ";
        eval::append_json_string(out, p.run_id);
        out += ",\n    \"value\": ";
        if (std::isfinite(p.value)) {
            char buf[64];
            auto res = std::to_chars(buf, buf + sizeof buf, p.value);
            out.append(buf, res.ptr);
        } else {
            out += "null";
        }
        if (p.spread > 0) {
            char buf[64];
            auto res = std::to_chars(buf, buf + sizeof buf, p.spread);
            out += ",\n    \"plus_minus\": ";
            out.append(buf, res.ptr);
        }
        out += "\n  }";
        flush_if_full(out, true);
    }
    out += "\n]\n\n";
    cli::out_raw(out);
}

struct LogOpts {
    std::string metric;
    std::string suite;
    std::string range;
    size_t max_count = 0;
    bool json = false;
};

const bool reg_log = add_command([](CLI::App& app) {
    auto o = std::make_shared<LogOpts>();
    auto* sub = app.add_subcommand("log", "a metric along history: commit, date, value");
    sub->add_option("metric", o->metric, "the metric")->required();
    sub->add_option("range", o->range, "REV or A..B (default HEAD)");
    sub->add_option("--suite", o->suite, "only this suite's runs");
    sub->add_option("-n,--max-count", o->max_count, "stop after this many values");
    sub->add_flag("--json", o->json, "print JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       eval::NotesStore store(repo);
                       auto points =
                           eval::metric_log(repo, store, o->metric, o->suite, o->range, o->max_count);
                       if (o->json) {
                           print_log_json(points);
                           return 0;
                       }
                       if (points.empty()) {
                           cli::note("no recorded value of " + mlci::quoted(o->metric) + " in this history");
                           return 0;
                       }
                       std::string out;
                       out.reserve(k_log_chunk + 1024);
                       for (const auto& p : points) {
                           append_short_hex(out, p.commit);
                           out += "  ";
                           append_utc(out, p.time);
                           out += "  ";
                           append_term_escaped(out, p.suite); // notes and commit messages: issue 12
                           out += "  ";
                           append_value(out, p.value);
                           if (p.spread > 0) {
                               out += " ± ";
                               append_value(out, p.spread);
                           }
                           out += "  ";
                           append_term_escaped(out, p.summary);
                           out += '\n';
                           flush_if_full(out, false);
                       }
                       cli::out(out);
                       return 0;
                   }};
});

} // namespace

} // namespace mlci::gate
