// Graph and index queries for the artifact code (walk.hpp): reachable commits (git_revwalk), peeled
// commit tips of refs matching a glob (tags of non-commits skipped), and the index's paths.
#include "git/walk.hpp"

#include "git/handle.hpp"

#include <set>

namespace mlci::git {

std::vector<Oid> reachable_commits(const Repo& repo, const std::vector<Oid>& tips) {
    std::vector<Oid> out;
    if (tips.empty()) {
        return out;
    }
    Handle<git_revwalk> walk;
    check(git_revwalk_new(walk.out(), repo.raw()), "cannot walk history");
    git_revwalk_sorting(walk.get(), GIT_SORT_NONE);
    for (const auto& t : tips) {
        check(git_revwalk_push(walk.get(), to_git(t)), "cannot walk history from " + t.hex());
    }
    git_oid id;
    while (git_revwalk_next(&id, walk.get()) == 0) {
        out.push_back(from_git(&id));
    }
    return out;
}

namespace {
void peeled_tips(const Repo& repo, const std::string& glob, std::set<Oid>& seen, std::vector<Oid>& out) {
    {
        for (const auto& [name, target] : repo.refs_matching(glob)) {
            Handle<git_object> obj;
            if (git_object_lookup(obj.out(), repo.raw(), to_git(target), GIT_OBJECT_ANY) != 0) {
                continue;
            }
            Handle<git_object> peeled;
            if (git_object_peel(peeled.out(), obj.get(), GIT_OBJECT_COMMIT) != 0) {
                continue; // a tag of a blob or tree
            }
            Oid c = from_git(git_object_id(peeled.get()));
            if (seen.insert(c).second) {
                out.push_back(c);
            }
        }
    }
}
} // namespace

std::vector<Oid> ref_tips(const Repo& repo, bool all_branches, bool all_tags) {
    std::set<Oid> seen;
    std::vector<Oid> out;
    if (all_branches) {
        peeled_tips(repo, "refs/heads/*", seen, out);
    }
    if (all_tags) {
        peeled_tips(repo, "refs/tags/*", seen, out);
    }
    return out;
}

std::vector<Oid> ref_tips_matching(const Repo& repo, const std::string& glob) {
    std::set<Oid> seen;
    std::vector<Oid> out;
    peeled_tips(repo, glob, seen, out);
    return out;
}

std::vector<std::string> index_paths(const Repo& repo) {
    Handle<git_index> index;
    check(git_repository_index(index.out(), repo.raw()), "cannot read the index");
    std::vector<std::string> out;
    size_t n = git_index_entrycount(index.get());
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (const git_index_entry* e = git_index_get_byindex(index.get(), i)) {
            out.emplace_back(e->path);
        }
    }
    return out;
}

} // namespace mlci::git
