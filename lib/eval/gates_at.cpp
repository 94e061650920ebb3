// load_gates_at lives apart from the parser so that code which only parses gates.toml (the hooks'
// libgit2-free fast path, mlci-hook) links without libgit2.
#include "eval/gates.hpp"

#include "config/config.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <algorithm>

namespace mlci::eval {

std::optional<Gates> load_gates_at(const git::Repo& repo, const git::Oid& commit) {
    auto text = repo.blob_at(commit, k_gates_path);
    if (!text) {
        return std::nullopt;
    }
    return parse_gates(*text, std::string(k_gates_path) + " at " + commit.short_hex());
}

std::optional<Gates> gates_in_force(const git::Repo& repo, const git::Oid& commit, GatesFrom from,
                                    std::string* source) {
    std::optional<Gates> g;
    bool worktree = false;
    if (from == GatesFrom::worktree_else_commit) {
        worktree = !repo.is_bare() && is_regular_file(path_join(repo.workdir(), k_gates_path));
    } else if (!repo.is_bare()) {
        worktree = from == GatesFrom::worktree || path_exists(repo.workdir() + k_gates_path);
        if (!worktree) {
            return std::nullopt;
        }
    }
    if (worktree) {
        g = load_gates(repo.workdir());
        if (source) {
            *source = std::string(k_gates_path) + " of the work tree";
        }
        return g;
    }
    g = load_gates_at(repo, commit);
    if (!g && from == GatesFrom::worktree) {
        throw config_error(std::string(k_gates_path) + " does not exist in " + commit.short_hex());
    }
    if (g && source) {
        *source = std::string(k_gates_path) + " at " + commit.short_hex();
    }
    return g;
}

std::vector<std::string> configured_stages(const git::Repo& repo) {
    if (repo.is_bare()) {
        return Config{}.stages;
    }
    return load_config(repo.workdir(), repo.common_dir()).stages;
}

std::optional<Gate> gate_judging_suite(const git::Repo& repo, const git::Oid& commit,
                                       const std::string& suite) {
    std::optional<Gates> gates;
    if (!repo.is_bare()) {
        try {
            gates = load_gates(repo.workdir());
        } catch (const Error&) {
        }
    }
    if (!gates) {
        gates = load_gates_at(repo, commit);
    }
    if (gates) {
        for (const auto& g : gates->gates) {
            if (std::find(g.suites.begin(), g.suites.end(), suite) != g.suites.end()) {
                return g;
            }
        }
    }
    return std::nullopt;
}

} // namespace mlci::eval
