// Unit tests for lib/promote: a tag's Mlci-Gate trailers are the tag's claim (issue 12); history shows
// them as verified only when the notes of the tag's commit agree with every result they quote.
#include "eval/note.hpp"
#include "promote/promote.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace mlci;
using promote::gate_lines_agree;

namespace {

const git::Oid k_commit = git::Oid::from_hex("3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c");

std::optional<eval::Note> note_with(std::vector<std::pair<std::string, double>> metrics) {
    eval::Run r;
    r.suite = "quality";
    r.id = "1";
    r.metrics = std::move(metrics);
    eval::Note n;
    n.runs.push_back(r);
    return n;
}

} // namespace

TEST_SUITE("gate_lines_agree") {
    TEST_CASE("lines written by mlci agree with the notes they came from") {
        auto cand = note_with({{"accuracy", 0.9}, {"exact match", 0.75}});
        auto base = note_with({{"accuracy", 0.91}});
        CHECK(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.9 min 0.8 pass"}, k_commit,
                               cand, std::nullopt));
        CHECK(gate_lines_agree({"staging passed (candidate 3f9a1c2, baseline 0d1e2f3)",
                                "accuracy 0.9 (baseline 0.91) max_drop 2% pass",
                                "exact match 0.75 min 0.5 pass", "suite other has no result",
                                "order: clf v1 was never in dev (forced)"},
                               k_commit, cand, base));
        // A failing rule, honestly written, agrees too (a forced promotion).
        CHECK(gate_lines_agree({"staging failed (forced) (candidate 3f9a1c2)", "accuracy 0.9 min 0.95 fail"},
                               k_commit, cand, std::nullopt));
        // A relative rule skipped for want of a baseline.
        CHECK(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.9 max_drop 2% skip"},
                               k_commit, cand, std::nullopt));
    }
    TEST_CASE("a hand-made claim is not verified") {
        auto real = note_with({{"accuracy", 0.5}});
        // The value is not in the notes.
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.99 min 0.8 pass"},
                                     k_commit, real, std::nullopt));
        // The value is, but the verdict does not follow from it.
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.5 min 0.8 pass"},
                                     k_commit, real, std::nullopt));
        // Another commit named as the candidate, or none.
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 0000000)", "accuracy 0.5 min 0.1 pass"},
                                     k_commit, real, std::nullopt));
        CHECK_FALSE(gate_lines_agree({"accuracy 0.5 min 0.1 pass"}, k_commit, real, std::nullopt));
        // No notes at all, or a line in no format mlci writes.
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.5 min 0.1 pass"},
                                     k_commit, std::nullopt, std::nullopt));
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.99"}, k_commit, real,
                                     std::nullopt));
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2)", "accuracy 0.5 min lots pass"},
                                     k_commit, real, std::nullopt));
        // A relative rule whose baseline value is not in the baseline's notes.
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2, baseline 0d1e2f3)",
                                      "accuracy 0.5 (baseline 0.5) max_drop 2% pass"},
                                     k_commit, real, note_with({{"accuracy", 0.9}})));
        CHECK_FALSE(gate_lines_agree({"staging passed (candidate 3f9a1c2, baseline 0d1e2f3)",
                                      "accuracy 0.5 (baseline 0.5) max_drop 2% pass"},
                                     k_commit, real, std::nullopt));
    }
}
