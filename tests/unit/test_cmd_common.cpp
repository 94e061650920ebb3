// cmd/common.hpp: the one mapping of verdicts and error kinds to exit codes (DESIGN.md section 7), which
// every main uses: pass 0, fail 1, cannot decide 2; a check that says no 1, every other error 2.
#include "common.hpp"

#include <doctest/doctest.h>

using namespace mlci;

TEST_SUITE("cmd.exit_code") {
    TEST_CASE("verdicts") {
        CHECK(cli::exit_code(eval::Verdict::pass) == 0);
        CHECK(cli::exit_code(eval::Verdict::fail) == 1);
        CHECK(cli::exit_code(eval::Verdict::undecided) == 2);
    }

    TEST_CASE("error kinds: a check says no with exit 1, every other kind is exit 2") {
        CHECK(cli::exit_code(ErrorKind::check) == 1);
        for (ErrorKind k :
             {ErrorKind::usage, ErrorKind::config, ErrorKind::input, ErrorKind::io, ErrorKind::git}) {
            CHECK(cli::exit_code(k) == 2);
        }
    }
}
