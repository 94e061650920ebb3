// The hooks' decisions that need no libgit2 (mlci-hook links this without it): what a push brings,
// and whether a checkout has artifacts to materialize. The repository is read directly (lib/git/lite)
// where it can be, else the git binary answers.
#include "hooks/hook.hpp"

#include "artifact/pointer.hpp"
#include "eval/gates.hpp"
#include "fsutil/file.hpp"
#include "git/lite/objects.hpp"
#include "hooks/gitcli.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <set>

namespace mlci::hooks {

bool PushUpdate::is_delete() const {
    return local_oid.find_first_not_of('0') == std::string::npos;
}

std::vector<PushUpdate> parse_push_lines(const std::string& input) {
    std::vector<PushUpdate> out;
    for (const auto& line : split_lines(input)) {
        if (trim(line).empty()) {
            continue;
        }
        // Ref names cannot hold spaces, so splitting on ' ' is exact.
        auto f = split(line, ' ');
        if (f.size() != 4) {
            throw input_error("pre-push: unexpected input line " + mlci::quoted(line));
        }
        out.push_back({f[0], f[1], f[2], f[3]});
    }
    return out;
}

namespace {

bool zero(const std::string& oid) {
    return oid.find_first_not_of('0') == std::string::npos;
}

// The same, read directly (lib/git/lite) when the remote's old tip lies on the pushed tip's first-parent
// chain, as it does for every fast-forward push: those chain commits are exactly what
// `git log --first-parent TIP ^OLD` lists. nullopt (git decides) for a new branch, a rewrite, a merge
// of the remote's side, a chain longer than 1,000 commits, or a repository the reader does not read.
std::optional<std::vector<std::string>> pushed_paths_lite(git::lite::Repo* repo, const PushUpdate& u,
                                                          std::vector<std::string>* commits) {
    if (repo == nullptr || zero(u.remote_oid)) {
        return std::nullopt;
    }
    auto tip = git::Oid::parse_hex(u.local_oid);
    auto old = git::Oid::parse_hex(u.remote_oid);
    if (!tip || !old) {
        return std::nullopt;
    }
    try {
        // First the chain alone (commit objects only), so a push we cannot place costs little.
        std::vector<std::pair<git::Oid, git::lite::Commit>> chain;
        git::Oid cur = *tip;
        while (cur != *old) {
            if (chain.size() >= 1000) {
                return std::nullopt;
            }
            auto obj = repo->read(cur);
            std::optional<git::lite::Commit> c;
            if (obj && obj->type == git::lite::Type::commit) {
                c = git::lite::parse_commit(obj->data);
            }
            if (!c || c->parents.empty()) {
                return std::nullopt; // unreadable, or the root reached without meeting the old tip
            }
            cur = c->parents[0];
            chain.emplace_back(cur, std::move(*c));
        }
        std::set<std::string> paths;
        std::vector<std::string> ids;
        git::Oid id = *tip;
        for (const auto& [parent, c] : chain) {
            ids.push_back(id.hex());
            for (auto& p : git::lite::changed_paths(*repo, c)) {
                paths.insert(std::move(p));
            }
            id = parent;
        }
        commits->insert(commits->end(), ids.begin(), ids.end());
        return std::vector<std::string>(paths.begin(), paths.end());
    } catch (const git::lite::Unsupported&) {
        return std::nullopt;
    }
}

// Paths changed by the commits this update brings to the remote.
std::vector<std::string> pushed_paths(git::lite::Repo* repo, const PushUpdate& u, const std::string& remote,
                                      std::vector<std::string>* commits) {
    if (auto lite = pushed_paths_lite(repo, u, commits)) {
        return std::move(*lite);
    }
    std::vector<std::string> args = {"log", "--format=%x01%H", "--name-only", "-z", "--no-renames",
                                     "-m",  "--first-parent",  u.local_oid};
    // The remote's old tip when we have it (one git process); else, or when git does not know that
    // commit, the commits not on any of the remote's tracking refs.
    GitOutput r;
    if (!zero(u.remote_oid)) {
        auto with_remote = args;
        with_remote.push_back("^" + u.remote_oid);
        r = run_git(with_remote);
    }
    if (zero(u.remote_oid) || !r.ok()) {
        args.push_back("--not");
        args.push_back("--remotes=" + remote);
        r = run_git(args);
    }
    if (!r.ok()) {
        throw Error(ErrorKind::git, "pre-push: cannot list the pushed commits: " + std::string(trim(r.err)));
    }
    std::set<std::string> paths;
    for (const auto& tok : split(r.out, '\0')) {
        std::string t(trim(tok));
        if (t.empty()) {
            continue;
        }
        if (t[0] == '\x01') {
            // "\x01<id>\n<first path>" — git separates the header from the first name by a newline.
            size_t nl = t.find('\n');
            commits->push_back(t.substr(1, nl == std::string::npos ? std::string::npos : nl - 1));
            if (nl != std::string::npos && nl + 1 < t.size()) {
                paths.insert(std::string(trim(t.substr(nl + 1))));
            }
            continue;
        }
        paths.insert(t);
    }
    return {paths.begin(), paths.end()};
}

} // namespace

PushPlan plan_push(const std::string& remote, const std::string& input) {
    PushPlan plan;
    auto updates = parse_push_lines(input);
    std::string top = "./";
    std::optional<eval::Gates> gates;
    if (path_exists(top + eval::k_gates_path)) {
        gates = eval::load_gates(top);
    }
    const eval::Gate* gate = eval::optional_gate(gates ? &*gates : nullptr, "pre-push");
    std::vector<std::string> inputs;
    if (gate != nullptr) {
        for (const auto& s : gate->suites) {
            if (const auto* def = gates->suite(s)) {
                inputs.insert(inputs.end(), def->inputs.begin(), def->inputs.end());
            }
        }
    }
    auto repo = git::lite::Repo::open();
    for (const auto& u : updates) {
        if (u.is_delete() || !u.is_branch()) {
            continue; // deletions and tags (and notes) carry nothing to gate
        }
        PushPlan::Item item{u, false, {}};
        bool pointer = false;
        for (const auto& p : pushed_paths(repo.get(), u, remote, &item.commits)) {
            for (const auto& g : inputs) {
                item.gated = item.gated || glob_match(g, p);
            }
            pointer = pointer || artifact::is_pointer_path(p);
        }
        plan.any_pointer = plan.any_pointer || pointer;
        if (item.gated || pointer) {
            plan.items.push_back(std::move(item));
        }
    }
    return plan;
}

bool tracks_pointers() {
    if (auto repo = git::lite::Repo::open()) {
        if (auto index = git::lite::read_index(repo->index_path())) {
            for (const auto& e : index->entries) {
                if (artifact::is_pointer_path(e.path)) {
                    return true;
                }
            }
            return false;
        }
    }
    auto ls = run_git({"ls-files", "-z", "--", "*.mlci"});
    if (!ls.ok()) {
        return true; // cannot tell: let the full path decide
    }
    for (const auto& p : split(ls.out, '\0')) {
        if (!p.empty() && artifact::is_pointer_path(p)) {
            return true;
        }
    }
    return false;
}

} // namespace mlci::hooks
