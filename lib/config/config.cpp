// `.mlci/config.toml` (config.hpp): typed readers that name file:line, the secret scan that refuses
// credentials in a work-tree file, and the trust rule: keys that write outside the repository or run
// code are ignored with a warning unless they come from the user's own config files.
#include "config/config.hpp"

#include "config/reader.hpp"
#include "config/toml.hpp"
#include "fsutil/file.hpp"
#include "fsutil/path.hpp"
#include "git/lite/discover.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cctype>
#include <cstdlib>
#include <set>

namespace mlci {

bool valid_name(const std::string& name) {
    if (name.empty() || name.size() > 200) {
        return false;
    }
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (!alnum(name.front()) || !alnum(name.back())) {
        return false;
    }
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (!(alnum(c) || c == '/' || c == '_' || c == '-')) {
            return false;
        }
        if (c == '/' && (name[i - 1] == '/' || !alnum(name[i + 1]))) {
            return false; // empty folder, or a folder name starting with '_'/'-' after '/'
        }
        if (c == '/' && !alnum(name[i - 1])) {
            return false;
        }
    }
    return true;
}

bool valid_stage_name(const std::string& name) {
    return valid_name(name) && name.find('/') == std::string::npos;
}

namespace {

// Does this (lower-cased) line assign `key`, anywhere on it? Inline tables put several keys on one line
// (`s3 = { url = "…", secret_access_key = "…" }`) and keys may be quoted or dotted, so every occurrence
// is checked: the name, preceded by no letter or digit, then an optional quote, blanks and '='.
bool assigns_key(std::string_view line, std::string_view key) {
    for (size_t pos = line.find(key); pos != std::string_view::npos; pos = line.find(key, pos + 1)) {
        if (pos > 0 && std::isalnum(static_cast<unsigned char>(line[pos - 1]))) {
            continue;
        }
        size_t j = pos + key.size();
        if (j < line.size() && (line[j] == '"' || line[j] == '\'')) {
            ++j;
        }
        while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) {
            ++j;
        }
        if (j < line.size() && line[j] == '=') {
            return true;
        }
    }
    return false;
}

// Does any URL on this line carry user:pass@ in its authority (the part before the first '/')?
bool url_with_password(std::string_view line) {
    for (size_t scheme = line.find("://"); scheme != std::string_view::npos;
         scheme = line.find("://", scheme + 3)) {
        size_t start = scheme + 3;
        size_t end = line.find_first_of("/\"' \t,}]", start);
        std::string_view authority = line.substr(start, end == std::string_view::npos ? end : end - start);
        size_t at = authority.rfind('@');
        if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

} // namespace

void refuse_secrets(const std::string& text, const std::string& source) {
    static const char* secret_keys[] = {"secret_access_key", "session_token", "secret-access-key",
                                        "session-token"};
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = trim(lines[i]);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::string lower = to_lower(line);
        for (const char* k : secret_keys) {
            if (assigns_key(lower, k)) {
                throw config_error(source + ":" + std::to_string(i + 1) + ": holds a secret ('" + k +
                                       "') in a file of the work tree",
                                   "remove it and use the environment (AWS_SECRET_ACCESS_KEY) or "
                                   "git config mlci.remote.NAME.secret-access-key");
            }
        }
        if (url_with_password(lower)) {
            throw config_error(source + ":" + std::to_string(i + 1) +
                                   ": a URL holds a password (user:pass@) in a file of the work tree",
                               "remove it and use the environment or git config for credentials");
        }
    }
}

namespace {

// A key that writes outside the repository or runs code may come only from the user's own files, never
// from one a clone brings (as git-lfs refuses lfs.storage from .lfsconfig).
bool local_only(const ConfigReader& rd, Trust trust, const toml::node& n, const std::string& key) {
    if (trust == Trust::user) {
        return false;
    }
    warn(where(rd.source, n) + ": '" + key +
         "' is ignored in a file of the work tree (a clone could set it to write outside the repository or "
         "run code); set it in .git/mlci/config.toml (this clone) or ~/.config/mlci/config.toml (you)");
    return true;
}

// [cache]: dir and shared only from the user's own files (local_only).
void read_cache_keys(const ConfigReader& rd, Trust trust, const toml::node& node, CacheConfig& cache) {
    const std::string source = rd.source;
    const std::string key = "cache";
    for (const auto& [ck, cn] : rd.table(node, key)) {
        std::string c(ck.str());
        if (c == "dir") {
            std::string dir = rd.string(cn, "cache.dir");
            if (!local_only(rd, trust, cn, "cache.dir")) {
                cache.dir = dir;
            }
        } else if (c == "link") {
            cache.link = rd.string(cn, "cache.link");
            static const std::set<std::string> modes = {"auto", "reflink", "copy", "hardlink", "symlink"};
            if (!modes.count(cache.link)) {
                throw config_error(where(source, cn) +
                                   ": cache.link must be one of auto, reflink, copy, "
                                   "hardlink, symlink (got '" +
                                   cache.link + "')");
            }
        } else if (c == "shared") {
            std::string shared = rd.string(cn, "cache.shared");
            if (!shared.empty() && shared != "group") {
                throw config_error(where(source, cn) + ": cache.shared must be \"group\" (got '" + shared +
                                   "')");
            }
            if (!local_only(rd, trust, cn, "cache.shared")) {
                cache.shared = shared;
            }
        } else {
            rd.unknown(cn, "cache." + c);
        }
    }
}

// [hooks]: run_on_push and auto_pull only from the user's own files (local_only).
void read_hooks_keys(const ConfigReader& rd, Trust trust, const toml::node& node, HooksConfig& hooks) {
    const std::string key = "hooks";
    for (const auto& [hk, hn] : rd.table(node, key)) {
        std::string h(hk.str());
        if (h == "max_file_size") {
            hooks.max_file_size = rd.size(hn, "hooks.max_file_size");
        } else if (h == "large_file_allow") {
            hooks.large_file_allow = rd.strings(hn, "hooks.large_file_allow");
        } else if (h == "run_on_push") {
            bool on = rd.boolean(hn, "hooks.run_on_push");
            if (!local_only(rd, trust, hn, "hooks.run_on_push")) {
                hooks.run_on_push = on;
            }
        } else if (h == "auto_pull") {
            bool on = rd.boolean(hn, "hooks.auto_pull");
            if (!local_only(rd, trust, hn, "hooks.auto_pull")) {
                hooks.auto_pull = on;
            }
        } else {
            rd.unknown(hn, "hooks." + h);
        }
    }
}

// [prompt]: template, the syntax of prompt files that do not say. Safe from a clone: it only chooses
// how text is parsed, never runs anything.
void read_prompt_keys(const ConfigReader& rd, const toml::node& node, Config& cfg) {
    for (const auto& [pk, pn] : rd.table(node, "prompt")) {
        std::string k(pk.str());
        if (k == "template") {
            std::string t = rd.string(pn, "prompt.template");
            if (t != "mustache" && t != "jinja") {
                throw config_error(where(rd.source, pn) +
                                   ": prompt.template must be \"mustache\" or \"jinja\" (got " + quoted(t) +
                                   ")");
            }
            cfg.prompt_template = t;
        } else {
            rd.unknown(pn, "prompt." + k);
        }
    }
}

// One key of [remote.NAME]: url and jobs are every store's; the rest belong to a kind of store, which
// reads them itself (remote_key_readers); a key none of them knows is warned about.
// pack_threshold, pack_size and pack_gap: sizes (bytes, or "1MiB"), each within its range. A pack must
// hold at least one object under the threshold after its 16-byte header.
void read_pack_size(const ConfigReader& rd, const std::string& key, const toml::node& n, RemoteConfig& r) {
    std::string name = "remote." + r.name + "." + key;
    uint64_t v = rd.size(n, name);
    constexpr uint64_t k_max_pack = 4ull << 30;
    if (key == "pack_threshold") {
        if (v > (64ull << 20)) {
            throw config_error(where(rd.source, n) + ": " + name + " must be at most 64MiB");
        }
        r.pack_threshold = v;
    } else if (key == "pack_size") {
        if (v < (1ull << 20) || v > k_max_pack) {
            throw config_error(where(rd.source, n) + ": " + name + " must be 1MiB to 4GiB");
        }
        r.pack_size = v;
    } else {
        if (v > (64ull << 20)) {
            throw config_error(where(rd.source, n) + ": " + name + " must be at most 64MiB");
        }
        r.pack_gap = v;
    }
}

void read_remote_key(const ConfigReader& rd, const std::string& key, const toml::node& n, RemoteConfig& r) {
    std::string name = "remote." + r.name + "." + key;
    if (key == "url") {
        r.url = rd.string(n, name);
    } else if (key == "jobs") {
        int64_t j = rd.integer(n, name);
        if (j < 1 || j > 256) {
            throw config_error(where(rd.source, n) + ": " + name + " must be 1 to 256");
        }
        r.jobs = static_cast<int>(j);
    } else if (key == "pack") {
        r.pack = rd.boolean(n, name);
    } else if (key == "pack_threshold" || key == "pack_size" || key == "pack_gap") {
        read_pack_size(rd, key, n, r);
    } else if (key == "repack_below") {
        double v = 0;
        if (n.is_floating_point()) {
            v = *n.value<double>();
        } else if (n.is_integer()) {
            v = static_cast<double>(*n.value<int64_t>());
        } else {
            rd.type_error(n, name, "a number from 0 to 1");
        }
        if (!(v >= 0 && v <= 1)) {
            throw config_error(where(rd.source, n) + ": " + name + " must be 0 to 1");
        }
        r.repack_below = v;
    } else {
        for (RemoteKeyReader read : remote_key_readers()) {
            if (read(rd, key, n, r)) {
                return;
            }
        }
        rd.unknown(n, name);
    }
}

// Apply one file's keys over cfg: a later file overrides the keys it sets.
void apply_config(Config& cfg, const std::string& text, const std::string& source, Trust trust) {
    refuse_secrets(text, source);
    toml::table root = parse_toml(text, source, ErrorKind::config);
    ConfigReader rd{source};
    for (const auto& [k, node] : root) {
        std::string key(k.str());
        if (key == "stages") {
            cfg.stages = rd.strings(node, key);
            std::set<std::string> seen;
            for (const auto& s : cfg.stages) {
                if (!valid_stage_name(s)) {
                    throw config_error(
                        where(source, node) + ": stage name '" + s +
                        "' is invalid (letters, digits, '_' and '-', starting and ending with a "
                        "letter or digit)");
                }
                if (!seen.insert(s).second) {
                    throw config_error(where(source, node) + ": stage '" + s + "' is listed twice");
                }
            }
        } else if (key == "require_order") {
            cfg.require_order = rd.boolean(node, key);
        } else if (key == "core") {
            for (const auto& [ck, cn] : rd.table(node, key)) {
                std::string c(ck.str());
                if (c == "remote") {
                    cfg.default_remote = rd.string(cn, "core.remote");
                } else if (c == "prompts_dir") {
                    cfg.prompts_dir = rd.string(cn, "core.prompts_dir");
                    // Prompt files are created there: it is a folder of the work tree like any pointer's.
                    if (std::string why = relative_path_problem(cfg.prompts_dir); !why.empty()) {
                        throw config_error(where(source, cn) + ": core.prompts_dir " +
                                               quoted(cfg.prompts_dir) + " is refused: " + why,
                                           "name a folder inside the repository, such as \"prompts\"");
                    }
                } else {
                    rd.unknown(cn, "core." + c);
                }
            }
        } else if (key == "prompt") {
            read_prompt_keys(rd, node, cfg);
        } else if (key == "cache") {
            read_cache_keys(rd, trust, node, cfg.cache);
        } else if (key == "hooks") {
            read_hooks_keys(rd, trust, node, cfg.hooks);
        } else if (key == "remote") {
            for (const auto& [rk, rn] : rd.table(node, key)) {
                RemoteConfig r;
                r.name = std::string(rk.str());
                for (const auto& [fk, fn] : rd.table(rn, "remote." + r.name)) {
                    read_remote_key(rd, std::string(fk.str()), fn, r);
                }
                if (r.url.empty()) {
                    throw config_error(where(source, rn) + ": remote." + r.name + " has no url");
                }
                cfg.remotes[r.name] = r;
            }
        } else if (key == "model") {
            for (const auto& [mk, mn] : rd.table(node, key)) {
                std::string name(mk.str());
                if (!valid_name(name)) {
                    throw config_error(where(source, mn) + ": model name '" + name + "' is invalid");
                }
                for (const auto& [fk, fn] : rd.table(mn, "model." + name)) {
                    std::string f(fk.str());
                    if (f == "path") {
                        std::string path = rd.string(fn, "model." + name + ".path");
                        std::string why = relative_path_problem(path);
                        if (why.empty() && !(path.ends_with(".mlci") && path.size() > 5)) {
                            why = "it is not a pointer file (….mlci)";
                        }
                        if (!why.empty()) {
                            throw config_error(where(source, fn) + ": model." + name + ".path " +
                                               quoted(path) + " is refused: " + why);
                        }
                        cfg.models[name] = path;
                    } else if (f == "inputs") {
                        auto inputs = rd.strings(fn, "model." + name + ".inputs");
                        for (const auto& in : inputs) {
                            if (std::string why = relative_path_problem(in); !why.empty()) {
                                throw config_error(where(source, fn) + ": model." + name + ".inputs " +
                                                   quoted(in) + " is refused: " + why);
                            }
                        }
                        cfg.model_meta[name].inputs = inputs;
                    } else if (f == "description") {
                        cfg.model_meta[name].description = rd.string(fn, "model." + name + ".description");
                    } else if (f == "labels") {
                        cfg.model_meta[name].labels = rd.strings(fn, "model." + name + ".labels");
                    } else {
                        rd.unknown(fn, "model." + name + "." + f);
                    }
                }
            }
        } else {
            rd.unknown(node, key);
        }
    }
}

void check_default_remote(const Config& cfg) {
    if (!cfg.default_remote.empty() && !cfg.remotes.count(cfg.default_remote)) {
        throw config_error(cfg.source + ": core.remote names '" + cfg.default_remote +
                           "', which no [remote." + cfg.default_remote + "] defines");
    }
}

} // namespace

Config parse_config(const std::string& text, const std::string& source, Trust trust) {
    Config cfg;
    cfg.source = source;
    apply_config(cfg, text, source, trust);
    check_default_remote(cfg);
    return cfg;
}

std::vector<std::string> user_config_paths(const std::string& top, const std::string& common_dir) {
    std::vector<std::string> out;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/') {
        out.push_back(path_join(xdg, "mlci/config.toml"));
    } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
        out.push_back(path_join(home, ".config/mlci/config.toml"));
    }
    std::string common = common_dir.empty() ? git::lite::common_dir_of(top) : common_dir;
    if (!common.empty()) {
        out.push_back(path_join(common, "mlci/config.toml"));
    }
    return out;
}

Config load_config(const std::string& top, const std::string& common_dir) {
    // The work tree's file (committed, or brought by a clone), then the user's own: ~/.config/mlci and
    // this clone's $GIT_COMMON_DIR/mlci, each overriding the keys it sets.
    auto text = read_file_below(top, ".mlci/config.toml", k_max_toml_bytes);
    return load_config_over(text, ".mlci/config.toml", top, common_dir);
}

Config load_config_over(const std::optional<std::string>& text, const std::string& source,
                        const std::string& top, const std::string& common_dir) {
    Config cfg;
    if (text) {
        if (text->size() > k_max_toml_bytes) {
            throw config_error(source + " is larger than " + std::to_string(k_max_toml_bytes) + " bytes");
        }
        cfg.source = source;
        apply_config(cfg, *text, cfg.source, Trust::work_tree);
    }
    for (const auto& path : user_config_paths(top, common_dir)) {
        if (auto text = read_file_if_exists(path, k_max_toml_bytes)) {
            if (cfg.source.empty()) {
                cfg.source = path;
            }
            apply_config(cfg, *text, path, Trust::user);
        }
    }
    check_default_remote(cfg);
    return cfg;
}

const RemoteConfig* Config::default_store() const {
    if (!default_remote.empty()) {
        auto it = remotes.find(default_remote);
        return it == remotes.end() ? nullptr : &it->second;
    }
    if (remotes.size() == 1) {
        return &remotes.begin()->second;
    }
    return nullptr;
}

int Config::stage_index(const std::string& stage) const {
    for (size_t i = 0; i < stages.size(); ++i) {
        if (stages[i] == stage) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

} // namespace mlci
