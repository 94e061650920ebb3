// What `git prompt show --json`, `log`, `export` and `check` report (views.hpp), built from the catalog and
// the registry's tags; cmd/git-prompt.cpp formats it.
#include "prompt/views.hpp"

#include "fsutil/file.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace mlci::prompt {

void put_fields(Json& o, const PromptFile& p) {
    o["description"] = p.description;
    o["model"] = p.model.empty() ? Json() : Json(p.model);
    Json vars = Json::array();
    for (const auto& v : p.variables) {
        vars.push_back(v);
    }
    o["variables"] = std::move(vars);
    Json params = Json::object();
    for (const auto& [k, v] : p.params) {
        params[k] = param_json(v);
    }
    o["params"] = std::move(params);
}

namespace {

// The body of a tag message: what stands between the first line and the trailers, on one line.
std::string message_body(const std::string& message) {
    std::string body;
    auto lines = split_lines(message);
    for (size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].rfind("Mlci-", 0) == 0) {
            break;
        }
        if (!trim(lines[i]).empty()) {
            body += (body.empty() ? "" : " ") + std::string(trim(lines[i]));
        }
    }
    return body;
}

} // namespace

std::vector<LogEntry> version_log(Catalog& cat, const std::string& name) {
    if (!valid_name(name)) {
        throw input_error("invalid prompt name '" + name + "'");
    }
    auto versions = cat.registry().versions(name);
    if (versions.empty()) {
        throw input_error("'" + name + "' has no registered version",
                          "create one with: git prompt bump " + name);
    }
    std::vector<LogEntry> out;
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        auto tag = cat.repo().read_tag(it->tag_oid);
        out.push_back(
            {*it, tag.tagger, registry::trailer(tag.message, "Mlci-Bump"), message_body(tag.message)});
    }
    return out;
}

Json export_bundle(Catalog& cat, const std::string& stage, size_t* count) {
    Json bundle = Json::object();
    bundle["format"] = "mlci-prompts/1";
    bundle["stage"] = stage.empty() ? Json() : Json(stage);
    Json prompts = Json::object();
    size_t n = 0;
    for (const auto& e : cat.entries()) {
        if (e.deprecated) {
            // GTO hides a deprecated artifact, and resolution refuses it: a bundle does not ship it either.
            warn("left out deprecated prompt " + e.name + " (tag " + e.deprecated->tag + ")");
            continue;
        }
        std::optional<registry::VersionEntry> v;
        if (stage.empty()) {
            v = e.latest;
        } else {
            auto it = e.stages.find(stage);
            if (it != e.stages.end()) {
                v = it->second;
            }
        }
        if (!v) {
            continue;
        }
        auto p = parse(cat.content_at(*v), e.path);
        Json o = Json::object();
        o["version"] = v->version.tag();
        o["tag"] = v->tag;
        o["commit"] = v->commit.hex();
        o["path"] = e.path;
        put_fields(o, p);
        o["body"] = p.body;
        prompts[e.name] = std::move(o);
        ++n;
    }
    bundle["prompts"] = std::move(prompts);
    *count = n;
    return bundle;
}

CheckReport check_files(const Catalog& cat, const std::vector<std::string>& paths) {
    CheckReport rep;
    std::vector<std::string> bad_names;
    std::vector<std::string> files = paths;
    if (files.empty()) {
        files = cat.worktree_paths(&bad_names);
    }
    for (const auto& b : bad_names) {
        rep.problems.push_back(
            {b, 0, "file name is not a valid prompt name",
             "rename it: letters, digits, '_', '-' and '/' folders, starting and ending with a "
             "letter or digit, no '.' before .prompt"});
    }
    for (const auto& f : files) {
        std::string abs = cat.top() + f;
        if (!is_regular_file(abs)) {
            rep.problems.push_back(
                {f, 0, path_exists(abs) ? "is not a regular file (a symbolic link?)" : "does not exist",
                 "prompt files are regular files under " + cat.config().prompts_dir + "/"});
            continue;
        }
        auto p = parse(read_file(abs, 16ull * 1024 * 1024), f);
        rep.problems.insert(rep.problems.end(), p.problems.begin(), p.problems.end());
        rep.warnings.insert(rep.warnings.end(), p.warnings.begin(), p.warnings.end());
    }
    rep.checked = files.size() + bad_names.size();
    return rep;
}

} // namespace mlci::prompt
