// git model export --stage STAGE[,STAGE] [-o FILE]: the deployment manifest (release/deploy.hpp) of every
// model in those stages, for a router or serving job that reads no git; and the pointer rows that
// `git model stages --json` adds to each stage.
#include "git-model.hpp"

#include "common.hpp"

#include "fsutil/file.hpp"
#include "promote/scope.hpp"
#include "release/export.hpp"
#include "util/diag.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <algorithm>

using namespace mlci;

namespace mlci::model_cli {

void add_export(CLI::App& app, ExportArgs& a) {
    a.cmd = app.add_subcommand(
        "export", "The deployment manifest of the models in stages: versions, traffic shares, store keys");
    a.cmd->add_option("--stage", a.stages, "stages, separated by commas (canary,production)")->required();
    a.cmd->add_option("-o,--output", a.output, "write the manifest to FILE (atomically) instead of stdout");
}

int cmd_export(const ExportArgs& a) {
    auto ctx = artifact::Context::open();
    auto scope = promote::Scope::open(promote::Kind::model);
    auto stages = release::parse_stage_list(a.stages, scope->cfg);
    release::DeployManifest m;
    m.store = release::deploy_store(ctx.cfg, ctx.top);
    for (const auto& name : scope->names()) {
        for (const auto& row : scope->stage_rows(name)) {
            if (!row.current || std::find(stages.begin(), stages.end(), row.stage) == stages.end()) {
                continue;
            }
            release::DeployEntry e;
            e.name = name;
            e.kind = "model";
            e.stage = row.stage;
            e.version = row.current->version.tag();
            e.commit = row.current->commit.hex();
            e.traffic = row.traffic;
            e.pointers = release::model_pointers(ctx, name, row.current->commit, m.store);
            m.artifacts.push_back(std::move(e));
        }
    }
    if (m.artifacts.empty()) {
        warn("no model has a version in " + join(stages, " or "));
    }
    std::string text = release::to_json(m).dump() + "\n";
    if (a.output.empty()) {
        cli::out_raw(text);
        return 0;
    }
    write_file_atomic(a.output, text);
    size_t n = m.artifacts.size();
    cli::note("exported " + std::to_string(n) + " model stage" + (n == 1 ? "" : "s") + " to " +
              term_escape(a.output));
    return 0;
}

promote::RowExtra stages_pointers() {
    // The Context is opened on the first row that holds a version: `stages` of an empty registry needs
    // no cache or store configuration.
    auto ctx = std::make_shared<std::optional<artifact::Context>>();
    auto store = std::make_shared<std::optional<release::DeployStore>>();
    return [ctx, store](const std::string& name, const promote::Scope::StageRow& row, Json& out) {
        // A listing does not fail for one version's pointer: a name registered by GTO may have none
        // (null, silently); a pointer that does not parse or escapes is null with a warning.
        out["pointers"] = Json();
        try {
            if (!ctx->has_value()) {
                ctx->emplace(artifact::Context::open());
                *store = release::deploy_store((*ctx)->cfg, (*ctx)->top);
            }
            Json ps = Json::array();
            for (const auto& p : release::model_pointers(**ctx, name, row.current->commit, *store)) {
                ps.push_back(release::to_json(p));
            }
            out["pointers"] = std::move(ps);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::usage) {
                warn(name + " " + row.current->version.tag() + ": " + e.what());
            }
        }
    };
}

} // namespace mlci::model_cli
