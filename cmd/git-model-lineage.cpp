// git model lineage NAME@V [NAME@V2] | --uses PATH[@REV] [--json]: what a model version was built from,
// what changed between two versions, or which versions were built from one dataset version
// (release/lineage.hpp; git-model(1) LINEAGE).
#include "git-model.hpp"

#include "common.hpp"

#include "config/config.hpp"
#include "registry/registry.hpp"
#include "release/lineage.hpp"
#include "release/lineage_text.hpp"

namespace mlci::model_cli {

namespace {

void warn_dropped(const std::string& what, int dropped) {
    if (std::string w = release::dropped_warning(what, dropped); !w.empty()) {
        cli::warning(w);
    }
}

int uses(const git::Repo& repo, const registry::Registry& reg, const std::string& spec, bool json) {
    auto d = release::resolve_dataset(repo, spec);
    int dropped = 0;
    auto found = release::versions_using(repo, reg, d.hash, &dropped);
    warn_dropped("version tags", dropped);
    if (json) {
        cli::out_raw(release::uses_json(d, found).dump());
    } else {
        cli::out(release::uses_text(d, found));
    }
    return 0;
}

} // namespace

int cmd_lineage(const std::vector<std::string>& versions, const std::string& uses_spec, bool json) {
    if (uses_spec.empty() == versions.empty() || versions.size() > 2) {
        throw usage_error(
            "git model lineage takes NAME@V, two versions NAME@V1 NAME@V2, or --uses PATH[@REV]",
            "git model lineage clf@v1.2.0; git model lineage clf@v1.1.0 clf@v1.2.0; git model "
            "lineage --uses data/train.jsonl");
    }
    auto repo = git::Repo::open(".");
    Config cfg = repo.is_bare() ? Config{} : load_config(repo.workdir(), repo.common_dir());
    auto reg = registry::Registry::load(repo);
    if (!uses_spec.empty()) {
        return uses(repo, reg, uses_spec, json);
    }
    std::vector<release::Lineage> ls;
    for (const auto& spec : versions) {
        ls.push_back(release::lineage_of(repo, reg.resolve(spec, cfg)));
        warn_dropped(ls.back().version.tag, ls.back().dropped);
        if (std::string w = release::unproven_warning(ls.back()); !w.empty()) {
            cli::warning(w);
        }
    }
    if (ls.size() == 1 && json) {
        cli::out_raw(release::lineage_json(ls[0]).dump());
    } else if (ls.size() == 1) {
        cli::out(release::lineage_text(ls[0]));
    }
    if (ls.size() == 1) {
        return 0;
    }
    auto changes = release::compare(ls[0], ls[1]);
    if (json) {
        cli::out_raw(release::compare_json(ls[0], ls[1], changes).dump());
    } else {
        cli::out(release::compare_text(ls[0], ls[1], changes));
    }
    return 0;
}

} // namespace mlci::model_cli
