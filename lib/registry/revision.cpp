// Revisions as the gate commands take them (revision.hpp): registry specs first when they name a
// registered NAME, git revisions otherwise.
#include "registry/revision.hpp"

#include "config/config.hpp"
#include "util/error.hpp"

namespace mlci::registry {

namespace {

// The config whose stages Registry::resolve reads ("NAME@canary" is a stage when listed there); the
// defaults in a bare repository, which has no work tree to hold .mlci/config.toml.
Config config_of(const git::Repo& repo) {
    if (repo.is_bare()) {
        return Config{};
    }
    return load_config(repo.workdir(), repo.common_dir());
}

bool maybe_spec(const std::string& rev) {
    return rev.find_first_of("@#") != std::string::npos && rev.find("@{") == std::string::npos;
}

} // namespace

std::string RevTarget::describe() const {
    if (version) {
        return version->name + " " + version->version.tag() + " (" + commit.short_hex() + ")";
    }
    return commit.short_hex();
}

bool is_registry_spec(const Registry& reg, const std::string& rev) {
    if (!maybe_spec(rev)) {
        return false;
    }
    std::string name = rev.substr(0, rev.find_first_of("@#"));
    return !name.empty() && reg.has(name);
}

RevTarget resolve_rev(const git::Repo& repo, const std::string& rev) {
    if (maybe_spec(rev)) {
        Registry reg = Registry::load(repo);
        if (is_registry_spec(reg, rev)) {
            VersionEntry v = reg.resolve(rev, config_of(repo));
            return {v.commit, v};
        }
        if (auto c = repo.resolve_commit(rev)) {
            return {*c, std::nullopt};
        }
        std::string name = rev.substr(0, rev.find_first_of("@#"));
        throw input_error("unknown revision '" + rev + "'",
                          "'" + name + "' is no registered name (see: git model stages, git prompt list) " +
                              "and no branch, tag or commit id");
    }
    return {repo.commit_of(rev), std::nullopt};
}

git::Oid commit_of_rev(const git::Repo& repo, const std::string& rev) {
    return resolve_rev(repo, rev).commit;
}

} // namespace mlci::registry
