// git gate init | run | record | show: producing and reading eval results.
#include "common.hpp"
#include "eval/formats.hpp"
#include "eval/init.hpp"
#include "eval/notes.hpp"
#include "eval/record_text.hpp"
#include "eval/runner.hpp"
#include "git-gate.hpp"
#include "registry/revision.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <memory>

namespace mlci::gate {

namespace {

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

const bool reg_run = add_command([](CLI::App& app) {
    auto [sub, o] = subcommand(app, "run", "run eval suites and record their results in the commit's note");
    o->rev.clear(); // the work tree
    sub->add_option("suite", o->suites, "suites to run (default: every suite in .mlci/gates.toml)");
    sub->add_option("--rev", o->rev, "record for this commit, running in a temporary checkout of it");
    sub->add_flag("--force", o->force, "run even when a result with the same fingerprint exists");
    sub->add_flag("--dirty", o->dirty,
                  "run on the work tree with uncommitted inputs as it is, and record nothing");
    sub->add_flag("--json", o->json, "print the recorded runs as JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       eval::RunRequest req{o->suites, o->rev, o->force, o->dirty};
                       bool any_error = false;
                       auto runs = eval::run_suites(repo, req, [&](const eval::RunEvent& e) {
                           if (e.kind == eval::RunEvent::Kind::start) {
                               cli::note("running suite '" + term_escape(e.suite) + "' on " +
                                         short_id(e.reused_commit) + "…");
                               return;
                           }
                           if (!e.run->ok()) {
                               any_error = true;
                           }
                           if (!e.not_recorded.empty()) {
                               cli::note("suite '" + e.suite + "': not recorded: " + e.not_recorded);
                           }
                           if (!o->json) {
                               cli::out(eval::run_event_line(e));
                           }
                       });
                       if (o->json) {
                           Json all = Json::array();
                           for (const auto& r : runs) {
                               all.push_back(eval::run_json(r));
                           }
                           cli::out_raw(all.dump() + "\n");
                       }
                       return any_error ? cli::exit_code(ErrorKind::check) : 0;
                   }};
});

const bool reg_record = add_command([](CLI::App& app) {
    auto [sub, o] =
        subcommand(app, "record", "record metrics produced elsewhere (a CI job, a notebook, an eval tool)");
    o->rev.clear(); // HEAD
    auto from = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    sub->add_option("suite", o->suite, "the suite the metrics belong to")->required();
    sub->add_option("file", *file, "with --from: the results file (for lm-eval, its file or output folder)");
    sub->add_option("--metrics", o->metrics, "a JSON or TOML file of metrics (and optional cases)");
    sub->add_option("--from", *from, "the results file's format: mlci, promptfoo, junit, lm-eval");
    sub->add_option("--rev", o->rev, "the commit to record for (default HEAD)");
    sub->add_option("--details", o->details,
                    "the full results file, stored as the run's details object (why each case failed); with "
                    "--from, FILE itself unless this names another");
    sub->add_flag("--json", o->json, "print the recorded run as JSON");
    return Command{sub, [o, from, file] {
                       if (!from->empty() && !o->metrics.empty()) {
                           throw usage_error("--from and --metrics exclude each other",
                                             "--metrics FILE is --from mlci FILE");
                       }
                       if (!from->empty() && file->empty()) {
                           throw usage_error("--from " + *from + " needs the results FILE");
                       }
                       if (from->empty() && !file->empty()) {
                           throw usage_error("a results file " + mlci::quoted(*file) + " needs --from FORMAT",
                                             "formats: mlci, promptfoo, junit, lm-eval");
                       }
                       if (from->empty() && o->metrics.empty()) {
                           throw usage_error("nothing to record: give --from FORMAT FILE or --metrics FILE");
                       }
                       if (!from->empty()) {
                           eval::check_format(*from, "--from");
                       }
                       git::Repo repo = open_repo();
                       // --details FILE: in mlci's own format with --metrics, in the --from format with
                       // --from (e.g. one samples file of an lm-eval folder); --from FILE is its own
                       // otherwise.
                       eval::Run r = from->empty() ? eval::record_metrics(repo, o->suite, o->metrics, o->rev,
                                                                          o->details, o->details_format)
                                                   : eval::record_results(repo, o->suite, *from, *file,
                                                                          o->rev, o->details, *from);
                       if (o->json) {
                           cli::out_raw(eval::run_json(r).dump() + "\n");
                       } else {
                           cli::out(eval::recorded_line(r));
                       }
                       return 0;
                   }};
});

const bool reg_show = add_command([](CLI::App& app) {
    auto [sub, o] = subcommand(app, "show", "every eval run recorded on a commit");
    sub->add_option("rev", o->rev, "the commit (default HEAD)");
    sub->add_flag("--json", o->json, "print JSON");
    return Command{sub, [o] {
                       git::Repo repo = open_repo();
                       git::Oid c = registry::commit_of_rev(repo, o->rev);
                       eval::NotesStore store(repo);
                       std::optional<eval::Note> note = store.read(c); // malformed: exit 2
                       if (note) {
                           eval::warn_future_runs(*note, c);
                       }
                       std::vector<eval::Run> none;
                       const std::vector<eval::Run>& runs = note ? note->runs : none;
                       if (o->json) {
                           cli::out_raw(eval::show_json(c.hex(), runs).dump() + "\n");
                           return 0;
                       }
                       if (runs.empty()) {
                           cli::note("no eval results recorded on " + c.short_hex());
                           return 0;
                       }
                       cli::out(eval::show_text(c.hex(), runs));
                       return 0;
                   }};
});

} // namespace

} // namespace mlci::gate
