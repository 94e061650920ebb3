// The text and JSON `git gate run`, `record` and `show` print about recorded runs (record_text.hpp).
#include "eval/record_text.hpp"

#include "eval/labels.hpp"
#include "eval/report.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <cstdio>

namespace mlci::eval {

namespace {

Json samples_json(const Samples& s) {
    Json o = Json::object();
    for (const auto& [k, v] : s) {
        Json a = Json::array();
        for (double x : v) {
            a.push_back(x);
        }
        o[k] = a;
    }
    return o;
}

std::string short_id(const std::string& hex) {
    return hex.substr(0, 7);
}

} // namespace

Json run_json(const Run& r) {
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
    if (!r.details.empty()) {
        Json d = Json::object();
        d["hash"] = r.details.hash;
        d["format"] = r.details.format;
        d["size"] = static_cast<int64_t>(r.details.size);
        j["details"] = d;
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
    if (!r.metric_samples.empty()) {
        j["metric_samples"] = samples_json(r.metric_samples);
    }
    if (!r.case_samples.empty()) {
        j["case_samples"] = samples_json(r.case_samples);
    }
    if (!r.clusters.empty()) {
        Json o = Json::object();
        for (const auto& [k, v] : r.clusters) {
            o[k] = v;
        }
        j["clusters"] = o;
    }
    if (!r.labels.empty()) {
        j["labels"] = case_labels_json(r.labels);
    }
    return j;
}

std::string metrics_inline(const Run& r) {
    std::string out;
    for (const auto& [k, v] : r.metrics) {
        out += "  " + term_escape(k) + "=" + value_with_spread(r, k);
    }
    return out;
}

std::string duration_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

std::string run_event_line(const RunEvent& e) {
    if (e.kind == RunEvent::Kind::start || e.run == nullptr) {
        return "";
    }
    const Run& r = *e.run;
    std::string suite = term_escape(e.suite);
    if (e.kind == RunEvent::Kind::reused) {
        std::string from = r.reused_from.empty() ? e.reused_commit : r.reused_from;
        return suite + ": reused " +
               (r.reused_from.empty() ? "(already recorded here)" : "from " + term_escape(short_id(from))) +
               ", same fingerprint" + metrics_inline(r) + "\n";
    }
    if (!e.not_recorded.empty()) {
        return suite +
               (r.ok() ? ": ok in " + duration_text(r.duration_s) + " (not recorded)" + metrics_inline(r)
                       : ": error: " + term_escape(r.reason) + " (not recorded)") +
               "\n";
    }
    if (r.ok()) {
        return suite + ": ok in " + duration_text(r.duration_s) + " (run " + term_escape(r.id) + ")" +
               metrics_inline(r) + "\n";
    }
    return suite + ": error: " + term_escape(r.reason) + " (recorded as run " + term_escape(r.id) + ")\n";
}

std::string recorded_line(const Run& r) {
    return term_escape(r.suite) + ": recorded run " + term_escape(r.id) + metrics_inline(r) + "\n";
}

Json show_json(const std::string& commit_hex, const std::vector<Run>& runs) {
    Json j = Json::object();
    j["commit"] = commit_hex;
    Json a = Json::array();
    for (const auto& r : runs) {
        a.push_back(run_json(r));
    }
    j["runs"] = a;
    return j;
}

std::string show_text(const std::string& commit_hex, const std::vector<Run>& runs) {
    std::string out = "commit " + commit_hex + "\n";
    for (const auto& r : runs) {
        out += "\n" + paint(term_escape(r.suite), Colour::bold) + "  " + term_escape(r.id) + "  " +
               term_escape(r.at) + "  " +
               (r.ok() ? paint("ok", Colour::green) : paint("error", Colour::red)) + "  " +
               duration_text(r.duration_s) + (r.by.empty() ? "" : "  by " + term_escape(r.by)) + "\n";
        if (!r.reason.empty()) {
            out += "  reason: " + term_escape(r.reason) + "\n";
        }
        if (!r.reused_from.empty()) {
            out += "  reused from " + term_escape(r.reused_from) + "\n";
        }
        if (!r.details.empty()) {
            out += "  details: " + term_escape(r.details.hash) + " (" + term_escape(r.details.format) + ", " +
                   human_size(r.details.size) + ")\n";
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& [k, v] : r.metrics) {
            rows.push_back({"  " + term_escape(k), value_with_spread(r, k)});
        }
        out += format_table(rows);
        if (!r.cases.empty()) {
            out += "  cases: " + cases_summary(r) + "\n";
        }
        for (const auto& line : labels_summary(r)) {
            out += "  label " + term_escape(line) + "\n";
        }
    }
    return out;
}

} // namespace mlci::eval
