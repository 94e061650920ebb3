// The judgement, lines, tables and JSON of promote, rollback, stages and history (views.hpp), built from
// the plans of promote.hpp and a tool's Scope; cmd/cli_promote.cpp only prints them.
#include "promote/views.hpp"

#include "eval/gate_text.hpp"
#include "eval/notes.hpp"
#include "registry/traffic.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

namespace mlci::promote {

namespace {

Json text_or_null(const std::string& s) {
    return s.empty() ? Json() : Json(s);
}

Json share_or_null(const std::optional<int>& share) {
    return share ? Json(*share) : Json();
}

std::string percent(const std::optional<int>& share) {
    return std::to_string(share.value_or(registry::k_full_traffic)) + "%";
}

// The refusal of one plan: why, and what to run.
void refusal_of(const Plan& p, const std::string& stage, const Config& cfg, Kind kind,
                std::vector<Message>& out) {
    std::string what = p.entry.name + " " + p.entry.version.tag();
    if (!p.share_problem.empty()) {
        out.push_back({true, "refusing to " + std::string(p.widen ? "widen " : "promote ") + what +
                                 (p.widen ? " in " : " to ") + stage + " at " + percent(p.traffic) + ": " +
                                 p.share_problem});
        out.push_back({false, "narrow another stage first (promote STAGE " + p.entry.name +
                                  "@STAGE --traffic N), or promote without --traffic: a stage with no "
                                  "recorded share takes the rest"});
    }
    if (!p.order_problem.empty()) {
        out.push_back({true, "refusing to promote " + what + " to " + stage + ": " + p.order_problem});
        out.push_back({false, std::string("promote it first with: ") + tool_of(kind) + " promote " +
                                  cfg.stages[static_cast<size_t>(cfg.stage_index(stage) - 1)] + " " +
                                  p.entry.name + "@" + p.entry.version.tag()});
    }
    if (p.gate && p.gate->verdict == eval::Verdict::fail) {
        out.push_back(
            {true, "refusing to promote " + what + " to " + stage + ": gate '" + p.gate->gate + "' failed"});
    }
    if (p.gate && p.gate->verdict == eval::Verdict::undecided) {
        out.push_back({true, "cannot promote " + what + " to " + stage + ": gate '" + p.gate->gate +
                                 "' has no results for " + join(p.gate->missing, ", ") + " on " +
                                 p.entry.commit.short_hex()});
        for (const auto& c : eval::missing_commands(*p.gate, false)) {
            out.push_back({false, "run: " + c});
        }
    }
}

Colour event_colour(const std::string& event) {
    if (event == "promoted" || event == "registered") {
        return Colour::green;
    }
    if (event == "rolled-back") {
        return Colour::yellow;
    }
    return event == "unassigned" ? Colour::dim : Colour::red;
}

} // namespace

Json entry_json(const registry::VersionEntry& e) {
    return Json(Json::Object{{"version", e.version.tag()}, {"commit", e.commit.hex()}, {"tag", e.tag}});
}

Options promote_options(Kind kind, bool force, const std::string& reason, const std::string& message,
                        const std::string& baseline) {
    if (force && trim(reason).empty()) {
        throw usage_error("--force needs --reason TEXT", "the reason is recorded in the stage tag");
    }
    if (!force && !reason.empty()) {
        throw usage_error("--reason goes with --force", "without --force, use -m TEXT for a note in the tag");
    }
    Options opt;
    opt.force = force;
    opt.reason = reason;
    opt.message = message;
    opt.kind = kind_word(kind);
    opt.check.baseline_override = baseline;
    return opt;
}

std::optional<int> traffic_option(const std::optional<std::string>& text) {
    if (!text) {
        return std::nullopt;
    }
    auto share = registry::parse_traffic(*text);
    if (!share) {
        throw usage_error("invalid --traffic '" + *text + "': a share is a whole percent from 1 to 100",
                          "write --traffic 5 for a canary on 5% of the traffic");
    }
    return share;
}

Judged judge(Scope& s, const std::string& stage, const std::vector<std::string>& specs, const Options& opt) {
    s.check_stage(stage);
    Judged j;
    j.stage = stage;
    std::vector<registry::VersionEntry> entries = s.to_promote(stage, specs);
    if (entries.empty()) {
        return j;
    }
    eval::NotesStore notes(s.repo);
    for (const auto& e : entries) {
        j.plans.push_back(plan_promotion(s.repo, s.reg, s.cfg, notes, e, stage, opt));
    }
    for (const auto& p : j.plans) {
        if (p.already || p.allowed()) {
            continue;
        }
        if (j.worst == eval::Verdict::pass || p.verdict == eval::Verdict::fail) {
            j.worst = p.verdict;
        }
    }
    return j;
}

std::string nothing_to_promote(Kind kind, const std::string& stage) {
    return std::string("nothing to promote: the latest version of every ") + kind_word(kind) + " is in " +
           stage;
}

std::string gates_text(const Judged& j) {
    std::string out;
    for (const auto& p : j.plans) {
        if (p.gate) {
            out += eval::gate_text(*p.gate);
        }
    }
    return out;
}

std::vector<Message> refusals(const Judged& j, const Config& cfg, Kind kind) {
    std::vector<Message> out;
    if (j.worst == eval::Verdict::pass) {
        return out;
    }
    bool overridable = false;
    for (const auto& p : j.plans) {
        if (!p.allowed()) {
            refusal_of(p, j.stage, cfg, kind, out);
            overridable = overridable || p.share_problem.empty();
        }
    }
    out.push_back({false, overridable ? "nothing was written; to override: --force --reason TEXT"
                                      : "nothing was written"});
    return out;
}

Said promotion_said(const Judged& j, const Plan& p, const std::vector<std::string>& tags, bool dry_run,
                    const std::string& reason) {
    std::string what = term_escape(p.entry.name + " " + p.entry.version.tag());
    if (p.already) {
        return {"", what + " is already in " + j.stage +
                        (p.previous_traffic ? " at " + percent(p.previous_traffic) : "") + "\n"};
    }
    if (j.worst != eval::Verdict::pass) {
        return {};
    }
    if (p.widen) {
        std::string change = percent(p.previous_traffic) + " → " + percent(p.traffic);
        return {"", std::string(dry_run ? "would set " : "set ") + what + " in " + j.stage + " to " +
                        percent(p.traffic) + " of the traffic (" + change + ")" +
                        (dry_run ? "" : "\n  tags: " + term_escape(join(tags, " "))) + "\n"};
    }
    std::string at = p.traffic ? " at " + percent(p.traffic) : "";
    if (dry_run) {
        return {"", "would promote " + what + " to " + j.stage + at +
                        (p.displaced ? " (displacing " + p.displaced->version.tag() + ")" : "") +
                        (p.forced ? " — forced" : "") + "\n"};
    }
    Said said;
    if (!p.gate) {
        said.note = "no gate named '" + j.stage + "': promoted on the stages' order alone";
    }
    said.text = "promoted " + what + " to " + j.stage + at +
                (p.displaced ? " (displacing " + term_escape(p.displaced->version.tag()) + ")" : "") +
                (p.forced ? " — forced: " + term_escape(reason) : "") +
                "\n  tags: " + term_escape(join(tags, " ")) + "\n";
    return said;
}

Json promotion_json(const Judged& j, const Plan& p, const std::vector<std::string>& tags) {
    Json gate = p.gate ? eval::gate_json(*p.gate, eval::missing_commands(*p.gate, false)) : Json();
    return Json(Json::Object{{"name", p.entry.name},
                             {"stage", j.stage},
                             {"version", entry_json(p.entry)},
                             {"displaced", p.displaced ? entry_json(*p.displaced) : Json()},
                             {"already", p.already},
                             {"traffic", share_or_null(p.traffic)},
                             {"previous_traffic", share_or_null(p.previous_traffic)},
                             {"widened", p.widen},
                             {"allowed", p.allowed()},
                             {"forced", p.forced},
                             {"verdict", eval::verdict_name(p.verdict)},
                             {"order_problem", text_or_null(p.order_problem)},
                             {"gate", std::move(gate)},
                             {"tags", Json::strings(tags)}});
}

std::vector<RollbackPlan> plan_rollbacks(const Scope& s, const std::string& stage,
                                         const std::vector<std::string>& specs) {
    s.check_stage(stage);
    std::vector<RollbackPlan> plans;
    for (const auto& n : s.to_roll_back(stage, specs)) {
        plans.push_back(plan_rollback(s.reg, n, stage));
    }
    return plans;
}

std::string rollback_text(const RollbackPlan& p, const std::vector<std::string>& tags, bool dry_run) {
    return std::string(dry_run ? "would roll back " : "rolled back ") + term_escape(p.to.name) + " in " +
           term_escape(p.stage) + ": " + term_escape(p.from.version.tag()) + " → " +
           term_escape(p.to.version.tag()) + (p.traffic ? " at " + percent(p.traffic) : "") +
           (dry_run ? "" : "\n  tags: " + term_escape(join(tags, " "))) + "\n";
}

Json rollback_json(const RollbackPlan& p, const std::vector<std::string>& tags) {
    return Json(Json::Object{{"name", p.to.name},
                             {"stage", p.stage},
                             {"from", entry_json(p.from)},
                             {"to", entry_json(p.to)},
                             {"traffic", share_or_null(p.traffic)},
                             {"tags", Json::strings(tags)}});
}

std::string publish_hint(const std::vector<std::string>& tags) {
    if (tags.empty()) {
        return "";
    }
    std::string list;
    for (const auto& t : tags) {
        list += " '" + t + "'";
    }
    return "publish with: git push origin" + list + "   (or pass --push)";
}

std::string pushed_note(const std::string& remote, const std::vector<std::string>& tags) {
    if (remote.empty() || tags.empty()) {
        return "";
    }
    return "pushed " + std::to_string(tags.size()) + " tag" + (tags.size() == 1 ? "" : "s") + " to " + remote;
}

std::vector<NameStages> stages_of(const Scope& s, const std::string& name, bool all) {
    std::vector<std::string> names;
    if (!name.empty()) {
        std::string n = s.registered(name);
        if (!all) {
            s.reg.check_not_deprecated(n);
        }
        names.push_back(n);
    } else {
        names = s.names(all);
    }
    std::vector<NameStages> out;
    for (const auto& n : names) {
        auto dep = s.reg.deprecation(n);
        out.push_back({n, dep, s.stage_rows(n)});
    }
    return out;
}

Json stages_json(const std::vector<NameStages>& names, bool all, const RowExtra& extra) {
    Json arr = Json::array();
    for (const auto& ns : names) {
        Json j(Json::Object{{"name", ns.name}});
        if (all) {
            j["deprecated"] = ns.deprecated ? Json(ns.deprecated->tag) : Json();
        }
        Json js = Json::object();
        for (const auto& row : ns.rows) {
            Json e;
            if (row.current) {
                e = entry_json(*row.current);
                e["since"] = row.since;
                e["traffic"] = row.traffic;
                e["traffic_recorded"] = row.traffic_recorded;
                if (extra) {
                    extra(ns.name, row, e);
                }
            }
            js[row.stage] = std::move(e);
        }
        j["stages"] = std::move(js);
        arr.push_back(std::move(j));
    }
    return arr;
}

std::string stages_text(const std::vector<NameStages>& names, bool every_stage) {
    // The TRAFFIC column only once some share is recorded: without canaries every stage serves all.
    bool shares = false;
    for (const auto& ns : names) {
        for (const auto& row : ns.rows) {
            shares = shares || (row.current && row.traffic_recorded);
        }
    }
    std::vector<std::vector<std::string>> rows = {{"NAME", "STAGE", "VERSION", "COMMIT", "SINCE"}};
    if (shares) {
        rows.front().push_back("TRAFFIC");
    }
    for (const auto& ns : names) {
        std::string shown = term_escape(ns.name) + (ns.deprecated ? " (deprecated)" : "");
        for (const auto& row : ns.rows) {
            if (!row.current) {
                if (every_stage) {
                    rows.push_back({shown, term_escape(row.stage), "—", "", ""});
                    if (shares) {
                        rows.back().push_back("");
                    }
                }
                continue;
            }
            rows.push_back({shown, term_escape(row.stage),
                            paint(term_escape(row.current->version.tag()), Colour::yellow),
                            row.current->commit.short_hex(), row.since ? utc_minute(row.since) : ""});
            if (shares) {
                rows.back().push_back(std::to_string(row.traffic) + "%" +
                                      (row.traffic_recorded ? "" : " (rest)"));
            }
        }
    }
    return rows.size() > 1 ? format_table(rows) : "";
}

std::vector<HistoryEntry> history_of(Scope& s, const std::string& spec) {
    std::string n = s.registered(spec);
    eval::NotesStore notes(s.repo);
    return history(s.reg, n, &notes);
}

Json history_json(const std::vector<HistoryEntry>& hist) {
    Json arr = Json::array();
    for (const auto& h : hist) {
        arr.push_back(Json(Json::Object{{"time", h.time},
                                        {"event", h.event},
                                        {"version", text_or_null(h.version)},
                                        {"stage", text_or_null(h.stage)},
                                        {"tag", h.tag},
                                        {"commit", h.commit},
                                        {"tagger", h.tagger},
                                        {"summary", h.summary},
                                        {"gate", Json::strings(h.gate_lines)},
                                        {"evidence", text_or_null(h.evidence)},
                                        {"forced", text_or_null(h.forced)},
                                        {"traffic", share_or_null(h.traffic)}}));
    }
    return arr;
}

std::string history_text(const std::vector<HistoryEntry>& hist) {
    // Tag names, tagger names and trailers are anyone's text (tags by hand, by GTO): each escaped
    // (issue 12), so paint() is the only source of escape sequences here.
    std::string out;
    for (const auto& h : hist) {
        out += utc_minute(h.time) + "  " + paint(h.event, event_colour(h.event));
        if (!h.version.empty()) {
            out += " " + term_escape(h.version);
        }
        if (!h.stage.empty()) {
            out += (h.event == "unassigned" ? " from " : " to ") + term_escape(h.stage);
        }
        if (h.traffic) {
            out += " at " + percent(h.traffic);
        }
        out +=
            "  " + h.commit.substr(0, 7) + "  " + term_escape(h.tag) + "  (" + term_escape(h.tagger) + ")\n";
        if (!h.evidence.empty()) {
            out += "    evidence: " + h.evidence_text + "\n";
        }
        for (const auto& g : h.gate_lines) {
            out += "    gate: " + term_escape(g) + "\n";
        }
        if (!h.forced.empty()) {
            out += "    " + paint("forced", Colour::red) + ": " + term_escape(h.forced) + "\n";
        }
    }
    return out;
}

} // namespace mlci::promote
