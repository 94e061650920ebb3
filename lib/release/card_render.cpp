// The two renderings of a card (card.hpp): GitHub-flavoured Markdown for a pull request or a release
// page, and JSON for a catalog. Every string from a tag, a note, a config or a file goes through
// md_escape in Markdown (one line, no element, no link, no code span, no cell break); mlci's own words do
// not. An unknown field is the word "unknown" in Markdown and null in JSON.
#include "release/card.hpp"

#include "eval/note.hpp"
#include "eval/report.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <cstdio>

namespace mlci::release {

namespace {

constexpr const char* k_unknown = "unknown";

std::string md(std::string_view s) {
    return md_escape(s);
}

std::string md_or_unknown(const std::optional<std::string>& s) {
    return s ? md(*s) : k_unknown;
}

std::string date_text(int64_t t) {
    return eval::format_utc(t);
}

// "Name \<email\>", with ", DATE" unless a column of the table holds the date already.
std::string actor_md(const CardActor& a, bool with_date = true) {
    std::string who = a.name.empty() ? k_unknown : md(a.name);
    if (!a.email.empty()) {
        who += " \\<" + md(a.email) + "\\>";
    }
    return with_date ? who + ", " + date_text(a.time) : who;
}

std::string share_text(const std::optional<int>& t) {
    return t ? std::to_string(*t) + " %" : "—";
}

std::string number(double v) {
    return eval::value_text(v);
}

std::string row(std::initializer_list<std::string> cells) {
    std::string out = "|";
    for (const auto& c : cells) {
        out += " " + c + " |";
    }
    return out + "\n";
}

std::string selected_md(const Card& c) {
    if (c.selected == "stage") {
        return "the version in " + md(c.selected_stage) + " (the last stage that holds one)";
    }
    if (c.selected == "latest") {
        return "the latest version (no stage holds one)";
    }
    return "the version asked for";
}

std::string holds_md(const Card& c) {
    std::vector<std::string> parts;
    for (const auto& h : c.holds) {
        parts.push_back(md(h.stage) + " (" + std::to_string(h.traffic) + " % of its traffic)");
    }
    return parts.empty() ? "none" : join(parts, ", ");
}

std::string facts_md(const Card& c) {
    bool model = c.kind == promote::Kind::model;
    std::string out = row({"field", "value"}) + "|---|---|\n";
    out += row({"name", md(c.name)});
    out += row({"version", md(c.version) + ", " + selected_md(c)});
    out += row({"tag", md(c.tag)});
    out += row({"commit", c.commit});
    out += row({"description", md_or_unknown(c.description)});
    out += row({"labels", c.labels ? md(join(*c.labels, ", ")) : k_unknown});
    out += row({model ? "pointer" : "file", md_or_unknown(c.path)});
    out += row({"hash", md_or_unknown(c.hash)});
    std::string size = c.size ? std::to_string(*c.size) + " bytes" : k_unknown;
    if (c.files) {
        size += " in " + std::to_string(*c.files) + " files";
    }
    out += row({"size", size});
    out += row({"registered by", c.registered ? actor_md(*c.registered) : k_unknown});
    out += row({"commit author", c.author ? actor_md(*c.author) : k_unknown});
    out += row({"stages now", holds_md(c)});
    return out;
}

std::string lineage_md(const Card& c) {
    std::string out = "## Lineage\n\n";
    if (!c.lineage_known) {
        return out +
               "unknown: the version's tag records no input (Mlci-Input) and no prompt (Mlci-Prompt).\n";
    }
    if (!c.inputs.empty()) {
        out += row({"input", "hash"}) + "|---|---|\n";
        for (const auto& in : c.inputs) {
            out += row({md(in.path), md(in.hash)});
        }
        out += "\n";
    }
    if (!c.prompts.empty()) {
        out += row({"prompt", "version"}) + "|---|---|\n";
        for (const auto& p : c.prompts) {
            out += row({md(p.name), md(p.version.empty() ? p.blob : p.version)});
        }
        out += "\n";
    }
    return out;
}

std::string interval_md(const CardMetric& m) {
    if (!m.interval) {
        return "none (a single value)";
    }
    return "[" + number(m.interval->lo) + ", " + number(m.interval->hi) + "] (" + m.interval->method +
           ", n " + std::to_string(m.interval->n) + ")";
}

std::string run_md(const CardRun& r, double confidence) {
    std::string out = "### " + md(r.suite) + "\n\n";
    out += "run " + md(r.id) + ": status " + md(r.status);
    if (!r.reason.empty()) {
        out += " (" + md(r.reason) + ")";
    }
    out += ", at " + (r.at.empty() ? k_unknown : md(r.at)) + " by " + (r.by.empty() ? k_unknown : md(r.by));
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.1f s", r.duration_s);
    out += ", " + std::string(dur);
    if (!r.reused_from.empty()) {
        out += ", reused from " + md(r.reused_from);
    }
    out += "\n\n";
    if (!r.metrics.empty()) {
        char head[64];
        std::snprintf(head, sizeof head, "%.4g %% interval", confidence * 100);
        out += row({"metric", "value", head}) + "|---|---|---|\n";
        for (const auto& m : r.metrics) {
            out += row({md(m.name), number(m.value), interval_md(m)});
        }
        out += "\n";
    }
    if (r.cases > 0) {
        out += "cases: " + std::to_string(r.passed) + " of " + std::to_string(r.cases) + " pass";
        if (!r.failing.empty()) {
            std::vector<std::string> ids;
            for (const auto& id : r.failing) {
                ids.push_back(md(id));
            }
            out += "; failing: " + join(ids, ", ");
            if (r.more_failing > 0) {
                out += " and " + std::to_string(r.more_failing) + " more";
            }
        }
        out += "\n\n";
    }
    return out;
}

std::string runs_md(const Card& c) {
    std::string out = "## Eval runs\n\n";
    if (c.notes_unreadable) {
        return out + "unknown: the eval note of " + c.commit.substr(0, 7) + " cannot be read.\n\n";
    }
    if (c.runs.empty()) {
        return out + "unknown: no eval run is recorded at " + c.commit.substr(0, 7) + ".\n\n";
    }
    for (const auto& r : c.runs) {
        out += run_md(r, c.confidence);
    }
    return out;
}

std::string gates_md(const Card& c) {
    std::string out = "## Gates\n\n";
    if (c.gates.empty()) {
        return out + "none: no stage tag on this version's commit records a gate (Mlci-Gate).\n\n";
    }
    out += row({"gate", "result", "evidence", "tag", "by"}) + "|---|---|---|---|---|\n";
    for (const auto& g : c.gates) {
        out += row({md(g.gate), md(g.result), g.verified ? "verified" : "claimed, not verified", md(g.tag),
                    actor_md(g.by)});
    }
    out += "\n";
    for (const auto& g : c.gates) {
        out += "- " + md(g.tag) + ": " + md(g.evidence_text) + "\n";
        for (const auto& l : g.lines) {
            out += "  - " + md(l) + "\n";
        }
    }
    return out + "\n";
}

std::string stages_md(const Card& c) {
    std::string out = "## Stage history\n\n";
    if (c.stages.empty()) {
        return out + "none: the version was never assigned to a stage.\n\n";
    }
    out += row({"date", "event", "stage", "traffic", "by", "tag"}) + "|---|---|---|---|---|---|\n";
    for (const auto& e : c.stages) {
        std::string share = share_text(e.traffic);
        if (e.traffic_invalid) {
            share += " (an invalid Mlci-Traffic was ignored)";
        }
        out += row({date_text(e.by.time), e.event, md(e.stage), share, actor_md(e.by, false), md(e.tag)});
    }
    return out + "\n";
}

std::string forced_md(const Card& c) {
    std::string out = "## Forced promotions\n\n";
    bool any = false;
    for (const auto& e : c.stages) {
        if (!e.forced.empty()) {
            out +=
                "- " + md(e.stage) + " (" + md(e.tag) + ") by " + actor_md(e.by) + ": " + md(e.forced) + "\n";
            any = true;
        }
    }
    return out + (any ? "" : "none.\n");
}

Json actor_json(const std::optional<CardActor>& a) {
    if (!a) {
        return nullptr;
    }
    Json j = Json::object();
    j["name"] = a->name.empty() ? Json(nullptr) : Json(a->name);
    j["email"] = a->email.empty() ? Json(nullptr) : Json(a->email);
    j["date"] = date_text(a->time);
    return j;
}

Json opt_json(const std::optional<std::string>& s) {
    return s ? Json(*s) : Json(nullptr);
}

Json run_json(const CardRun& r) {
    Json j = Json::object();
    j["suite"] = r.suite;
    j["id"] = r.id;
    j["status"] = r.status;
    j["reason"] = r.reason.empty() ? Json(nullptr) : Json(r.reason);
    j["at"] = r.at.empty() ? Json(nullptr) : Json(r.at);
    j["by"] = r.by.empty() ? Json(nullptr) : Json(r.by);
    j["duration_s"] = r.duration_s;
    j["reused_from"] = r.reused_from.empty() ? Json(nullptr) : Json(r.reused_from);
    Json ms = Json::array();
    for (const auto& m : r.metrics) {
        Json o = Json::object();
        o["name"] = m.name;
        o["value"] = m.value;
        if (m.interval) {
            Json iv = Json::object();
            iv["low"] = m.interval->lo;
            iv["high"] = m.interval->hi;
            iv["method"] = m.interval->method;
            iv["n"] = static_cast<uint64_t>(m.interval->n);
            o["interval"] = iv;
        } else {
            o["interval"] = nullptr;
        }
        ms.push_back(o);
    }
    j["metrics"] = ms;
    if (r.cases > 0) {
        Json cs = Json::object();
        cs["total"] = static_cast<uint64_t>(r.cases);
        cs["passed"] = static_cast<uint64_t>(r.passed);
        cs["failing"] = Json::strings(r.failing);
        cs["more_failing"] = static_cast<uint64_t>(r.more_failing);
        j["cases"] = cs;
    } else {
        j["cases"] = nullptr;
    }
    return j;
}

Json lineage_json(const Card& c) {
    if (!c.lineage_known) {
        return nullptr;
    }
    Json j = Json::object();
    Json ins = Json::array();
    for (const auto& in : c.inputs) {
        Json o = Json::object();
        o["path"] = in.path;
        o["hash"] = in.hash;
        ins.push_back(o);
    }
    j["inputs"] = ins;
    Json ps = Json::array();
    for (const auto& p : c.prompts) {
        Json o = Json::object();
        o["name"] = p.name;
        o["version"] = p.version.empty() ? Json(nullptr) : Json(p.version);
        o["blob"] = p.blob.empty() ? Json(nullptr) : Json(p.blob);
        ps.push_back(o);
    }
    j["prompts"] = ps;
    return j;
}

Json gates_json(const Card& c) {
    Json a = Json::array();
    for (const auto& g : c.gates) {
        Json o = Json::object();
        o["gate"] = g.gate;
        o["result"] = g.result;
        o["evidence"] = g.verified ? "verified" : "claimed";
        o["stage"] = g.stage;
        o["tag"] = g.tag;
        o["lines"] = Json::strings(g.lines);
        o["by"] = actor_json(g.by);
        a.push_back(o);
    }
    return a;
}

Json stages_json(const Card& c) {
    Json j = Json::object();
    Json now = Json::array();
    for (const auto& h : c.holds) {
        Json o = Json::object();
        o["stage"] = h.stage;
        o["traffic"] = h.traffic;
        now.push_back(o);
    }
    j["current"] = now;
    Json hist = Json::array();
    for (const auto& e : c.stages) {
        Json o = Json::object();
        o["event"] = e.event;
        o["stage"] = e.stage;
        o["traffic"] = e.traffic ? Json(*e.traffic) : Json(nullptr);
        o["forced"] = e.forced.empty() ? Json(nullptr) : Json(e.forced);
        o["tag"] = e.tag;
        o["summary"] = e.summary;
        o["by"] = actor_json(e.by);
        hist.push_back(o);
    }
    j["history"] = hist;
    return j;
}

} // namespace

std::string card_markdown(const Card& c) {
    std::string kind = c.kind == promote::Kind::model ? "Model" : "Prompt";
    std::string out = "# " + kind + " card: " + md(c.name) + " " + md(c.version) + "\n\n";
    out += facts_md(c) + "\n";
    out += lineage_md(c) + "\n";
    out += runs_md(c);
    out += gates_md(c);
    out += stages_md(c);
    out += forced_md(c);
    return out;
}

Json card_json(const Card& c) {
    Json j = Json::object();
    j["kind"] = promote::kind_word(c.kind);
    j["name"] = c.name;
    j["version"] = c.version;
    j["tag"] = c.tag;
    j["commit"] = c.commit;
    j["selected"] = c.selected;
    j["selected_stage"] = c.selected_stage.empty() ? Json(nullptr) : Json(c.selected_stage);
    j["description"] = opt_json(c.description);
    j["labels"] = c.labels ? Json::strings(*c.labels) : Json(nullptr);
    j["path"] = opt_json(c.path);
    j["hash"] = opt_json(c.hash);
    j["size"] = c.size ? Json(*c.size) : Json(nullptr);
    j["files"] = c.files ? Json(*c.files) : Json(nullptr);
    j["registered"] = actor_json(c.registered);
    j["author"] = actor_json(c.author);
    j["lineage"] = lineage_json(c);
    j["confidence"] = c.confidence;
    j["evals"] = c.notes_unreadable ? Json(nullptr) : Json::array();
    if (!c.notes_unreadable) {
        for (const auto& r : c.runs) {
            j["evals"].push_back(run_json(r));
        }
    }
    j["gates"] = gates_json(c);
    j["stages"] = stages_json(c);
    Json forced = Json::array();
    for (const auto& e : c.stages) {
        if (!e.forced.empty()) {
            Json o = Json::object();
            o["stage"] = e.stage;
            o["tag"] = e.tag;
            o["reason"] = e.forced;
            o["by"] = actor_json(e.by);
            forced.push_back(o);
        }
    }
    j["forced"] = forced;
    return j;
}

} // namespace mlci::release
