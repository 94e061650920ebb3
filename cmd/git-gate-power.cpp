// git gate power SUITE: the smallest change a suite can tell from noise, and what a given change needs
// (DESIGN.md section 5, Samples; lib/eval/power).
#include "common.hpp"
#include "eval/power_text.hpp"
#include "git-gate.hpp"

#include <memory>

namespace mlci::gate {

namespace {

const bool reg_power = add_subcommand(
    "power", "the smallest change a suite can tell from noise, and the cases or repeats a change needs",
    [](CLI::App& sub, Opts& o) {
        sub.add_option("suite", o.suite, "the suite")->required();
        sub.add_option("--rev", o.rev, "the commit whose latest run of the suite is measured (default HEAD)");
        sub.add_option("--drop", o.drop, "a change to detect: absolute (0.02) or relative (\"2%\")");
        sub.add_flag("--json", o.json, "print JSON");
    },
    [](git::Repo& repo, const Opts& o) {
        auto a = eval::power_answer(repo, o.rev, o.suite, o.drop);
        if (o.json) {
            cli::out_raw(eval::power_json(a.report, a.commit.hex(), a.gate).dump() + "\n");
        } else {
            cli::out(eval::power_text(a.report, a.commit.short_hex(), a.gate));
        }
        return 0;
    });

} // namespace

} // namespace mlci::gate
