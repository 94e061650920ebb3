// TempWorktree (worktree.hpp): `git worktree add --detach` under $GIT_DIR/mlci/worktrees, removed with
// --force on destruction (else rm -rf and prune); the destructor never throws.
#include "eval/worktree.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/proc.hpp"

namespace mlci::eval {

TempWorktree::TempWorktree(const git::Repo& repo, const git::Oid& commit) : m_git_dir(repo.common_dir()) {
    std::string base = m_git_dir + "mlci/worktrees";
    make_dirs(base);
    m_path = base + "/" + commit.short_hex(12) + "-" + random_suffix().substr(0, 8);
    util::ProcOptions opt;
    opt.argv = {"git",       "--git-dir=" + m_git_dir, "worktree", "add", "--detach", "--quiet", m_path,
                commit.hex()};
    opt.capture = true;
    opt.new_group = true;
    util::ProcResult r = util::run_process(opt);
    if (!r.ok()) {
        m_path.clear();
        throw Error(ErrorKind::git, "cannot check out " + commit.short_hex() +
                                        " into a temporary worktree: " + r.describe("git", 0) +
                                        (r.err.empty() ? "" : ": " + r.err));
    }
}

TempWorktree::~TempWorktree() {
    if (m_path.empty()) {
        return;
    }
    util::ProcOptions opt;
    opt.argv = {"git", "--git-dir=" + m_git_dir, "worktree", "remove", "--force", m_path};
    opt.capture = true;
    opt.new_group = true;
    try {
        if (!util::run_process(opt).ok()) {
            opt.argv = {"rm", "-rf", "--", m_path};
            util::run_process(opt);
            opt.argv = {"git", "--git-dir=" + m_git_dir, "worktree", "prune"};
            util::run_process(opt);
        }
    } catch (...) {
        // A destructor must not throw; a leftover worktree is pruned by `git worktree prune`.
    }
}

} // namespace mlci::eval
