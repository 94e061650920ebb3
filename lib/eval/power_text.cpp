// `git gate power`: the run and the gate it speaks of, and its output, JSON and text (power_text.hpp).
#include "eval/power_text.hpp"

#include "eval/gates.hpp"
#include "eval/notes.hpp"
#include "eval/report.hpp"
#include "registry/revision.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace mlci::eval {

namespace {

std::string count_text(double v) {
    return std::isfinite(v) ? std::to_string(static_cast<uint64_t>(v)) : "no number";
}

Json metric_json(const MetricPower& m, const std::string& gate_name) {
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
        mj["gate"] = gate_name;
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
    return mj;
}

std::string metric_text(const MetricPower& m, const std::string& gate_name) {
    std::string out = "  " + term_escape(m.metric) + " " + value_text(m.value) + ": ";
    if (m.on_cases) {
        out += "the mean of " + std::to_string(m.units) + " cases × " + std::to_string(m.samples) +
               " sample" + (m.samples == 1 ? "" : "s") + ", paired noise per case " + value_text(m.sd) +
               (m.assumed ? " (assumed: one sample per case cannot measure it; "
                            "repeat > 1 does)"
                          : "") +
               "\n";
    } else {
        out += std::to_string(m.units) + " repeated values, sd " + value_text(m.sd) +
               " (Welch, as many on each side)\n";
    }
    out += "    smallest change detected: " + value_text(m.min_detectable) + "\n";
    if (!m.rule.empty()) {
        out += "    gate " + term_escape(gate_name) + " (" + term_escape(m.rule) + ", a change of " +
               value_text(m.rule_limit) + " allowed) fails a change of " + value_text(m.rule_detectable) +
               " or more\n";
    }
    if (m.drop) {
        out += "    to " + std::string(m.rule.empty() ? "detect " : "fail ") + value_text(*m.drop) + ": ";
        if (!std::isfinite(m.need_cases) && !std::isfinite(m.need_repeat)) {
            out += "never: it is within the rule's limit\n";
        } else if (m.on_cases) {
            out += "about " + count_text(m.need_cases) + " cases (now " + std::to_string(m.units) +
                   "), or repeat = " + count_text(m.need_repeat) + " (now " + std::to_string(m.samples) +
                   ")\n";
        } else {
            out += "repeat = " + count_text(m.need_repeat) + " (now " + std::to_string(m.units) + ")\n";
        }
    }
    return out;
}

} // namespace

Json power_json(const PowerReport& rep, const std::string& commit_hex, const std::string& gate_name) {
    Json j = Json::object();
    j["suite"] = rep.suite;
    j["commit"] = commit_hex;
    j["run"] = rep.run_id;
    j["confidence"] = rep.confidence;
    j["power"] = rep.power;
    Json ms = Json::array();
    for (const auto& m : rep.metrics) {
        ms.push_back(metric_json(m, gate_name));
    }
    j["metrics"] = ms;
    return j;
}

std::string power_text(const PowerReport& rep, const std::string& commit_short,
                       const std::string& gate_name) {
    char head[200];
    std::snprintf(head, sizeof head, " at %s (run %s): %.4g%% confidence, %.0f%% power\n",
                  commit_short.c_str(), term_escape(rep.run_id).c_str(), rep.confidence * 100,
                  rep.power * 100);
    std::string out = "suite " + term_escape(rep.suite) + head;
    for (const auto& m : rep.metrics) {
        out += metric_text(m, gate_name);
    }
    return out;
}

PowerAnswer power_answer(git::Repo& repo, const std::string& rev, const std::string& suite,
                         const std::string& drop) {
    PowerAnswer a;
    a.commit = registry::commit_of_rev(repo, rev);
    NotesStore store(repo);
    std::optional<Note> note = store.read(a.commit);
    const Run* run = note ? note->latest(suite) : nullptr;
    if (run == nullptr || !run->ok()) {
        throw input_error("no successful run of suite " + quoted(suite) + " on " + a.commit.short_hex(),
                          "git gate run " + shell_quote(suite) +
                              (rev == "HEAD" ? "" : " --rev " + a.commit.hex()));
    }
    std::optional<Gate> gate = gate_judging_suite(repo, a.commit, suite);
    double conf = gate ? gate->confidence : k_default_confidence;
    a.report = power_of(*run, conf, drop, gate ? gate->rules : std::vector<Rule>{});
    a.gate = gate ? gate->name : "";
    return a;
}

} // namespace mlci::eval
