// The prompts of a repository (catalog.hpp): the work tree's prompt files (listed without following
// symlinks), their content at registered versions, and the bump plan and tags of `git prompt bump`.
#include "prompt/catalog.hpp"

#include "fsutil/dir.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <dirent.h>
#include <set>
#include <sys/stat.h>

namespace mlci::prompt {

namespace {

// Recursive listing without following symlinks (a symlinked folder could leave the repository). The
// type comes from the folder listing where the filesystem gives it (no lstat per prompt file).
void walk(const std::string& abs, const std::string& rel, std::vector<std::string>& out) {
    std::vector<std::pair<std::string, unsigned char>> entries;
    list_dir(abs, [&](const DirEntry& e) { entries.emplace_back(e.name, e.type); });
    std::sort(entries.begin(), entries.end());
    for (auto& [n, type] : entries) {
        std::string a = abs + "/" + n;
        std::string r = rel.empty() ? n : rel + "/" + n;
        if (type == DT_UNKNOWN) {
            struct stat st {};
            if (lstat(a.c_str(), &st) != 0) {
                continue;
            }
            type = S_ISDIR(st.st_mode)   ? DT_DIR
                   : S_ISREG(st.st_mode) ? DT_REG
                   : S_ISLNK(st.st_mode) ? DT_LNK
                                         : 0;
        }
        if (type == DT_DIR) {
            walk(a, r, out);
        } else if ((type == DT_REG || type == DT_LNK) && n.size() > 7 &&
                   n.compare(n.size() - 7, 7, ".prompt") == 0) {
            out.push_back(r);
        }
    }
}

} // namespace

Catalog::Catalog(git::Repo& repo, Config cfg)
    : m_repo(repo), m_cfg(std::move(cfg)), m_top(repo.workdir()), m_reg(registry::Registry::load(repo)) {}

Catalog::Catalog(git::Repo& repo, Config cfg, const std::string& only)
    : m_repo(repo), m_cfg(std::move(cfg)), m_top(repo.workdir()), m_only(only),
      m_reg(registry::Registry::load_named(repo, only)) {}

std::vector<std::string> Catalog::worktree_paths(std::vector<std::string>* bad_names) const {
    std::vector<std::string> rel;
    walk(m_top + m_cfg.prompts_dir, "", rel);
    std::vector<std::string> out;
    for (const auto& r : rel) {
        std::string path = m_cfg.prompts_dir + "/" + r;
        auto name = name_of_path(path, m_cfg.prompts_dir);
        if (!name || !valid_name(*name)) {
            if (bad_names != nullptr) {
                bad_names->push_back(path);
            }
            continue;
        }
        out.push_back(path);
    }
    return out;
}

bool Catalog::is_prompt(const std::string& name) const {
    if (path_exists(m_top + path_of_name(name, m_cfg.prompts_dir))) {
        return true;
    }
    auto latest = m_reg.latest(name);
    return latest && prompt_blob_at(latest->commit, path_of_name(name, m_cfg.prompts_dir)).has_value();
}

Entry Catalog::entry(const std::string& name) const {
    return entry_with(name, nullptr);
}

Entry Catalog::entry_with(const std::string& name, const WorktreeIds* ids) const {
    Entry e;
    e.name = name;
    e.path = path_of_name(name, m_cfg.prompts_dir);
    e.latest = m_reg.latest(name);
    e.stages = m_reg.stages(name);
    e.deprecated = m_reg.deprecation(name);
    // The index's id of a file it vouches for (a regular file that is there: no second stat for
    // in_worktree), else the id of the bytes read now.
    std::optional<git::Oid> now = e.latest && ids != nullptr ? ids->clean_id(e.path) : std::nullopt;
    e.in_worktree = now.has_value() || path_exists(m_top + e.path);
    if (e.latest) {
        auto at = prompt_blob_at(e.latest->commit, e.path);
        if (!now) {
            if (auto text = worktree_content(name)) {
                now = git::Repo::hash_blob(*text);
            }
        }
        e.changed = !at || !now || *now != *at;
    } else {
        e.changed = e.in_worktree;
    }
    return e;
}

std::optional<git::Oid> Catalog::prompt_blob_at(const git::Oid& commit, const std::string& path) const {
    constexpr int k_list_after = 8;
    CommitBlobs& c = m_blobs[commit];
    if (!c.listing && ++c.lookups >= k_list_after) {
        c.listing.emplace();
        for (auto& f : m_repo.files_at(commit, m_cfg.prompts_dir)) {
            c.listing->emplace(std::move(f.path), f.blob);
        }
    }
    if (!c.listing) {
        return m_repo.blob_id_at(commit, path);
    }
    auto it = c.listing->find(path);
    return it == c.listing->end() ? std::nullopt : std::optional<git::Oid>(it->second);
}

std::vector<Entry> Catalog::entries() const {
    std::set<std::string> names;
    for (const auto& p : worktree_paths()) {
        names.insert(*name_of_path(p, m_cfg.prompts_dir));
    }
    for (const auto& n : m_reg.names()) {
        if (!names.count(n) && is_prompt(n)) {
            names.insert(n);
        }
    }
    WorktreeIds ids(m_repo.git_dir() + "index", m_top);
    std::vector<Entry> out;
    out.reserve(names.size());
    for (const auto& n : names) {
        out.push_back(entry_with(n, &ids));
    }
    return out;
}

std::string Catalog::content_at(const registry::VersionEntry& v) const {
    std::string path = path_of_name(v.name, m_cfg.prompts_dir);
    auto blob = m_repo.blob_at(v.commit, path);
    if (!blob) {
        throw input_error(v.name + "@" + v.version.tag() + " is not a prompt: commit " +
                          v.commit.short_hex() + " has no " + path);
    }
    return *blob;
}

std::optional<std::string> Catalog::worktree_content(const std::string& name) const {
    std::string rel = path_of_name(name, m_cfg.prompts_dir);
    struct stat st {};
    if (lstat((m_top + rel).c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        throw input_error(rel + " is a symbolic link",
                          "prompt files must be regular files in the repository");
    }
    // No link anywhere on the way either: a clone's prompts/ folder may not lead elsewhere.
    return read_file_below(m_top, rel, 16ull * 1024 * 1024);
}

std::string Catalog::content_of(const std::string& spec, std::string* resolved) const {
    if (spec.find_first_of("@#") == std::string::npos) {
        if (!valid_name(spec)) {
            throw input_error("invalid prompt name '" + spec + "'");
        }
        auto text = worktree_content(spec);
        if (!text) {
            throw input_error("no prompt '" + spec + "' in the work tree (" +
                                  path_of_name(spec, m_cfg.prompts_dir) + ")",
                              "for a registered version write " + spec + "@latest");
        }
        if (resolved != nullptr) {
            *resolved = spec + " (work tree)";
        }
        return *text;
    }
    auto v = m_reg.resolve(spec, m_cfg);
    if (resolved != nullptr) {
        *resolved = v.name + "@" + v.version.tag();
    }
    return content_at(v);
}

std::string create_prompt(const Catalog& cat, const std::string& name, const std::string& description,
                          const std::vector<std::string>& vars) {
    if (!valid_name(name)) {
        throw usage_error(
            "invalid prompt name '" + name + "'",
            "names use letters, digits, '_', '-' and '/' folders, start and end with a letter or digit, "
            "and have no '.'");
    }
    for (const auto& v : vars) {
        auto p = parse("{{" + v + "}}", "--var");
        if (p.placeholders.size() != 1 || p.placeholders[0].name != v) {
            throw usage_error("invalid variable name '" + v + "'",
                              "letters, digits and '_', not starting with a digit");
        }
    }
    std::string rel = path_of_name(name, cat.config().prompts_dir);
    std::string path = cat.top() + rel;
    if (path_exists(path)) {
        throw input_error(rel + " already exists", "edit it, or choose another name");
    }
    if (std::string link = link_on_way(cat.top(), rel); !link.empty()) {
        throw input_error(mlci::quoted(rel) + " lies below " + mlci::quoted(link) +
                              ", which is a symbolic link or not a folder; mlci never writes through links",
                          "replace the link with a real folder");
    }
    make_dirs(dirname_of(path));
    write_file_atomic(path, scaffold(name, description, vars));
    return rel;
}

std::string BumpItem::describe() const {
    bool agrees = (why.level == Classification::Level::major && level == Version::Level::major) ||
                  (why.level == Classification::Level::minor && level == Version::Level::minor) ||
                  (why.level == Classification::Level::patch && level == Version::Level::patch);
    if (!explicit_level || agrees) {
        return why.str();
    }
    return std::string(mlci::level_name(level)) + " (requested; classifier: " + why.str() + ")";
}

// --- bump -----------------------------------------------------------------------------------------------

namespace {

// The prompt NAME as committed at HEAD, refusing what a version cannot tag: an invalid name, a file that
// is not committed or has uncommitted changes, a file with problems.
struct Committed {
    std::string path;
    git::Oid blob;
    PromptFile file;
};

Committed committed_prompt(Catalog& cat, const git::Oid& head, const std::string& name) {
    git::Repo& repo = cat.repo();
    if (!valid_name(name)) {
        throw input_error("invalid prompt name '" + name + "'",
                          "names use letters, digits, '_', '-' and '/' folders, and have no '.'");
    }
    std::string path = path_of_name(name, cat.config().prompts_dir);
    auto now = cat.worktree_content(name);
    auto at_head = repo.blob_id_at(head, path);
    if (!at_head) {
        if (now) {
            throw input_error(path + " is not committed",
                              "commit it first: git add " + path + " && git commit");
        }
        throw input_error("no prompt '" + name + "' (" + path + " does not exist)");
    }
    if (!now || git::Repo::hash_blob(*now) != *at_head) {
        throw input_error(path + " has uncommitted changes",
                          "commit them first (a version tags a commit), or restore the file");
    }
    std::string text = repo.blob(*at_head);
    PromptFile after = parse(text, path, default_syntax(cat.config()));
    if (!after.ok()) {
        std::string msg = after.problems.front().str();
        if (after.problems.size() > 1) {
            msg += " (and " + std::to_string(after.problems.size() - 1) + " more)";
        }
        throw input_error(msg, "run git prompt check to see every problem");
    }
    return {path, *at_head, std::move(after)};
}

// The level applied (given, else the classifier's) and the version it leads to from `from`.
void set_level(BumpItem& item, const Version& from, const BumpOptions& opts) {
    Version::Level level = Version::Level::patch;
    if (opts.level) {
        level = *opts.level;
        item.explicit_level = true;
    } else if (item.why.level == Classification::Level::major) {
        level = Version::Level::major;
    } else if (item.why.level == Classification::Level::minor) {
        level = Version::Level::minor;
    }
    item.level = level;
    item.to = from.bumped(level, opts.pre);
}

} // namespace

std::vector<BumpItem> plan_bump(Catalog& cat, const BumpOptions& opts) {
    git::Repo& repo = cat.repo();
    const std::string& dir = cat.config().prompts_dir;
    auto head = repo.head();
    if (!head) {
        throw input_error("nothing is committed yet", "commit the prompt first, then bump");
    }
    std::vector<std::string> names = opts.names;
    bool all = names.empty();
    if (all) {
        std::vector<std::string> bad;
        for (const auto& p : cat.worktree_paths(&bad)) {
            names.push_back(*name_of_path(p, dir));
        }
        if (!bad.empty()) {
            throw input_error(
                "invalid prompt file name " + mlci::quoted(bad.front()),
                "names use letters, digits, '_', '-' and '/' folders, start and end with a letter or "
                "digit, and have no '.'");
        }
    }
    std::vector<BumpItem> plan;
    std::vector<std::string> unchanged;
    for (const auto& name : names) {
        Committed c = committed_prompt(cat, *head, name);
        const std::string& path = c.path;
        const git::Oid& at_head = c.blob;
        const PromptFile& after = c.file;
        const auto& reg = cat.registry();
        // The highest version, pre-releases included, is what a bump moves on from.
        auto all_versions = reg.versions(name);
        std::optional<registry::VersionEntry> top;
        if (!all_versions.empty()) {
            top = all_versions.back();
        }
        BumpItem item;
        item.name = name;
        item.path = path;
        item.blob = at_head;
        if (top) {
            auto before_blob = repo.blob_id_at(top->commit, path);
            bool same = before_blob && *before_blob == at_head;
            bool release_of_pre = same && !all && top->version.is_prerelease() && opts.pre.empty();
            if (release_of_pre) {
                // Releasing a pre-release as it is: a change of status, not of content. It needs only a
                // new commit (one version per commit); the class is that of the change since the last
                // release.
                std::optional<registry::VersionEntry> release;
                for (auto it = all_versions.rbegin(); it != all_versions.rend(); ++it) {
                    if (!it->version.is_prerelease()) {
                        release = *it;
                        break;
                    }
                }
                auto release_blob = release ? repo.blob_id_at(release->commit, path) : std::nullopt;
                if (!release) {
                    item.why.level = Classification::Level::minor;
                    item.why.reason = "first version";
                } else if (!release_blob || *release_blob != at_head) {
                    PromptFile base = parse(release_blob ? repo.blob(*release_blob) : std::string(), path,
                                            default_syntax(cat.config()));
                    item.why = classify(base, after);
                    item.why.reason += ", since " + release->version.tag();
                }
                same = item.why.level == Classification::Level::none;
            }
            if (same) {
                if (!all) {
                    throw input_error(name + " has not changed since " + top->version.tag(),
                                      "edit and commit the prompt first; a version marks a change");
                }
                unchanged.push_back(name);
                continue;
            }
            if (!release_of_pre) {
                PromptFile before = parse(before_blob ? repo.blob(*before_blob) : std::string(), path,
                                          default_syntax(cat.config()));
                item.why = classify(before, after);
            }
            item.from = top->version;
        } else {
            item.why.level = Classification::Level::minor;
            item.why.reason = "first version";
        }
        // One version of a name per commit (GTO): refuse while planning, so --dry-run says so too and a
        // bump of several prompts writes no tag when one of them cannot be tagged.
        if (auto carried = reg.version_at(name, *head)) {
            throw input_error("commit " + head->short_hex() + " already carries " + name + "@" +
                                  carried->version.tag() + " (one version of a name per commit)",
                              carried->version.is_prerelease() && opts.pre.empty()
                                  ? "a release needs a commit of its own: git commit --allow-empty -m "
                                    "'Release " +
                                        name + "', then bump"
                                  : "commit a change first, then bump");
        }
        set_level(item, top ? top->version : Version{}, opts);
        plan.push_back(std::move(item));
    }
    if (plan.empty()) {
        throw input_error(all ? "no prompt has changed since its last version" : "nothing to bump",
                          "edit and commit a prompt first; a version marks a change");
    }
    return plan;
}

std::vector<std::string> apply_bump(Catalog& cat, const std::vector<BumpItem>& plan,
                                    const std::string& message) {
    auto head = cat.repo().head();
    std::vector<std::string> tags;
    for (const auto& item : plan) {
        registry::Evidence ev;
        ev.kind = "prompt";
        ev.path = item.path;
        ev.object = item.blob.hex();
        ev.bump = item.describe();
        ev.body = message;
        tags.push_back(cat.registry().create_version(cat.repo(), item.name, item.to, *head, ev));
        cat.reload_registry();
    }
    return tags;
}

} // namespace mlci::prompt
