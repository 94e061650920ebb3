// git gate init | run | record | show: producing and reading eval results.
#include "common.hpp"
#include "eval/init.hpp"
#include "eval/notes.hpp"
#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "git-gate.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <memory>

namespace mlci::gate {

Json run_json(const eval::Run& r) {
    Json j = Json::object();
    j["suite"] = r.suite;
    j["id"] = r.id;
    j["at"] = r.at;
    j["by"] = r.by;
    j["duration_s"] = r.duration_s;
    j["fingerprint"] = r.fingerprint;
    j["status"] = r.status;
    if (!r.reason.empty()) {
        j["reason"] = r.reason;
    }
    if (!r.reused_from.empty()) {
        j["reused_from"] = r.reused_from;
    }
    Json m = Json::object();
    for (const auto& [k, v] : r.metrics) {
        m[k] = v;
    }
    j["metrics"] = m;
    if (!r.cases.empty()) {
        Json c = Json::object();
        for (const auto& [k, v] : r.cases) {
            c[k] = v;
        }
        j["cases"] = c;
    }
    // Samples: "metrics" and "cases" above hold each one's mean; the lists themselves here.
    auto samples = [](const eval::Samples& s) {
        Json o = Json::object();
        for (const auto& [k, v] : s) {
            Json a = Json::array();
            for (double x : v) {
                a.push_back(x);
            }
            o[k] = a;
        }
        return o;
    };
    if (!r.metric_samples.empty()) {
        j["metric_samples"] = samples(r.metric_samples);
    }
    if (!r.case_samples.empty()) {
        j["case_samples"] = samples(r.case_samples);
    }
    if (!r.clusters.empty()) {
        Json o = Json::object();
        for (const auto& [k, v] : r.clusters) {
            o[k] = v;
        }
        j["clusters"] = o;
    }
    return j;
}

namespace {

// Note fields (suite, run id, by, metric names, reason…) come from teammates' notes and suites'
// output: term_escape'd wherever they enter human output (issue 12).
std::string metrics_inline(const eval::Run& r) {
    std::string out;
    for (const auto& [k, v] : r.metrics) {
        out += "  " + term_escape(k) + "=" + eval::value_with_spread(r, k);
    }
    return out;
}

std::string duration(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

const bool reg_init = add_command([](CLI::App& app) {
    auto* sub =
        app.add_subcommand("init", "scaffold .mlci/, fetch eval notes from remotes, show them in git log");
    return Command{sub, [] {
                       git::Repo repo = open_repo();
                       std::vector<std::string> done = eval::init_repo(repo);
                       for (const auto& step : init_steps()) {
                           step(repo, done);
                       }
                       if (done.empty()) {
                           cli::out("already initialised: nothing to do\n");
                       }
                       for (const auto& d : done) {
                           cli::out(term_escape(d) + "\n");
                       }
                       return 0;
                   }};
});

struct RunOpts {
    std::vector<std::string> suites;
    std::string rev;
    bool force = false;
    bool json = false;
};

const bool reg_run = add_command([](CLI::App& app) {
    auto o = std::make_shared<RunOpts>();
    auto* sub = app.add_subcommand("run", "run eval suites and record their results in the commit's note");
    sub->add_option("suite", o->suites, "suites to run (default: every suite in .mlci/gates.toml)");
    sub->add_option("--rev", o->rev, "record for this commit, running in a temporary checkout of it");
    sub->add_flag("--force", o->force, "run even when a result with the same fingerprint exists");
    sub->add_flag("--json", o->json, "print the recorded runs as JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       eval::RunRequest req{o->suites, o->rev, o->force};
                       bool any_error = false;
                       Json all = Json::array();
                       auto runs = eval::run_suites(repo, req, [&](const eval::RunEvent& e) {
                           if (e.kind == eval::RunEvent::Kind::start) {
                               cli::note("running suite '" + term_escape(e.suite) + "' on " +
                                         short_id(e.reused_commit) + "…");
                               return;
                           }
                           const eval::Run& r = *e.run;
                           if (!r.ok()) {
                               any_error = true;
                           }
                           if (o->json) {
                               return;
                           }
                           std::string suite = term_escape(e.suite);
                           if (e.kind == eval::RunEvent::Kind::reused) {
                               std::string from = r.reused_from.empty() ? e.reused_commit : r.reused_from;
                               cli::out(suite + ": reused " +
                                        (r.reused_from.empty() ? "(already recorded here)"
                                                               : "from " + term_escape(short_id(from))) +
                                        ", same fingerprint" + metrics_inline(r) + "\n");
                           } else if (r.ok()) {
                               cli::out(suite + ": ok in " + duration(r.duration_s) + " (run " +
                                        term_escape(r.id) + ")" + metrics_inline(r) + "\n");
                           } else {
                               cli::out(suite + ": error: " + term_escape(r.reason) + " (recorded as run " +
                                        term_escape(r.id) + ")\n");
                           }
                       });
                       if (o->json) {
                           for (const auto& r : runs) {
                               all.push_back(run_json(r));
                           }
                           cli::out_raw(all.dump() + "\n");
                       }
                       return any_error ? cli::exit_code(ErrorKind::check) : 0;
                   }};
});

struct RecordOpts {
    std::string suite;
    std::string metrics;
    std::string rev;
    bool json = false;
};

const bool reg_record = add_command([](CLI::App& app) {
    auto o = std::make_shared<RecordOpts>();
    auto* sub = app.add_subcommand("record", "record metrics produced elsewhere (a CI job, a notebook)");
    sub->add_option("suite", o->suite, "the suite the metrics belong to")->required();
    sub->add_option("--metrics", o->metrics, "a JSON or TOML file of metrics (and optional cases)")
        ->required();
    sub->add_option("--rev", o->rev, "the commit to record for (default HEAD)");
    sub->add_flag("--json", o->json, "print the recorded run as JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       eval::Run r = eval::record_metrics(repo, o->suite, o->metrics, o->rev);
                       if (o->json) {
                           cli::out_raw(run_json(r).dump() + "\n");
                       } else {
                           cli::out(term_escape(r.suite) + ": recorded run " + term_escape(r.id) +
                                    metrics_inline(r) + "\n");
                       }
                       return 0;
                   }};
});

struct ShowOpts {
    std::string rev = "HEAD";
    bool json = false;
};

const bool reg_show = add_command([](CLI::App& app) {
    auto o = std::make_shared<ShowOpts>();
    auto* sub = app.add_subcommand("show", "every eval run recorded on a commit");
    sub->add_option("rev", o->rev, "the commit (default HEAD)");
    sub->add_flag("--json", o->json, "print JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       git::Oid c = repo.commit_of(o->rev);
                       eval::NotesStore store(repo);
                       std::optional<eval::Note> note = store.read(c); // malformed: exit 2
                       if (note) {
                           eval::warn_future_runs(*note, c);
                       }
                       if (o->json) {
                           Json j = Json::object();
                           j["commit"] = c.hex();
                           Json runs = Json::array();
                           if (note) {
                               for (const auto& r : note->runs) {
                                   runs.push_back(run_json(r));
                               }
                           }
                           j["runs"] = runs;
                           cli::out_raw(j.dump() + "\n");
                           return 0;
                       }
                       if (!note || note->runs.empty()) {
                           cli::note("no eval results recorded on " + c.short_hex());
                           return 0;
                       }
                       std::string out = "commit " + c.hex() + "\n";
                       for (const auto& r : note->runs) {
                           out += "\n" + paint(term_escape(r.suite), Colour::bold) + "  " +
                                  term_escape(r.id) + "  " + term_escape(r.at) + "  " +
                                  (r.ok() ? paint("ok", Colour::green) : paint("error", Colour::red)) + "  " +
                                  duration(r.duration_s) + (r.by.empty() ? "" : "  by " + term_escape(r.by)) +
                                  "\n";
                           if (!r.reason.empty()) {
                               out += "  reason: " + term_escape(r.reason) + "\n";
                           }
                           if (!r.reused_from.empty()) {
                               out += "  reused from " + term_escape(r.reused_from) + "\n";
                           }
                           std::vector<std::vector<std::string>> rows;
                           for (const auto& [k, v] : r.metrics) {
                               rows.push_back({"  " + term_escape(k), eval::value_with_spread(r, k)});
                           }
                           out += format_table(rows);
                           if (!r.cases.empty()) {
                               out += "  cases: " + eval::cases_summary(r) + "\n";
                           }
                       }
                       cli::out(out);
                       return 0;
                   }};
});

} // namespace

} // namespace mlci::gate
