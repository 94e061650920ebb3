// `git gate log`'s reader (eval::metric_log in report.hpp) with the choice of walk, for tests and
// benchmarks: both give the same points, warnings and errors.
#pragma once

#include "eval/report.hpp"

namespace mlci::eval {

enum class LogWalk {
    automatic, // walk_by_time (git/time_walk.hpp) from one commit; libgit2's revwalk for ranges and for what
               // walk_by_time declines
    libgit2,   // libgit2's revwalk always
};

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count,
                                 LogWalk walker);

} // namespace mlci::eval
