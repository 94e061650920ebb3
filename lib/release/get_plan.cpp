// What `git model get` fetches (get_plan.hpp): the registry or a path at a revision in a repository,
// a row of a deployment manifest without one.
#include "release/get_plan.hpp"

#include "artifact/bump.hpp"
#include "artifact/pack/packed.hpp"
#include "artifact/store/local.hpp"
#include "artifact/store/s3/settings.hpp"
#include "artifact/store/s3/store.hpp"
#include "config/config.hpp"
#include "fsutil/path.hpp"
#include "registry/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <climits>
#include <set>
#include <unistd.h>

namespace mlci::release {

using artifact::Context;

namespace {

constexpr uint64_t k_max_pointer_bytes = 1024 * 1024;

std::string strip_slash(std::string s) {
    while (s.size() > 1 && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

std::string current_dir() {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr) {
        throw io_error("cannot read the current folder: " + errno_text(errno));
    }
    return buf;
}

Context open_bare(git::Repo r) {
    std::string git_dir = r.git_dir();
    std::string common = r.common_dir();
    std::string top = strip_slash(git_dir);
    std::optional<std::string> text;
    if (auto head = r.head()) {
        text = r.blob_at(*head, ".mlci/config.toml");
    }
    Config cfg = load_config_over(text, "HEAD:.mlci/config.toml", top, common);
    std::string root = cfg.cache.dir.empty()
                           ? common + "mlci/cache"
                           : (cfg.cache.dir.front() == '/' ? cfg.cache.dir : path_join(top, cfg.cache.dir));
    artifact::LinkMode link = artifact::parse_link_mode(cfg.cache.link);
    bool group = !cfg.cache.shared.empty();
    return Context{artifact::LazyRepo(std::move(r)),
                   top,
                   std::move(cfg),
                   link,
                   artifact::Cache(root, common + "mlci/quarantine", group),
                   artifact::StatCache::load(git_dir + "mlci/state"),
                   git_dir,
                   common,
                   nullptr};
}

// One pointer of a commit's tree as a target landing at `rel`.
GetTarget target_at(const Context& ctx, const git::Oid& commit, const git::TreeFile& f, std::string rel) {
    std::string source = commit.short_hex(10) + ":" + f.path;
    artifact::check_tree_path(commit, f.path);
    if (f.mode != 0100644 && f.mode != 0100755) {
        throw input_error(source + ": invalid pointer: not a regular file in the tree (a symbolic link or a "
                                   "submodule)");
    }
    std::string text = ctx.repo.get().blob(f.blob);
    if (text.size() > k_max_pointer_bytes) {
        throw input_error(source + ": invalid pointer: larger than 1 MiB");
    }
    artifact::Pointer p = artifact::parse_pointer(text, source);
    artifact::target_of(f.path, p, source); // the path rules, applied to the whole target too
    GetTarget t;
    t.pointer = f.path;
    t.rel = rel.empty() ? p.path : std::move(rel);
    t.hash = p.hash;
    t.size = p.size;
    t.is_dir = p.is_dir;
    t.nfiles = p.nfiles;
    return t;
}

// The pointer files of a commit below `folder` ("" for all).
std::vector<git::TreeFile> pointer_files(const Context& ctx, const git::Oid& commit,
                                         const std::string& folder) {
    std::vector<git::TreeFile> out;
    for (auto& f : ctx.repo.files_at(commit, folder)) {
        if (artifact::is_pointer_path(f.path)) {
            out.push_back(std::move(f));
        }
    }
    return out;
}

// PATH@REV: a pointer file, its artifact, or a folder holding pointers.
GetPlan plan_path(const Context& ctx, std::string path, const std::string& rev) {
    GetPlan plan;
    plan.rev = rev;
    git::Oid commit = ctx.repo.commit_of(rev);
    plan.commit = commit.hex();
    while (path.starts_with("./")) {
        path.erase(0, 2);
    }
    path = strip_slash(path);
    bool all = path.empty() || path == ".";
    if (!all) {
        if (std::string why = relative_path_problem(path); !why.empty()) {
            throw usage_error("invalid path " + quoted(path) + ": " + why,
                              "PATH is relative to the repository's top, as in git show REV:PATH");
        }
    }
    for (const auto& f : pointer_files(ctx, commit, all ? "" : dirname_of(path))) {
        if (all || f.path.starts_with(path + "/")) {
            // In a folder: each lands at its artifact's path below the folder.
            GetTarget t = target_at(ctx, commit, f, "");
            std::string target = path_join(dirname_of(f.path), t.rel);
            t.rel = all ? target : target.substr(path.size() + 1);
            plan.targets.push_back(std::move(t));
        } else if (f.path == path || f.path == path + std::string(artifact::k_pointer_suffix)) {
            plan.targets.push_back(target_at(ctx, commit, f, ""));
        }
    }
    if (plan.targets.empty() && !all) {
        // An artifact whose pointer has another name (its `path` field says which).
        for (const auto& f : pointer_files(ctx, commit, dirname_of(path))) {
            if (dirname_of(f.path) == dirname_of(path)) {
                GetTarget t = target_at(ctx, commit, f, "");
                if (path_join(dirname_of(f.path), t.rel) == path) {
                    plan.targets.push_back(std::move(t));
                }
            }
        }
    }
    if (plan.targets.empty()) {
        throw input_error("no artifact at " + quoted(all ? "." : path) + " in " + quoted(rev) + " (commit " +
                              commit.short_hex() + ")",
                          "name a pointer (….mlci), its artifact or a folder holding pointers, relative to "
                          "the repository's top; or a registered model: NAME@STAGE, NAME@vX.Y.Z");
    }
    return plan;
}

// The stage a registry spec names ("" for a version or latest), by Registry::resolve's own reading.
std::string stage_of(const std::string& spec, const Config& cfg) {
    size_t sep = spec.find_first_of("@#");
    if (sep == std::string::npos) {
        return "";
    }
    std::string what = spec.substr(sep + 1);
    if (spec[sep] == '#' || cfg.stage_index(what) >= 0) {
        return what;
    }
    if (what == "latest" || what == "greatest" || Version::parse(what, nullptr, true)) {
        return "";
    }
    return what;
}

GetPlan plan_registry(const Context& ctx, const registry::Registry& reg, const std::string& spec) {
    registry::VersionEntry v = reg.resolve(spec, ctx.cfg);
    GetPlan plan;
    plan.name = v.name;
    plan.version = v.version.tag();
    plan.stage = stage_of(spec, ctx.cfg);
    plan.commit = v.commit.hex();
    std::string pointer = artifact::model_pointer(ctx, v.name, v.commit);
    for (const auto& f : pointer_files(ctx, v.commit, dirname_of(pointer))) {
        if (f.path == pointer) {
            plan.targets.push_back(target_at(ctx, v.commit, f, ""));
        }
    }
    if (plan.targets.empty()) {
        throw input_error(v.name + "@" + plan.version + ": its pointer " + quoted(pointer) +
                              " is not in commit " + v.commit.short_hex(),
                          "[model." + v.name +
                              "] path in .mlci/config.toml names a pointer the version lacks");
    }
    return plan;
}

} // namespace

Context open_get_context() {
    std::optional<git::Repo> r;
    try {
        r.emplace(git::Repo::open("."));
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::usage) {
            throw;
        }
        throw usage_error(e.what(), "outside a repository, fetch from a deployment manifest: git model get "
                                    "--manifest FILE NAME@STAGE");
    }
    if (r->is_bare()) {
        return open_bare(std::move(*r));
    }
    r.reset();
    return Context::open(".");
}

GetPlan plan_from_repo(const Context& ctx, const std::string& spec) {
    if (spec.empty()) {
        throw usage_error("nothing to get",
                          "name a version: NAME@STAGE, NAME@vX.Y.Z, NAME@latest or PATH@REV");
    }
    auto reg = registry::Registry::load(ctx.repo);
    if (spec.find('#') != std::string::npos || reg.has(spec.substr(0, spec.find('@')))) {
        return plan_registry(ctx, reg, spec);
    }
    // PATH@REV: the first '@' after which a revision follows (a REV may hold '@': clf@v1.0.0, HEAD@{1}).
    for (size_t at = spec.find('@'); at != std::string::npos; at = spec.find('@', at + 1)) {
        if (ctx.repo.get().resolve_commit(spec.substr(at + 1))) {
            return plan_path(ctx, spec.substr(0, at), spec.substr(at + 1));
        }
    }
    size_t at = spec.rfind('@');
    if (at == std::string::npos) {
        return plan_path(ctx, spec, "HEAD");
    }
    // NAME@STAGE of a NAME with no version, or PATH@REV of a missing REV: say both.
    throw input_error(quoted(spec.substr(0, spec.find('@'))) + " is not a registered model, and " +
                          quoted(spec.substr(spec.find('@') + 1)) + " is not a revision of this repository",
                      "list the models with: git model stages");
}

std::string landing_name(const std::string& pointer, const std::string& path, const std::string& where) {
    std::string dir = dirname_of(pointer);
    if (!dir.empty() && !path.starts_with(dir + "/")) {
        throw input_error(where + ": 'path' " + quoted(path) + " is not in the folder of its pointer " +
                          quoted(pointer));
    }
    std::string rel = dir.empty() ? path : path.substr(dir.size() + 1);
    std::string why = relative_path_problem(rel);
    if (why.empty() &&
        (rel.ends_with(artifact::k_pointer_suffix) || rel == ".mlci" || rel.starts_with(".mlci/"))) {
        why = "it names a pointer or mlci's own configuration";
    }
    if (!why.empty()) {
        throw input_error(where + ": 'path' " + quoted(path) + " is refused: " + why);
    }
    return rel;
}

namespace {
bool same_version(const std::string& text, const Version& v) {
    auto parsed = Version::parse(text, nullptr, true);
    return parsed && same_precedence(*parsed, v);
}
} // namespace

GetPlan plan_from_manifest(const DeployManifest& m, const std::string& spec, const std::string& source) {
    size_t sep = spec.find_first_of("@#");
    std::string name = spec.substr(0, sep);
    std::string what = sep == std::string::npos ? "" : spec.substr(sep + 1);
    std::optional<Version> version;
    if (sep != std::string::npos && spec[sep] == '@' && !what.empty() &&
        (std::isdigit(static_cast<unsigned char>(what[0])) || what[0] == 'v')) {
        version = Version::parse(what, nullptr, true);
    }
    std::vector<const DeployEntry*> rows;
    std::vector<std::string> stages;
    for (const auto& e : m.artifacts) {
        if (e.name != name) {
            continue;
        }
        stages.push_back(e.stage);
        bool match =
            sep == std::string::npos || (version ? same_version(e.version, *version) : e.stage == what);
        if (match) {
            rows.push_back(&e);
        }
    }
    if (stages.empty()) {
        throw input_error(source + " has no row for " + quoted(name),
                          "a manifest is written by: git model export --stage STAGE");
    }
    if (rows.empty()) {
        throw input_error(source + " has no row for " + quoted(spec) + " (" + quoted(name) + " is in " +
                              join(stages, ", ") + ")",
                          "name one: " + name + "@" + stages.front());
    }
    if (sep == std::string::npos && rows.size() > 1) {
        throw usage_error(source + " has " + std::to_string(rows.size()) + " rows for " + quoted(name) +
                              " (stages " + join(stages, ", ") + ")",
                          "name one: " + name + "@" + stages.front());
    }
    const DeployEntry& e = *rows.front();
    std::string where = source + ": " + e.name + "@" + e.stage;
    if (e.kind != "model" || e.pointers.empty()) {
        throw input_error(where + " is " + (e.kind == "model" ? "a model row without pointers" : "a prompt") +
                              ": nothing to fetch",
                          "git model get fetches model artifacts; a prompt ships in the manifest itself");
    }
    GetPlan plan;
    plan.name = e.name;
    plan.version = e.version;
    plan.stage = e.stage;
    plan.commit = e.commit;
    for (size_t i = 0; i < e.pointers.size(); ++i) {
        const DeployPointer& p = e.pointers[i];
        GetTarget t;
        t.pointer = p.pointer;
        t.rel = landing_name(p.pointer, p.path, where + ".pointers[" + std::to_string(i) + "]");
        parse_hash_id(p.hash, &t.hash); // parse_manifest checked it
        t.size = p.size;
        t.is_dir = p.nfiles.has_value();
        t.nfiles = p.nfiles.value_or(0);
        plan.targets.push_back(std::move(t));
    }
    return plan;
}

namespace {

// A store named by a manifest, read through its packs as open_store's are (no cache: no repository).
std::unique_ptr<artifact::Store> packed(std::unique_ptr<artifact::Store> backend) {
    return std::make_unique<artifact::pack::PackedStore>(std::move(backend),
                                                         artifact::pack::options_of(nullptr, ""));
}

} // namespace

std::unique_ptr<artifact::Store> manifest_store(const DeployManifest& m, const std::string& source,
                                                const std::string& arg) {
    std::string cwd = current_dir();
    if (!arg.empty()) {
        return artifact::open_store(arg, Config{}, cwd);
    }
    if (!m.store) {
        throw usage_error(source + " names no store", "name one: --store PATH|URL");
    }
    const DeployStore& s = *m.store;
    if (s.url.starts_with("s3://")) {
        RemoteConfig rc;
        rc.name = s.name;
        rc.url = s.url;
        artifact::S3Settings set;
        set.endpoint = s.endpoint;
        set.region = s.region;
        set.path_style = s.path_style;
        rc.settings = set;
        return packed(artifact::open_s3_store(s.name, s.url, &rc, cwd));
    }
    if (!s.url.starts_with("file:///") || s.url.find('\0') != std::string::npos) {
        throw input_error(source + ": store: 'url' " + quoted(s.url) +
                          " must be file:///absolute/path or s3://bucket/prefix");
    }
    return packed(std::make_unique<artifact::LocalStore>(s.name, s.url.substr(7)));
}

void check_distinct(const std::vector<GetTarget>& targets) {
    std::vector<std::string> rels;
    for (const auto& t : targets) {
        rels.push_back(t.rel);
    }
    std::sort(rels.begin(), rels.end());
    for (size_t i = 1; i < rels.size(); ++i) {
        if (rels[i] == rels[i - 1] || rels[i].starts_with(rels[i - 1] + "/")) {
            throw input_error("two artifacts would land at " + quoted(rels[i - 1]) + ": refused",
                              "get them one at a time, each into its own folder (-o DIR)");
        }
    }
}

} // namespace mlci::release
