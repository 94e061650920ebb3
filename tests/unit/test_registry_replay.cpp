// lib/registry/replay: GTO's stage and deprecation model (gto/base.py), with every tie stated. Each case
// says what `gto show` prints for those tags; the derivation is in lib/registry/replay.hpp.
#include "registry/replay.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace mlci::registry::replay;

namespace {

// Versions 0, 1, 2 registered in that order, one second apart: the earlier registered wins a tie.
bool by_index(size_t a, size_t b) {
    return a < b;
}

StageTag assign(size_t v, const char* stage, int64_t t) {
    return StageTag{v, stage, true, t};
}
StageTag unassign(size_t v, const char* stage, int64_t t) {
    return StageTag{v, stage, false, t};
}

} // namespace

TEST_SUITE("registry replay") {
    TEST_CASE("one active version per stage, as mlci writes: the displaced one unassigned") {
        // v0 to dev at 10; v1 displaces it at 20/21 (unassign, then assign). GTO: dev = v1.
        std::vector<StageTag> tags = {assign(0, "dev", 10), unassign(0, "dev", 20), assign(1, "dev", 21)};
        auto cur = current_per_stage(tags, by_index);
        REQUIRE(cur.count("dev") == 1);
        CHECK(cur["dev"] == 1);
        CHECK(holders(tags, "dev", by_index) == std::vector<size_t>{1});
    }

    TEST_CASE("an assignment over a holder without unassigning it: both active, the newest current") {
        // `gto assign` of v1 over v0: GTO shows v1; unassigning v1 makes v0 current again.
        std::vector<StageTag> tags = {assign(0, "dev", 10), assign(1, "dev", 20)};
        CHECK(current_per_stage(tags, by_index)["dev"] == 1);
        CHECK(holders(tags, "dev", by_index) == std::vector<size_t>{1, 0});
        tags.push_back(unassign(1, "dev", 30));
        CHECK(current_per_stage(tags, by_index)["dev"] == 0);
        tags.push_back(unassign(0, "dev", 40));
        CHECK(current_per_stage(tags, by_index).count("dev") == 0);
    }

    TEST_CASE("order is by time, not by the order the tags are given (counter-less tags included)") {
        // A counter-less `NAME#dev` on v0 written at 50, after numbered assignments of v1 at 20 and 30:
        // GTO orders by time, so v0 holds dev.
        std::vector<StageTag> tags = {assign(0, "dev", 50), assign(1, "dev", 20), assign(1, "dev", 30)};
        CHECK(current_per_stage(tags, by_index)["dev"] == 0);
    }

    TEST_CASE("an unassignment in the same second as an assignment of that version and stage wins") {
        std::vector<StageTag> tags = {assign(0, "dev", 10), unassign(0, "dev", 10)};
        CHECK(current_per_stage(tags, by_index).count("dev") == 0);
        CHECK(active_stages(tags).empty());
        // One second later the assignment is newer again.
        tags.push_back(assign(0, "dev", 11));
        CHECK(current_per_stage(tags, by_index)["dev"] == 0);
    }

    TEST_CASE("assignments of two versions in one second: the version registered first wins") {
        std::vector<StageTag> tags = {assign(2, "prod", 10), assign(1, "prod", 10)};
        CHECK(current_per_stage(tags, by_index)["prod"] == 1);
        CHECK(holders(tags, "prod", by_index) == std::vector<size_t>{1, 2});
        // With the opposite registration order the other one wins: the rule, not the input order.
        auto reversed = [](size_t a, size_t b) { return a > b; };
        CHECK(current_per_stage(tags, reversed)["prod"] == 2);
    }

    TEST_CASE("stages are independent; an unassignment of another version changes nothing") {
        std::vector<StageTag> tags = {assign(0, "dev", 10), assign(1, "prod", 11), unassign(1, "dev", 12)};
        auto cur = current_per_stage(tags, by_index);
        CHECK(cur["dev"] == 0);
        CHECK(cur["prod"] == 1);
    }

    TEST_CASE("an unassignment before any assignment leaves nothing active; a later assignment counts") {
        std::vector<StageTag> tags = {unassign(0, "dev", 10)};
        CHECK(current_per_stage(tags, by_index).empty());
        tags.push_back(assign(0, "dev", 9));
        CHECK(current_per_stage(tags, by_index).empty());
        tags.push_back(assign(0, "dev", 11));
        CHECK(current_per_stage(tags, by_index)["dev"] == 0);
    }

    TEST_CASE("deprecation: only when strictly newer than every other event") {
        CHECK_FALSE(deprecated(std::nullopt, 10));
        CHECK(deprecated(20, 10));
        CHECK(deprecated(20, std::nullopt));
        // An event in the same second as the deprecation comes first in GTO's reversed order.
        CHECK_FALSE(deprecated(10, 10));
        // A version registered or assigned after the deprecation makes the artifact active again.
        CHECK_FALSE(deprecated(10, 11));
    }
}
