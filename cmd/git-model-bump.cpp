// git model bump NAME [--major|--minor|--patch]: tag a model version (DESIGN.md sections 3 and 4), with
// its lineage (release/lineage.hpp) when [model.NAME] inputs is set.
#include "git-model.hpp"

#include "common.hpp"

#include "artifact/views.hpp"
#include "release/lineage.hpp"
#include "release/lineage_text.hpp"

#include <optional>

namespace mlci::model_cli {

int cmd_bump(const std::string& name, bool major, bool patch, const std::string& message, bool json) {
    std::optional<release::Sources> sources;
    auto lineage = [&](const git::Repo& repo, const Config& cfg, const registry::Registry& reg,
                       const git::Oid& commit) {
        sources = release::collect_sources(repo, cfg, reg, name, commit);
        return sources ? release::source_trailers(*sources)
                       : std::vector<std::pair<std::string, std::string>>{};
    };
    auto r = artifact::bump_command(name, major, patch, message, lineage);
    if (json) {
        Json o = artifact::bump_json(r);
        if (sources) {
            release::add_sources_json(o, *sources);
        }
        cli::out_raw(o.dump() + "\n");
    } else {
        cli::out(artifact::bump_line(r));
        if (sources) {
            cli::note(release::sources_line(*sources));
        }
        cli::hint(artifact::bump_hint(r));
    }
    return 0;
}

} // namespace mlci::model_cli
