// promote / rollback / stages / history for git-prompt and git-model: declares the options, calls
// lib/promote (promote/views.hpp judges, plans and builds every line, table and JSON object) and prints.
// Promotions are all-or-nothing: every named version is judged first, and when any is refused no tag is
// written.
#include "cli_promote.hpp"

#include "common.hpp"
#include "promote/views.hpp"

namespace mlci::promote_cli {

using promote::kind_word;
using Session = promote::Scope;

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
        "compare with this ref, or @STAGE: the version STAGE holds (default: the gate's baseline, else the "
        "version in the stage)");
    m_promote->add_option("--traffic", m_traffic,
                          "record this whole percent (1-100) of the traffic as the stage's share; the "
                          "version the stage holds gets a new share (widening) with one more tag");
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
    auto opt = promote::promote_options(m_kind, m_force, m_reason, m_message, m_baseline);
    opt.traffic = promote::traffic_option(m_traffic);
    auto s = Session::open(m_kind);
    auto judged = promote::judge(*s, m_stage, m_specs, opt);
    if (judged.plans.empty()) {
        cli::note(promote::nothing_to_promote(m_kind, m_stage));
        if (m_json) {
            cli::out_raw(Json::array().dump());
        }
        return 0;
    }
    if (!m_json) {
        cli::out(promote::gates_text(judged));
        for (const auto& m : promote::refusals(judged, s->cfg, m_kind)) {
            (m.error ? cli::error : cli::hint)(m.text);
        }
    }
    std::vector<std::string> written;
    Json arr = Json::array();
    for (const auto& p : judged.plans) {
        std::vector<std::string> tags;
        if (judged.writes(m_dry_run)) {
            tags = promote::apply_promotion(s->repo, s->reg, p, opt);
        }
        written.insert(written.end(), tags.begin(), tags.end());
        if (m_json) {
            arr.push_back(promote::promotion_json(judged, p, tags));
            continue;
        }
        auto said = promote::promotion_said(judged, p, tags, m_dry_run, m_reason);
        if (!said.note.empty()) {
            cli::note(said.note);
        }
        cli::out(said.text);
    }
    finish(arr, written, judged.writes(m_dry_run));
    return cli::exit_code(judged.worst);
}

int Commands::rollback() {
    auto s = Session::open(m_kind);
    auto plans = promote::plan_rollbacks(*s, m_stage, m_specs);
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
            arr.push_back(promote::rollback_json(p, tags));
        } else {
            cli::out(promote::rollback_text(p, tags, m_dry_run));
        }
    }
    finish(arr, written, !m_dry_run);
    return 0;
}

// The JSON array when --json; then, when tags were written, their push (--push) or how to publish them.
void Commands::finish(const Json& arr, const std::vector<std::string>& written, bool wrote) const {
    if (m_json) {
        cli::out_raw(arr.dump());
    }
    if (!wrote) {
        return;
    }
    if (m_push) {
        promote::push_tags(m_remote, written);
        if (auto n = promote::pushed_note(m_remote, written); !n.empty()) {
            cli::note(n);
        }
    } else if (!m_json && !written.empty()) {
        cli::hint(promote::publish_hint(written));
    }
}

int Commands::stages() {
    auto s = Session::open(m_kind);
    auto names = promote::stages_of(*s, m_name, m_all);
    std::string table = promote::stages_text(names, !m_name.empty());
    if (m_json) {
        cli::out_raw(promote::stages_json(names, m_all, stages_extra).dump());
    } else if (!table.empty()) {
        cli::out(table);
    } else {
        cli::note(std::string("no ") + kind_word(m_kind) + " is in any stage");
    }
    return 0;
}

int Commands::history() {
    auto s = Session::open(m_kind);
    auto hist = promote::history_of(*s, m_name);
    if (m_json) {
        cli::out_raw(promote::history_json(hist).dump());
    } else {
        cli::out(promote::history_text(hist));
    }
    return 0;
}

} // namespace mlci::promote_cli
