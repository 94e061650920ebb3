// The model side of the deployment manifest (export.hpp): pointers of a version with their store keys,
// the default store with an absolute URL, the --stage list.
#include "release/export.hpp"

#include "artifact/bump.hpp"
#include "artifact/store/s3/settings.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <filesystem>

namespace mlci::release {

std::optional<DeployStore> deploy_store(const Config& cfg, const std::string& top) {
    const RemoteConfig* r = cfg.default_store();
    if (r == nullptr) {
        return std::nullopt;
    }
    DeployStore s;
    s.name = r->name;
    s.url = r->url;
    if (r->url.starts_with("s3://")) {
        if (const artifact::S3Settings* st = artifact::s3_settings(*r)) {
            s.endpoint = st->endpoint;
            s.region = st->region;
            s.path_style = st->path_style;
        }
    } else if (r->url.find("://") == std::string::npos) {
        // A plain path is relative to the repository's top: a serving job reads the manifest elsewhere.
        std::filesystem::path p(r->url);
        if (p.is_relative()) {
            p = std::filesystem::path(top) / p;
        }
        s.url = "file://" + p.lexically_normal().string();
        while (s.url.size() > 8 && s.url.back() == '/') {
            s.url.pop_back();
        }
    }
    return s;
}

std::vector<DeployPointer> model_pointers(const artifact::Context& ctx, const std::string& name,
                                          const git::Oid& commit, const std::optional<DeployStore>& store) {
    std::string rel = artifact::model_pointer(ctx, name, commit);
    artifact::check_tree_path(commit, rel);
    auto text = ctx.repo.blob_at(commit, rel);
    if (!text) {
        throw input_error("model " + name + ": no pointer " + rel + " at " + commit.short_hex());
    }
    artifact::PointerFile pf = artifact::resolve_pointer(rel, *text);
    DeployPointer d;
    d.pointer = pf.pointer;
    d.path = pf.target;
    d.hash = pf.p.hash.id();
    d.size = pf.p.size;
    if (pf.p.is_dir) {
        d.nfiles = pf.p.nfiles;
    }
    d.key = object_key(d.hash);
    if (store && store->url.starts_with("s3://")) {
        std::string base = store->url;
        while (base.size() > 5 && base.back() == '/') {
            base.pop_back();
        }
        d.url = base + "/" + d.key;
    }
    return {d};
}

std::vector<std::string> parse_stage_list(const std::string& arg, const Config& cfg) {
    std::string known = join(cfg.stages, ", ");
    std::vector<std::string> out;
    for (const auto& part : split(arg, ',')) {
        std::string st(trim(part));
        if (st.empty() || cfg.stage_index(st) < 0) {
            throw usage_error(
                "unknown stage '" + st + "' in --stage " + mlci::quoted(arg) + " (stages: " + known + ")",
                "name stages of .mlci/config.toml, separated by commas: --stage canary,production");
        }
        if (std::find(out.begin(), out.end(), st) != out.end()) {
            throw usage_error("stage '" + st + "' is named twice in --stage " + mlci::quoted(arg));
        }
        out.push_back(st);
    }
    if (out.empty()) {
        throw usage_error("--stage needs a stage", "--stage production, or --stage canary,production");
    }
    return out;
}

} // namespace mlci::release
