// promote / rollback / stages / history for git-prompt and git-model. Parses, calls lib/promote and
// lib/registry, formats. Promotions are all-or-nothing: every named version is judged first, and when
// any is refused no tag is written.
#include "cli_promote.hpp"

#include "cli_gate_text.hpp"
#include "common.hpp"
#include "config/config.hpp"
#include "eval/notes.hpp"
#include "git/repo.hpp"
#include "hooks/gitcli.hpp"
#include "promote/promote.hpp"
#include "prompt/catalog.hpp"
#include "registry/registry.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <memory>
#include <set>

namespace mlci::promote_cli {

namespace {

const char* kind_word(Kind k) {
    return k == Kind::prompt ? "prompt" : "model";
}

const char* tool_of(Kind k) {
    return k == Kind::prompt ? "git prompt" : "git model";
}

struct Session {
    git::Repo repo;
    Config cfg;
    registry::Registry reg;
    Kind kind;
    mutable std::unique_ptr<prompt::Catalog> catalog; // made on first use

    static std::unique_ptr<Session> open(Kind kind) {
        auto repo = git::Repo::open(".");
        Config cfg = repo.is_bare() ? Config{} : load_config(repo.workdir(), repo.common_dir());
        auto s = std::unique_ptr<Session>(new Session{std::move(repo), std::move(cfg), {}, kind, nullptr});
        s->reg = registry::Registry::load(s->repo);
        return s;
    }

    // A registered NAME is of the kind its tags record (Mlci-Kind); names from other tools (GTO) are
    // prompts when a prompt file of that name exists, models otherwise.
    bool is_mine(const std::string& name) const {
        std::string recorded = promote::recorded_kind(reg, name);
        if (!recorded.empty()) {
            return recorded == kind_word(kind);
        }
        bool prompt_file = false;
        if (!repo.is_bare()) {
            if (!catalog) {
                catalog = std::make_unique<prompt::Catalog>(const_cast<git::Repo&>(repo), cfg);
            }
            prompt_file = catalog->is_prompt(name);
        }
        return (kind == Kind::prompt) == prompt_file;
    }

    // Names of this kind; deprecated ones (hidden by GTO) only when `with_deprecated`.
    std::vector<std::string> my_names(bool with_deprecated = false) const {
        std::vector<std::string> out;
        for (const auto& n : reg.names()) {
            if (is_mine(n) && (with_deprecated || !reg.deprecation(n))) {
                out.push_back(n);
            }
        }
        return out;
    }

    // NAME of a spec, checked to be of this command's kind.
    std::string name_of(const std::string& spec) const {
        std::string name = spec.substr(0, spec.find_first_of("@#"));
        if (reg.has(name) && !is_mine(name)) {
            const char* other = kind == Kind::prompt ? "git model" : "git prompt";
            throw usage_error("'" + name + "' is not a " + kind_word(kind),
                              std::string("use: ") + other + " " + "promote …");
        }
        return name;
    }

    std::string stage_order_hint() const { return join(cfg.stages, " → "); }
};

void check_stage(const Session& s, const std::string& stage) {
    if (s.cfg.stage_index(stage) < 0) {
        throw usage_error("unknown stage '" + stage + "' (stages: " + join(s.cfg.stages, ", ") + ")",
                          "list the stages in order in .mlci/config.toml: stages = [\"dev\", \"staging\", "
                          "\"production\"]");
    }
}

Json entry_json(const registry::VersionEntry& e) {
    Json j = Json::object();
    j["version"] = e.version.tag();
    j["commit"] = e.commit.hex();
    j["tag"] = e.tag;
    return j;
}

// Push the tags written to REMOTE. The tags are already created locally: a failed push loses nothing.
void push_tags(const std::string& remote, const std::vector<std::string>& tags) {
    if (remote.empty() || tags.empty()) {
        return;
    }
    std::vector<std::string> args = {"push", "--quiet", remote};
    for (const auto& t : tags) {
        args.push_back("refs/tags/" + t);
    }
    auto r = hooks::run_git(args);
    if (!r.ok()) {
        std::string err(trim(r.err));
        throw io_error("pushing the tags to " + mlci::quoted(remote) + " failed" +
                           (err.empty() ? "" : ": " + err),
                       "the tags exist locally; push them with: git push " + remote + " " + join(tags, " "));
    }
    cli::note("pushed " + std::to_string(tags.size()) + " tag" + (tags.size() == 1 ? "" : "s") + " to " +
              remote);
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
    check_stage(*s, m_stage);

    std::vector<registry::VersionEntry> entries;
    if (m_specs.empty()) {
        for (const auto& n : s->my_names()) {
            auto latest = s->reg.latest(n);
            auto cur = s->reg.current(n, m_stage);
            if (latest && !(cur && cur->commit == latest->commit)) {
                entries.push_back(*latest);
            }
        }
        if (entries.empty()) {
            if (s->my_names().empty() && !s->my_names(true).empty()) {
                throw input_error(std::string("every ") + kind_word(m_kind) +
                                      " with a registered version is deprecated: nothing to promote",
                                  "see them with: " + std::string(tool_of(m_kind)) + " stages --all");
            }
            if (s->my_names().empty()) {
                throw input_error(std::string("no ") + kind_word(m_kind) + " has a registered version",
                                  std::string("create one with: ") + tool_of(m_kind) + " bump" +
                                      (m_kind == Kind::model ? " NAME" : ""));
            }
            cli::note(std::string("nothing to promote: the latest version of every ") + kind_word(m_kind) +
                      " is in " + m_stage);
            if (m_json) {
                cli::out_raw(Json::array().dump());
            }
            return 0;
        }
    } else {
        std::set<std::string> seen;
        for (const auto& spec : m_specs) {
            std::string name = s->name_of(spec);
            if (!seen.insert(name).second) {
                throw usage_error("'" + name + "' is named twice");
            }
            entries.push_back(s->reg.resolve(spec, s->cfg));
        }
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
            cli::out(gate::gate_text(*p.gate));
        }
        if (p.already || p.allowed()) {
            continue;
        }
        if (worst == eval::Verdict::pass || p.verdict == eval::Verdict::fail) {
            worst = p.verdict;
        }
    }
    if (worst != eval::Verdict::pass && !m_json) {
        for (const auto& p : plans) {
            if (p.allowed()) {
                continue;
            }
            std::string what = p.entry.name + " " + p.entry.version.tag();
            if (!p.order_problem.empty()) {
                cli::error("refusing to promote " + what + " to " + m_stage + ": " + p.order_problem);
                cli::hint(std::string("promote it first with: ") + tool_of(m_kind) + " promote " +
                          s->cfg.stages[static_cast<size_t>(s->cfg.stage_index(m_stage) - 1)] + " " +
                          p.entry.name + "@" + p.entry.version.tag());
            }
            if (p.gate && p.gate->verdict == eval::Verdict::fail) {
                cli::error("refusing to promote " + what + " to " + m_stage + ": gate '" + p.gate->gate +
                           "' failed");
            }
            if (p.gate && p.gate->verdict == eval::Verdict::undecided) {
                cli::error("cannot promote " + what + " to " + m_stage + ": gate '" + p.gate->gate +
                           "' has no results for " + join(p.gate->missing, ", ") + " on " +
                           p.entry.commit.short_hex());
                for (const auto& c : eval::missing_commands(*p.gate, false)) {
                    cli::hint("run: " + c);
                }
            }
        }
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
            j["gate"] = p.gate ? gate::gate_json(*p.gate, eval::missing_commands(*p.gate, false)) : Json();
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
    check_stage(*s, m_stage);
    std::vector<std::string> names;
    if (m_specs.empty()) {
        for (const auto& n : s->my_names()) {
            if (s->reg.current(n, m_stage)) {
                names.push_back(n);
            }
        }
        if (names.empty()) {
            throw input_error(std::string("no ") + kind_word(m_kind) + " has a version in stage '" + m_stage +
                              "'");
        }
        if (names.size() > 1) {
            throw usage_error("several " + std::string(kind_word(m_kind)) + "s are in " + m_stage + ": " +
                                  join(names, ", "),
                              "name the ones to roll back");
        }
    } else {
        for (const auto& spec : m_specs) {
            if (spec.find_first_of("@#") != std::string::npos) {
                throw usage_error("rollback takes names, not versions: '" + spec + "'",
                                  std::string("to assign a given version: ") + tool_of(m_kind) + " promote " +
                                      m_stage + " " + spec);
            }
            names.push_back(s->name_of(spec));
            if (!s->reg.has(names.back())) {
                throw input_error("'" + names.back() + "' has no registered version");
            }
        }
    }
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
        std::string n = s->name_of(m_name);
        if (!s->reg.has(n)) {
            throw input_error("'" + n + "' has no registered version",
                              std::string("create one with: ") + tool_of(m_kind) + " bump " + n);
        }
        if (!m_all) {
            s->reg.check_not_deprecated(n);
        }
        names.push_back(n);
    } else {
        names = s->my_names(m_all);
    }
    std::vector<std::vector<std::string>> rows = {{"NAME", "STAGE", "VERSION", "COMMIT", "SINCE"}};
    Json arr = Json::array();
    for (const auto& n : names) {
        auto current = s->reg.stages(n);
        // Configured stages in their order, then any other stage the tags name (written by other tools).
        std::vector<std::string> order = s->cfg.stages;
        for (const auto& [st, v] : current) {
            if (s->cfg.stage_index(st) < 0) {
                order.push_back(st);
            }
        }
        // When each stage got its current version: the newest assignment tag of it.
        std::map<std::string, int64_t> since;
        for (const auto& r : s->reg.records(n)) {
            if (r.parsed.kind == registry::TagName::Kind::stage && !r.parsed.cancel) {
                auto it = current.find(r.parsed.stage);
                if (it != current.end() && it->second.commit == r.commit) {
                    since[r.parsed.stage] = r.object.tagger.time;
                }
            }
        }
        auto dep = s->reg.deprecation(n);
        std::string shown = term_escape(n) + (dep ? " (deprecated)" : "");
        Json j = Json::object();
        j["name"] = n;
        if (m_all) {
            j["deprecated"] = dep ? Json(dep->tag) : Json();
        }
        Json js = Json::object();
        for (const auto& st : order) {
            auto it = current.find(st);
            if (it == current.end()) {
                if (!m_name.empty()) {
                    rows.push_back({shown, term_escape(st), "—", "", ""});
                }
                js[st] = Json();
                continue;
            }
            rows.push_back({shown, term_escape(st),
                            paint(term_escape(it->second.version.tag()), Colour::yellow),
                            it->second.commit.short_hex(), since[st] ? utc_minute(since[st]) : ""});
            Json e = entry_json(it->second);
            e["since"] = since[st];
            js[st] = e;
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
    std::string n = s->name_of(m_name);
    if (!s->reg.has(n)) {
        throw input_error("'" + n + "' has no registered version",
                          std::string("create one with: ") + tool_of(m_kind) + " bump " + n);
    }
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
