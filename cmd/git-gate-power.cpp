// git gate power SUITE: the smallest change a suite can tell from noise, and what a given change needs
// (DESIGN.md section 5, Samples; lib/eval/power).
#include "common.hpp"
#include "eval/gates.hpp"
#include "eval/notes.hpp"
#include "eval/power.hpp"
#include "eval/power_text.hpp"
#include "git-gate.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <memory>

namespace mlci::gate {

namespace {

struct PowerOpts {
    std::string suite;
    std::string rev = "HEAD";
    std::string drop;
    bool json = false;
};

const bool reg_power = add_command([](CLI::App& app) {
    auto o = std::make_shared<PowerOpts>();
    auto* sub = app.add_subcommand(
        "power", "the smallest change a suite can tell from noise, and the cases or repeats a change needs");
    sub->add_option("suite", o->suite, "the suite")->required();
    sub->add_option("--rev", o->rev, "the commit whose latest run of the suite is measured (default HEAD)");
    sub->add_option("--drop", o->drop, "a change to detect: absolute (0.02) or relative (\"2%\")");
    sub->add_flag("--json", o->json, "print JSON");
    return Command{
        sub, [o] {
            git::Repo repo = open_repo();
            git::Oid c = repo.commit_of(o->rev);
            eval::NotesStore store(repo);
            std::optional<eval::Note> note = store.read(c);
            const eval::Run* run = note ? note->latest(o->suite) : nullptr;
            if (run == nullptr || !run->ok()) {
                throw input_error(
                    "no successful run of suite " + mlci::quoted(o->suite) + " on " + c.short_hex(),
                    "git gate run " + shell_quote(o->suite) + (o->rev == "HEAD" ? "" : " --rev " + c.hex()));
            }
            std::optional<eval::Gate> gate = eval::gate_judging_suite(repo, c, o->suite);
            double conf = gate ? gate->confidence : eval::k_default_confidence;
            eval::PowerReport rep =
                eval::power_of(*run, conf, o->drop, gate ? gate->rules : std::vector<eval::Rule>{});
            std::string gate_name = gate ? gate->name : "";
            if (o->json) {
                cli::out_raw(eval::power_json(rep, c.hex(), gate_name).dump() + "\n");
                return 0;
            }
            cli::out(eval::power_text(rep, c.short_hex(), gate_name));
            return 0;
        }};
});

} // namespace

} // namespace mlci::gate
