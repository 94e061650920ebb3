// `git model bump` (bump.hpp): finds NAME's pointer at HEAD, checks it is committed and unchanged in the
// workspace, and tags HEAD with the next version only when its hash differs from NAME's latest version.
#include "artifact/bump.hpp"

#include "fsutil/file.hpp"
#include "registry/registry.hpp"
#include "util/strings.hpp"

namespace mlci::artifact {

std::string model_pointer(const Context& ctx, const std::string& name, const git::Oid& commit) {
    return model_pointer(ctx.cfg, ctx.repo.get(), name, commit);
}

std::string model_pointer(const Config& cfg, const git::Repo& repo, const std::string& name,
                          const git::Oid& commit) {
    if (auto it = cfg.models.find(name); it != cfg.models.end()) {
        const std::string& path = it->second;
        if (std::string why = relative_path_problem(path); !why.empty() || !is_pointer_path(path)) {
            throw config_error(".mlci/config.toml: model." + name + ".path " + quoted(path) +
                               " must be a pointer file (…​.mlci) inside the repository");
        }
        return path;
    }
    std::vector<std::string> found;
    for (const auto& f : repo.files_at(commit)) {
        if (!is_pointer_path(f.path)) {
            continue;
        }
        check_tree_path(commit, f.path);
        std::string base = basename_of(f.path);
        if (base.substr(0, base.find('.')) == name) {
            found.push_back(f.path);
        }
    }
    if (found.empty()) {
        throw usage_error("no model named '" + name + "' at " + commit.short_hex(),
                          "a model's name is its pointer's file name up to the first '.', or set "
                          "[model." +
                              name + "] path = \"….mlci\" in .mlci/config.toml");
    }
    if (found.size() > 1) {
        throw usage_error("'" + name + "' names several pointers: " + join(found, ", "),
                          "pick one with [model." + name + "] path = \"….mlci\" in .mlci/config.toml");
    }
    return found.front();
}

BumpResult bump_model(Context& ctx, const std::string& name, Version::Level level, const std::string& message,
                      const ExtraTrailers& extra) {
    if (!valid_name(name)) {
        throw usage_error(
            "invalid model name '" + name + "'",
            "names use letters, digits, '_', '-' and '/' folders, start and end with a letter or "
            "digit, and have no '.'");
    }
    auto head = ctx.repo.head();
    if (!head) {
        throw usage_error("HEAD has no commit yet", "commit the model's pointer first");
    }
    BumpResult r;
    r.name = name;
    r.commit = *head;
    r.pointer = model_pointer(ctx, name, *head);
    auto text = ctx.repo.blob_at(*head, r.pointer);
    if (!text) {
        throw usage_error("'" + r.pointer + "' (model " + name + ") is not committed at HEAD",
                          "git add " + r.pointer + " && git commit");
    }
    Pointer p = parse_pointer(*text, "HEAD:" + r.pointer);
    r.hash = p.hash;
    auto work = read_file_below(ctx.top, r.pointer, 1024 * 1024 + 1);
    if (work && *work != *text) {
        throw input_error("'" + r.pointer +
                              "' has uncommitted changes: the version would not match the workspace",
                          "commit it first: git commit " + r.pointer);
    }
    auto reg = registry::Registry::load(ctx.repo);
    if (auto at = reg.version_at(name, *head)) {
        throw input_error("HEAD (" + head->short_hex() + ") already carries " + name + "@" +
                              at->version.tag() + " (one version of a name per commit)",
                          "commit a change to the model first, then bump");
    }
    auto last = reg.latest(name);
    if (last) {
        auto old = ctx.repo.blob_at(last->commit, r.pointer);
        std::optional<Hash128> old_hash;
        if (old) {
            try {
                old_hash = parse_pointer(*old, last->tag + ":" + r.pointer).hash;
            } catch (const Error&) {
            }
        }
        if (old_hash && *old_hash == p.hash) {
            throw input_error(name + ": '" + r.pointer + "' has not changed since " + name + "@" +
                                  last->version.tag() + " (" + p.hash.id() + ")",
                              "add the new model (git model add), commit, then bump");
        }
    }
    Version base = last ? last->version : Version{};
    r.version = base.bumped(level);
    registry::Evidence ev;
    ev.kind = "model";
    ev.path = r.pointer;
    ev.object = p.hash.id();
    ev.bump = level_name(level);
    ev.body = message;
    if (extra) {
        r.extra = extra(ctx.repo, ctx.cfg, reg, *head);
        ev.extra = r.extra;
    }
    r.tag = reg.create_version(ctx.repo, name, r.version, *head, ev);
    return r;
}

} // namespace mlci::artifact
