// git's config (config.hpp) through libgit2: multi-valued reads over every level, appends to the
// repository's own file.
#include "git/config.hpp"

#include "git/handle.hpp"

#include <git2.h>

#include <algorithm>

namespace mlci::git {

Config::Config(const Repo& repo) {
    check(git_repository_config(&m_all, repo.raw()), "cannot open git config");
    if (int rc = git_config_open_level(&m_local, m_all, GIT_CONFIG_LEVEL_LOCAL); rc < 0) {
        git_config_free(m_all);
        check(rc, "cannot open local git config");
    }
}

Config::~Config() {
    git_config_free(m_local);
    git_config_free(m_all);
}

namespace {

int collect(const git_config_entry* e, void* payload) {
    static_cast<std::vector<std::string>*>(payload)->emplace_back(e->value ? e->value : "");
    return 0;
}

} // namespace

std::vector<std::string> Config::strings(const std::string& key) const {
    std::vector<std::string> out;
    int rc = git_config_get_multivar_foreach(m_all, key.c_str(), nullptr, collect, &out);
    if (rc != GIT_ENOTFOUND) {
        check(rc, "cannot read git config " + key);
    }
    return out;
}

void Config::add_local_string(const std::string& key, const std::string& value) {
    // A regexp that matches no value: append rather than replace the values the key has.
    check(git_config_set_multivar(m_local, key.c_str(), "^\\b$", value.c_str()), "cannot set " + key);
}

bool Config::remove_local_value(const std::string& key, const std::string& value) {
    // The value as a POSIX extended regexp matching only itself.
    std::string re = "^";
    for (char c : value) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) {
            re += '\\';
        }
        re += c;
    }
    re += '$';
    auto held = [&] { // in the repository's own file
        std::vector<std::string> local;
        int rc = git_config_get_multivar_foreach(m_local, key.c_str(), nullptr, collect, &local);
        if (rc != GIT_ENOTFOUND) {
            check(rc, "cannot read git config " + key);
        }
        return std::count(local.begin(), local.end(), value);
    };
    auto before = held();
    if (before == 0) {
        return false;
    }
    int rc = git_config_delete_multivar(m_local, key.c_str(), re.c_str());
    if (rc == GIT_ENOTFOUND) {
        return false;
    }
    check(rc, "cannot unset " + key);
    return held() < before; // libgit2 returns 0 when nothing matched, too
}

} // namespace mlci::git
