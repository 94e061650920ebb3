// Why a case passed or failed, as a results file tells it (issue 16, part 4): what was expected, what the
// model or program answered, and the tool's reason. Read from a run's details object — the full results
// file the tool wrote — by the reader of its format; shown by `git gate check` and `report` for flipped cases.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlci::eval {

struct CaseDetail {
    std::string expected; // the expected value or assertion ("" when the format has none)
    std::string output;   // the candidate's answer or the test's output
    std::string reason;   // the tool's reason: a failed assertion, an error message
};

/// Case id → its detail, in the results file's order.
using CaseDetails = std::vector<std::pair<std::string, CaseDetail>>;

} // namespace mlci::eval
