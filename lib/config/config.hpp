// `.mlci/config.toml` as typed structs (mlci-config(5)). Every key is validated: a wrong type is a
// config error naming file:line, an unknown key is a warning naming file:line, and a secret in a file of
// the work tree is refused (DESIGN.md section 8).
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlci {

struct RemoteConfig {
    std::string name;
    std::string url;
    int jobs = 0; // 0: the command's default
    // Packs (lib/artifact/pack, mlci-config(5)), every kind of store's:
    bool pack = true;                     // push bundles small objects into packs
    uint64_t pack_threshold = 1ull << 20; // objects smaller than this are packed
    uint64_t pack_size = 256ull << 20;    // the largest pack push writes
    double repack_below = 0.5;            // gc --remote rewrites a pack whose live share is lower
    uint64_t pack_gap = 1ull << 20;       // fetch reads neighbours this close in one ranged request
    /// The keys of a kind of store (such as endpoint and region of an S3 store), as that kind read them
    /// (config/reader.hpp RemoteKeyReader); empty when none was set.
    std::any settings;
};

struct CacheConfig {
    std::string dir;           // empty: <git common dir>/mlci/cache
    std::string link = "auto"; // auto | reflink | copy | hardlink | symlink
    std::string shared;        // "" | "group"
};

struct HooksConfig {
    uint64_t max_file_size = 10ull * 1024 * 1024;
    std::vector<std::string> large_file_allow;
    bool run_on_push = false;
    bool auto_pull = false;
};

/// The release keys of `[model.NAME]` (issue 17), beside its `path` (Config::models).
struct ModelMeta {
    std::vector<std::string> inputs; // pointer files, files and globs, relative to the repository's top
    std::string description;
    std::vector<std::string> labels;
};

struct Config {
    std::string source; // path the config came from ("" when absent)
    std::vector<std::string> stages = {"dev", "staging", "production"};
    std::string prompt_template = "mustache"; // [prompt] template: "mustache" | "jinja"
    bool require_order = true;
    std::string prompts_dir = "prompts";
    std::string default_remote; // [core] remote
    CacheConfig cache;
    HooksConfig hooks;
    std::map<std::string, RemoteConfig> remotes;
    std::map<std::string, std::string> models;   // [model.NAME] path = "…"
    std::map<std::string, ModelMeta> model_meta; // [model.NAME] inputs, description, labels

    /// The default store: [core] remote, else the single configured one; nullptr when none.
    const RemoteConfig* default_store() const;
    /// Position of a stage in `stages`, or -1.
    int stage_index(const std::string& stage) const;
};

/// Who wrote a config file. A file of the work tree may come from a clone: the keys that write outside
/// the repository or run code (cache.dir, cache.shared, hooks.run_on_push, hooks.auto_pull) are ignored
/// there with a warning; the user's own files (~/.config/mlci/config.toml, $GIT_COMMON_DIR/mlci/config.toml)
/// may set every key.
enum class Trust { work_tree, user };

/// Parse config text (named `source` in messages). Throws config_error.
Config parse_config(const std::string& text, const std::string& source, Trust trust = Trust::work_tree);

/// Load `<top>/.mlci/config.toml`, then the user's own files over it (user_config_paths), each
/// overriding the keys it sets; defaults when none exists. `common_dir` is the repository's git common
/// folder ("" to find it from `top`: GIT_DIR, .git, commondir).
Config load_config(const std::string& top, const std::string& common_dir = "");
/// load_config with the repository's own file given as text (nullopt: none): a bare repository has
/// no work tree, so `git model get` reads .mlci/config.toml from a commit (named `source`). The text
/// is trusted as a work-tree file is (Trust::work_tree), the user's own files apply over it.
Config load_config_over(const std::optional<std::string>& text, const std::string& source,
                        const std::string& top, const std::string& common_dir);
/// The user's config files, in the order they apply: ${XDG_CONFIG_HOME:-~/.config}/mlci/config.toml,
/// then $GIT_COMMON_DIR/mlci/config.toml (this clone's own, never committed).
std::vector<std::string> user_config_paths(const std::string& top, const std::string& common_dir);

/// Throws config_error (exit 2) when `text`, a file of the work tree named `source`, holds a secret:
/// a secret_access_key / session_token key, or a URL with user:pass@.
void refuse_secrets(const std::string& text, const std::string& source);

/// GTO's artifact and stage name rule: [a-zA-Z0-9]([a-zA-Z0-9/_-]*[a-zA-Z0-9])?, no empty folder.
bool valid_name(const std::string& name);
/// Same rule without '/', for stage names.
bool valid_stage_name(const std::string& name);

} // namespace mlci
