// A temporary detached worktree of one commit (`git worktree add --detach`), removed on destruction:
// where `git gate run --rev R` runs suites, so they measure R and not the work tree.
#pragma once

#include "git/repo.hpp"

#include <string>

namespace mlci::eval {

class TempWorktree {
  public:
    TempWorktree(const git::Repo& repo, const git::Oid& commit);
    ~TempWorktree();
    TempWorktree(const TempWorktree&) = delete;
    TempWorktree& operator=(const TempWorktree&) = delete;
    const std::string& path() const { return m_path; }

  private:
    std::string m_git_dir;
    std::string m_path;
};

} // namespace mlci::eval
