// promote / rollback / stages / history for git-prompt and git-model. Parses, calls lib/promote and
// lib/registry, formats. Promotions are all-or-nothing: every named version is judged first, and when
// any is refused no tag is written.
#include "cli_promote.hpp"

#include "common.hpp"
#include "config/config.hpp"
#include "eval/gate_text.hpp"
#include "eval/notes.hpp"
#include "git/repo.hpp"
#include "promote/promote.hpp"
#include "promote/scope.hpp"
#include "registry/registry.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <memory>
#include <set>

namespace mlci::promote_cli {

namespace {

using promote::kind_word;
using promote::tool_of;
using Session = promote::Scope;

Json entry_json(const registry::VersionEntry& e) {
    Json j = Json::object();
    j["version"] = e.version.tag();
    j["commit"] = e.commit.hex();
    j["tag"] = e.tag;
    return j;
}

// Push the tags written to REMOTE. The tags are already created locally: a failed push loses nothing.
void push_tags(const std::string& remote, const std::vector<std::string>& tags) {
    promote::push_tags(remote, tags);
    if (!remote.empty() && !tags.empty()) {
        cli::note("pushed " + std::to_string(tags.size()) + " tag" + (tags.size() == 1 ? "" : "s") + " to " +
                  remote);
    }
}

// Why each refused promotion was refused, and what to run (error: and hint: lines).
void explain_refusals(const std::vector<promote::Plan>& plans, const std::string& stage, const Config& cfg,
                      Kind kind) {
    for (const auto& p : plans) {
        if (p.allowed()) {
            continue;
        }
        std::string what = p.entry.name + " " + p.entry.version.tag();
        if (!p.order_problem.empty()) {
            cli::error("refusing to promote " + what + " to " + stage + ": " + p.order_problem);
            cli::hint(std::string("promote it first with: ") + tool_of(kind) + " promote " +
                      cfg.stages[static_cast<size_t>(cfg.stage_index(stage) - 1)] + " " + p.entry.name + "@" +
                      p.entry.version.tag());
        }
        if (p.gate && p.gate->verdict == eval::Verdict::fail) {
            cli::error("refusing to promote " + what + " to " + stage + ": gate '" + p.gate->gate +
                       "' failed");
        }
        if (p.gate && p.gate->verdict == eval::Verdict::undecided) {
            cli::error("cannot promote " + what + " to " + stage + ": gate '" + p.gate->gate +
                       "' has no results for " + join(p.gate->missing, ", ") + " on " +
                       p.entry.commit.short_hex());
            for (const auto& c : eval::missing_commands(*p.gate, false)) {
                cli::hint("run: " + c);
            }
        }
    }
}

void tags_hint(const std::vector<std::string>& tags) {
    if (!tags.empty()) {
        // Quoted: '!' in an unassignment tag is history expansion in an interactive bash.
        std::string list;
        for (const auto& t : tags) {
            list += " '" + t + "'";
        }
        cli::hint("publish with: git push origin" + list + "   (or pass --push)");
    }
}

} // namespace

Commands::Commands(CLI::App& app, Kind kind) : m_kind(kind) {
    std::string what = kind_word(kind);
    std::string example = kind == Kind::prompt ? "NAME[@VERSION]" : "NAME[@VERSION]";

    m_promote = app.add_subcommand(
        "promote", "Assign a version to a stage after its gate passes (GTO-compatible stage tags)");
    m_promote->add_option("stage", m_stage, "stage, as listed in .mlci/config.toml (dev, staging, …)")
        ->required();
    m_promote->add_option("specs", m_specs,
                          example + "... (default: every " + what +
                              " whose latest version is not in the stage)");
    m_promote->add_flag("--force", m_force, "promote even when the gate or the stages' order says no");
    m_promote->add_option("--reason", m_reason, "why --force was needed (recorded in the tag)");
    m_promote->add_option("-m,--message", m_message, "text for the tag message");
    m_promote->add_option(
        "--baseline", m_baseline,
        "compare with this ref (default: the gate's baseline, else the version in the stage)");
    m_promote->add_flag("-n,--dry-run", m_dry_run, "judge and print, write no tag");
    m_promote->add_flag("--push", m_push, "push the new tags to the remote");
    m_promote->add_option("--remote", m_remote, "remote for --push (default: origin)");
    m_promote->add_flag("--json", m_json, "print the result as JSON");

    m_rollback =
        app.add_subcommand("rollback", "Re-assign the version that held a stage before the current one");
    m_rollback->add_option("stage", m_stage, "stage")->required();
    m_rollback->add_option("names", m_specs, "names (default: the only " + what + " in the stage)");
    m_rollback->add_option("--reason", m_reason, "why (recorded in the tag)");
    m_rollback->add_option("-m,--message", m_message, "text for the tag message");
    m_rollback->add_flag("-n,--dry-run", m_dry_run, "print what would be assigned, write no tag");
    m_rollback->add_flag("--push", m_push, "push the new tags to the remote");
    m_rollback->add_option("--remote", m_remote, "remote for --push (default: origin)");
    m_rollback->add_flag("--json", m_json, "print the result as JSON");

    m_stages = app.add_subcommand("stages", "The current version in each stage");
    m_stages->add_option("name", m_name, "one " + what + " (default: all)");
    m_stages->add_flag("--json", m_json, "print the result as JSON");
    m_stages->add_flag("--all", m_all,
                       "also deprecated " + what + "s (hidden otherwise, as GTO does), marked");

    m_history =
        app.add_subcommand("history", "Every version, assignment and unassignment, with the gate evidence");
    m_history->add_option("name", m_name, what + " name")->required();
    m_history->add_flag("--json", m_json, "print the result as JSON");
}

std::optional<int> Commands::run() {
    if (m_promote->parsed()) {
        return promote();
    }
    if (m_rollback->parsed()) {
        return rollback();
    }
    if (m_stages->parsed()) {
        return stages();
    }
    if (m_history->parsed()) {
        return history();
    }
    return std::nullopt;
}

int Commands::promote() {
    if (m_force && trim(m_reason).empty()) {
        throw usage_error("--force needs --reason TEXT", "the reason is recorded in the stage tag");
    }
    if (!m_force && !m_reason.empty()) {
        throw usage_error("--reason goes with --force", "without --force, use -m TEXT for a note in the tag");
    }
    auto s = Session::open(m_kind);
    s->check_stage(m_stage);
    std::vector<registry::VersionEntry> entries = s->to_promote(m_stage, m_specs);
    if (entries.empty()) {
        cli::note(std::string("nothing to promote: the latest version of every ") + kind_word(m_kind) +
                  " is in " + m_stage);
        if (m_json) {
            cli::out_raw(Json::array().dump());
        }
        return 0;
    }

    promote::Options opt;
    opt.force = m_force;
    opt.reason = m_reason;
    opt.message = m_message;
    opt.kind = kind_word(m_kind);
    opt.check.baseline_override = m_baseline;
    eval::NotesStore notes(s->repo);

    std::vector<promote::Plan> plans;
    for (const auto& e : entries) {
        plans.push_back(promote::plan_promotion(s->repo, s->reg, s->cfg, notes, e, m_stage, opt));
    }

    // Judge everything first; write only when every promotion is allowed.
    eval::Verdict worst = eval::Verdict::pass;
    for (const auto& p : plans) {
        if (p.gate && !m_json) {
            cli::out(eval::gate_text(*p.gate));
        }
        if (p.already || p.allowed()) {
            continue;
        }
        if (worst == eval::Verdict::pass || p.verdict == eval::Verdict::fail) {
            worst = p.verdict;
        }
    }
    if (worst != eval::Verdict::pass && !m_json) {
        explain_refusals(plans, m_stage, s->cfg, m_kind);
        cli::hint("nothing was written; to override: --force --reason TEXT");
    }

    std::vector<std::string> written;
    Json arr = Json::array();
    for (const auto& p : plans) {
        std::vector<std::string> tags;
        if (worst == eval::Verdict::pass && !m_dry_run) {
            tags = promote::apply_promotion(s->repo, s->reg, p, opt);
        }
        written.insert(written.end(), tags.begin(), tags.end());
        std::string what = p.entry.name + " " + p.entry.version.tag();
        if (m_json) {
            Json j = Json::object();
            j["name"] = p.entry.name;
            j["stage"] = m_stage;
            j["version"] = entry_json(p.entry);
            j["displaced"] = p.displaced ? entry_json(*p.displaced) : Json();
            j["already"] = p.already;
            j["allowed"] = p.allowed();
            j["forced"] = p.forced;
            j["verdict"] = eval::verdict_name(p.verdict);
            j["order_problem"] = p.order_problem.empty() ? Json() : Json(p.order_problem);
            j["gate"] = p.gate ? eval::gate_json(*p.gate, eval::missing_commands(*p.gate, false)) : Json();
            Json tj = Json::array();
            for (const auto& t : tags) {
                tj.push_back(Json(t));
            }
            j["tags"] = tj;
            arr.push_back(j);
            continue;
        }
        what = term_escape(what);
        if (p.already) {
            cli::out(what + " is already in " + m_stage + "\n");
        } else if (worst != eval::Verdict::pass) {
            continue;
        } else if (m_dry_run) {
            cli::out("would promote " + what + " to " + m_stage +
                     (p.displaced ? " (displacing " + p.displaced->version.tag() + ")" : "") +
                     (p.forced ? " — forced" : "") + "\n");
        } else {
            if (!p.gate) {
                cli::note("no gate named '" + m_stage + "': promoted on the stages' order alone");
            }
            cli::out("promoted " + what + " to " + m_stage +
                     (p.displaced ? " (displacing " + term_escape(p.displaced->version.tag()) + ")" : "") +
                     (p.forced ? " — forced: " + term_escape(m_reason) : "") +
                     "\n  tags: " + term_escape(join(tags, " ")) + "\n");
        }
    }
    if (m_json) {
        cli::out_raw(arr.dump());
    }
    if (worst == eval::Verdict::pass && !m_dry_run) {
        if (m_push) {
            push_tags(m_remote, written);
        } else if (!m_json) {
            tags_hint(written);
        }
    }
    return cli::exit_code(worst);
}

int Commands::rollback() {
    auto s = Session::open(m_kind);
    s->check_stage(m_stage);
    std::vector<std::string> names = s->to_roll_back(m_stage, m_specs);
    std::vector<promote::RollbackPlan> plans;
    for (const auto& n : names) {
        plans.push_back(promote::plan_rollback(s->reg, n, m_stage));
    }
    promote::Options opt;
    opt.reason = m_reason;
    opt.message = m_message;
    opt.kind = kind_word(m_kind);
    std::vector<std::string> written;
    Json arr = Json::array();
    for (const auto& p : plans) {
        std::vector<std::string> tags;
        if (!m_dry_run) {
            tags = promote::apply_rollback(s->repo, s->reg, p, opt);
        }
        written.insert(written.end(), tags.begin(), tags.end());
        if (m_json) {
            Json j = Json::object();
            j["name"] = p.to.name;
            j["stage"] = p.stage;
            j["from"] = entry_json(p.from);
            j["to"] = entry_json(p.to);
            Json tj = Json::array();
            for (const auto& t : tags) {
                tj.push_back(Json(t));
            }
            j["tags"] = tj;
            arr.push_back(j);
        } else {
            cli::out(std::string(m_dry_run ? "would roll back " : "rolled back ") + term_escape(p.to.name) +
                     " in " + term_escape(p.stage) + ": " + term_escape(p.from.version.tag()) + " → " +
                     term_escape(p.to.version.tag()) +
                     (m_dry_run ? "" : "\n  tags: " + term_escape(join(tags, " "))) + "\n");
        }
    }
    if (m_json) {
        cli::out_raw(arr.dump());
    }
    if (!m_dry_run) {
        if (m_push) {
            push_tags(m_remote, written);
        } else if (!m_json) {
            tags_hint(written);
        }
    }
    return 0;
}

int Commands::stages() {
    auto s = Session::open(m_kind);
    std::vector<std::string> names;
    if (!m_name.empty()) {
        std::string n = s->registered(m_name);
        if (!m_all) {
            s->reg.check_not_deprecated(n);
        }
        names.push_back(n);
    } else {
        names = s->names(m_all);
    }
    std::vector<std::vector<std::string>> rows = {{"NAME", "STAGE", "VERSION", "COMMIT", "SINCE"}};
    Json arr = Json::array();
    for (const auto& n : names) {
        auto dep = s->reg.deprecation(n);
        std::string shown = term_escape(n) + (dep ? " (deprecated)" : "");
        Json j = Json::object();
        j["name"] = n;
        if (m_all) {
            j["deprecated"] = dep ? Json(dep->tag) : Json();
        }
        Json js = Json::object();
        for (const auto& row : s->stage_rows(n)) {
            if (!row.current) {
                if (!m_name.empty()) {
                    rows.push_back({shown, term_escape(row.stage), "—", "", ""});
                }
                js[row.stage] = Json();
                continue;
            }
            rows.push_back({shown, term_escape(row.stage),
                            paint(term_escape(row.current->version.tag()), Colour::yellow),
                            row.current->commit.short_hex(), row.since ? utc_minute(row.since) : ""});
            Json e = entry_json(*row.current);
            e["since"] = row.since;
            js[row.stage] = e;
        }
        j["stages"] = js;
        arr.push_back(j);
    }
    if (m_json) {
        cli::out_raw(arr.dump());
    } else if (rows.size() > 1) {
        cli::out(format_table(rows));
    } else {
        cli::note(std::string("no ") + kind_word(m_kind) + " is in any stage");
    }
    return 0;
}

int Commands::history() {
    auto s = Session::open(m_kind);
    std::string n = s->registered(m_name);
    eval::NotesStore notes(s->repo);
    auto hist = promote::history(s->reg, n, &notes);
    if (m_json) {
        Json arr = Json::array();
        for (const auto& h : hist) {
            Json j = Json::object();
            j["time"] = h.time;
            j["event"] = h.event;
            j["version"] = h.version.empty() ? Json() : Json(h.version);
            j["stage"] = h.stage.empty() ? Json() : Json(h.stage);
            j["tag"] = h.tag;
            j["commit"] = h.commit;
            j["tagger"] = h.tagger;
            j["summary"] = h.summary;
            Json g = Json::array();
            for (const auto& l : h.gate_lines) {
                g.push_back(Json(l));
            }
            j["gate"] = g;
            j["evidence"] = h.evidence.empty() ? Json() : Json(h.evidence);
            j["forced"] = h.forced.empty() ? Json() : Json(h.forced);
            arr.push_back(j);
        }
        cli::out_raw(arr.dump());
        return 0;
    }
    // Tag names, tagger names and trailers are anyone's text (tags by hand, by GTO): each escaped
    // (issue 12), so paint() is the only source of escape sequences here.
    std::string out;
    for (const auto& h : hist) {
        Colour c = h.event == "promoted" || h.event == "registered" ? Colour::green
                   : h.event == "rolled-back"                       ? Colour::yellow
                   : h.event == "unassigned"                        ? Colour::dim
                                                                    : Colour::red;
        std::string line = utc_minute(h.time) + "  " + paint(h.event, c);
        if (!h.version.empty()) {
            line += " " + term_escape(h.version);
        }
        if (!h.stage.empty()) {
            line += (h.event == "unassigned" ? " from " : " to ") + term_escape(h.stage);
        }
        line +=
            "  " + h.commit.substr(0, 7) + "  " + term_escape(h.tag) + "  (" + term_escape(h.tagger) + ")\n";
        out += line;
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
    cli::out(out);
    return 0;
}

} // namespace mlci::promote_cli
