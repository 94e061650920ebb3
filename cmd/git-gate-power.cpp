// git gate power SUITE: the smallest change a suite can tell from noise, and what a given change needs
// (DESIGN.md section 5, Samples; lib/eval/power).
#include "common.hpp"
#include "eval/gates.hpp"
#include "eval/notes.hpp"
#include "eval/power.hpp"
#include "eval/report.hpp"
#include "git-gate.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cmath>
#include <memory>

namespace mlci::gate {

namespace {

struct PowerOpts {
    std::string suite;
    std::string rev = "HEAD";
    std::string drop;
    bool json = false;
};

// The first gate that judges the suite (its verdicts are the ones power speaks of): the working tree's
// gates, else those committed at `commit`; none → the default confidence and no rules.
std::optional<eval::Gate> gate_for(const git::Repo& repo, const git::Oid& commit, const std::string& suite) {
    std::optional<eval::Gates> gates;
    if (!repo.is_bare()) {
        try {
            gates = eval::load_gates(repo.workdir());
        } catch (const Error&) {
        }
    }
    if (!gates) {
        gates = eval::load_gates_at(repo, commit);
    }
    if (gates) {
        for (const auto& g : gates->gates) {
            if (std::find(g.suites.begin(), g.suites.end(), suite) != g.suites.end()) {
                return g;
            }
        }
    }
    return std::nullopt;
}

std::string count_text(double v) {
    return std::isfinite(v) ? std::to_string(static_cast<uint64_t>(v)) : "no number";
}

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
            std::optional<eval::Gate> gate = gate_for(repo, c, o->suite);
            double conf = gate ? gate->confidence : eval::k_default_confidence;
            eval::PowerReport rep =
                eval::power_of(*run, conf, o->drop, gate ? gate->rules : std::vector<eval::Rule>{});
            if (o->json) {
                Json j = Json::object();
                j["suite"] = rep.suite;
                j["commit"] = c.hex();
                j["run"] = rep.run_id;
                j["confidence"] = rep.confidence;
                j["power"] = rep.power;
                Json ms = Json::array();
                for (const auto& m : rep.metrics) {
                    Json mj = Json::object();
                    mj["metric"] = m.metric;
                    mj["value"] = m.value;
                    mj["on_cases"] = m.on_cases;
                    mj[m.on_cases ? "cases" : "repeats"] = static_cast<uint64_t>(m.units);
                    if (m.on_cases) {
                        mj["samples_per_case"] = static_cast<uint64_t>(m.samples);
                        mj["noise_assumed"] = m.assumed;
                    }
                    mj["sd"] = m.sd;
                    mj["min_detectable"] = m.min_detectable;
                    if (!m.rule.empty()) {
                        mj["gate"] = gate->name;
                        mj["rule"] = m.rule;
                        mj["rule_limit"] = m.rule_limit;
                        mj["rule_detectable"] = m.rule_detectable;
                    }
                    if (m.drop) {
                        mj["drop"] = *m.drop;
                        if (m.on_cases) {
                            mj["need_cases"] = std::isfinite(m.need_cases) ? Json(m.need_cases) : Json();
                        }
                        mj["need_repeat"] = std::isfinite(m.need_repeat) ? Json(m.need_repeat) : Json();
                    }
                    ms.push_back(mj);
                }
                j["metrics"] = ms;
                cli::out_raw(j.dump() + "\n");
                return 0;
            }
            char head[200];
            std::snprintf(head, sizeof head, " at %s (run %s): %.4g%% confidence, %.0f%% power\n",
                          c.short_hex().c_str(), term_escape(rep.run_id).c_str(), conf * 100,
                          rep.power * 100);
            std::string out = "suite " + term_escape(rep.suite) + head;
            for (const auto& m : rep.metrics) {
                out += "  " + term_escape(m.metric) + " " + eval::value_text(m.value) + ": ";
                if (m.on_cases) {
                    out += "the mean of " + std::to_string(m.units) + " cases × " +
                           std::to_string(m.samples) + " sample" + (m.samples == 1 ? "" : "s") +
                           ", paired noise per case " + eval::value_text(m.sd) +
                           (m.assumed ? " (assumed: one sample per case cannot measure it; "
                                        "repeat > 1 does)"
                                      : "") +
                           "\n";
                } else {
                    out += std::to_string(m.units) + " repeated values, sd " + eval::value_text(m.sd) +
                           " (Welch, as many on each side)\n";
                }
                out += "    smallest change detected: " + eval::value_text(m.min_detectable) + "\n";
                if (!m.rule.empty()) {
                    out += "    gate " + term_escape(gate->name) + " (" + term_escape(m.rule) +
                           ", a change of " + eval::value_text(m.rule_limit) +
                           " allowed) fails a change of " + eval::value_text(m.rule_detectable) +
                           " or more\n";
                }
                if (m.drop) {
                    out += "    to " + std::string(m.rule.empty() ? "detect " : "fail ") +
                           eval::value_text(*m.drop) + ": ";
                    if (!std::isfinite(m.need_cases) && !std::isfinite(m.need_repeat)) {
                        out += "never: it is within the rule's limit\n";
                    } else if (m.on_cases) {
                        out += "about " + count_text(m.need_cases) + " cases (now " +
                               std::to_string(m.units) + "), or repeat = " + count_text(m.need_repeat) +
                               " (now " + std::to_string(m.samples) + ")\n";
                    } else {
                        out += "repeat = " + count_text(m.need_repeat) + " (now " + std::to_string(m.units) +
                               ")\n";
                    }
                }
            }
            cli::out(out);
            return 0;
        }};
});

} // namespace

} // namespace mlci::gate
