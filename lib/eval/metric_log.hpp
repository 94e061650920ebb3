// `git gate log`'s reader (eval::metric_log in report.hpp) with the choice of threads, for tests and
// benchmarks: both ways give the same points, warnings and errors.
#pragma once

#include "eval/report.hpp"

namespace mlci::eval {

enum class LogThreads {
    automatic, // two when the machine has two cores and the whole range is read (no max_count)
    one,       // walk and read the notes on the calling thread
    two,       // read the notes on a second thread while the history is walked
};

std::vector<LogPoint> metric_log(const git::Repo& repo, const NotesStore& store, const std::string& metric,
                                 const std::string& suite, const std::string& range, size_t max_count,
                                 LogThreads threads);

} // namespace mlci::eval
