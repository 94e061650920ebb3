// What changed between base and head (changes.hpp): a tree diff (git::Repo::changed_paths), sorted into
// prompts, model pointers and other files. A version is named by content, not by ancestry: the version
// at a commit is the highest registered version whose tagged commit holds the same blob at that path, so
// a prompt edited after its last release reads "edited", and a revert to a release reads as that release.
#include "eval/changes.hpp"

#include "config/toml.hpp"
#include "registry/registry.hpp"
#include "util/error.hpp"

#include <algorithm>

namespace mlci::eval {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The highest version of `name` whose commit holds `blob` at `path` ("" when none).
std::string version_of(const git::Repo& repo, const std::vector<registry::VersionEntry>& versions,
                       const std::string& path, const std::optional<git::Oid>& blob) {
    if (!blob) {
        return "";
    }
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        if (repo.blob_id_at(it->commit, path) == blob) {
            return it->version.tag();
        }
    }
    return "";
}

// "xxh128:364b7492" of a pointer's text ("" when it does not read as one).
std::string short_hash(const std::optional<std::string>& text, const std::string& path) {
    if (!text) {
        return "";
    }
    try {
        toml::table t = parse_toml(*text, path, ErrorKind::input);
        auto h = t["hash"].value<std::string>();
        // Repository content: only "xxh128:" and hex digits are ever shown.
        if (!h || h->rfind("xxh128:", 0) != 0 || h->size() < 15 ||
            h->find_first_not_of("0123456789abcdef", 7) != std::string::npos) {
            return "";
        }
        return h->substr(0, 15);
    } catch (const Error&) {
        return "";
    }
}

ArtifactChange change_of(const git::Repo& repo, const registry::Registry& reg, const std::string& name,
                         const std::string& path, const git::Oid& base, const git::Oid& head, bool model) {
    ArtifactChange c;
    c.name = name;
    c.path = path;
    std::optional<git::Oid> b = repo.blob_id_at(base, path);
    std::optional<git::Oid> h = repo.blob_id_at(head, path);
    c.status = !b ? "added" : !h ? "removed" : "edited";
    auto versions = reg.versions(name);
    c.base_version = version_of(repo, versions, path, b);
    c.head_version = version_of(repo, versions, path, h);
    if (model) {
        c.base_hash = b ? short_hash(repo.blob(*b), path) : "";
        c.head_hash = h ? short_hash(repo.blob(*h), path) : "";
    }
    return c;
}

} // namespace

bool prompt_path(const std::string& path, std::string* name) {
    const std::string prefix = "prompts/";
    const std::string suffix = ".prompt";
    if (path.rfind(prefix, 0) != 0 || !ends_with(path, suffix) ||
        path.size() <= prefix.size() + suffix.size()) {
        return false;
    }
    *name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    return true;
}

bool pointer_path(const std::string& path, std::string* name) {
    if (!ends_with(path, ".mlci") || path.rfind(".mlci/", 0) == 0) {
        return false;
    }
    size_t slash = path.rfind('/');
    std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    *name = file.substr(0, file.find('.'));
    return !name->empty();
}

Changes changes_between(const git::Repo& repo, const git::Oid& base, const git::Oid& head) {
    Changes out;
    if (base == head) {
        return out;
    }
    std::vector<std::string> paths = repo.changed_paths(base, head);
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    std::optional<registry::Registry> reg;
    for (const auto& p : paths) {
        std::string name;
        bool prompt = prompt_path(p, &name);
        bool model = !prompt && pointer_path(p, &name);
        if (!prompt && !model) {
            if (out.other_first.size() < k_other_shown) {
                out.other_first.push_back(p);
            }
            ++out.other_count;
            continue;
        }
        if (!reg) {
            reg = registry::Registry::load(repo); // only when a prompt or model changed
        }
        (prompt ? out.prompts : out.models).push_back(change_of(repo, *reg, name, p, base, head, model));
    }
    return out;
}

std::string change_text(const ArtifactChange& c) {
    auto v = [](const std::string& s) { return s.empty() ? std::string("edited") : s; };
    if (c.status == "added") {
        std::string what = !c.head_version.empty() ? c.head_version : c.head_hash;
        return "added" + (what.empty() ? "" : " (" + what + ")");
    }
    if (c.status == "removed") {
        std::string what = !c.base_version.empty() ? c.base_version : c.base_hash;
        return "removed" + (what.empty() ? "" : " (was " + what + ")");
    }
    std::string out;
    if (!c.base_version.empty() || !c.head_version.empty()) {
        out = (c.base_version.empty() ? "unversioned" : c.base_version) + " → " + v(c.head_version);
    } else {
        out = "edited";
    }
    if (!c.base_hash.empty() || !c.head_hash.empty()) {
        out += " (" + (c.base_hash.empty() ? std::string("—") : c.base_hash) + " → " +
               (c.head_hash.empty() ? std::string("—") : c.head_hash) + ")";
    }
    return out;
}

} // namespace mlci::eval
