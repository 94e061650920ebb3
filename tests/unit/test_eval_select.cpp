// lib/eval/gates.hpp: select_gates and gates_in_force, the one choice of which gates apply and which
// gates.toml is in force, as `git gate check`, `git gate report`, promotion and pre-push make it.
#include "eval/gates.hpp"
#include "git/repo.hpp"
#include "util/error.hpp"

#include "temp_repo.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <string>
#include <vector>

using namespace mlci;
using mlci_test::TempRepo;

namespace {

const char* k_toml = R"([suite.s]
command = ["true"]

[gate.pre-push]
suites = ["s"]

[gate.staging]
suites = ["s"]

[gate.nightly]
suites = ["s"]
)";

std::vector<std::string> names(const std::vector<const eval::Gate*>& gates) {
    std::vector<std::string> out;
    for (const auto* g : gates) {
        out.push_back(g->name);
    }
    return out;
}

} // namespace

TEST_SUITE("eval.select_gates") {
    TEST_CASE("a name chooses that gate; unnamed, every gate not named like a stage") {
        auto gates = eval::parse_gates(k_toml, "g.toml");
        CHECK(names(eval::select_gates(gates, {"staging", {}, true})) == std::vector<std::string>{"staging"});
        CHECK(names(eval::select_gates(gates, {"", {"dev", "staging"}, true})) ==
              std::vector<std::string>{"pre-push", "nightly"});
        CHECK(names(eval::select_gates(gates, {"", {}, false})).size() == 3);
    }

    TEST_CASE("a missing name: an empty list, or a usage error naming the known gates") {
        auto gates = eval::parse_gates(k_toml, "g.toml");
        CHECK(eval::select_gates(gates, {"production", {}, false}).empty());
        try {
            eval::select_gates(gates, {"production", {}, true});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == "no gate 'production' in g.toml");
            CHECK(e.hint() == "known gates: pre-push, staging, nightly");
        }
        auto none = eval::parse_gates("[suite.s]\ncommand = [\"true\"]\n", "g.toml");
        try {
            eval::select_gates(none, {"x", {}, true});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.hint() == "add a [gate.x] table");
        }
    }

    TEST_CASE("unnamed with every gate a stage's is a config error") {
        auto gates = eval::parse_gates(k_toml, "g.toml");
        try {
            eval::select_gates(gates, {"", {"pre-push", "staging", "nightly"}, true});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::config);
            CHECK(std::string(e.what()) == "g.toml defines no gate to check");
        }
    }

    TEST_CASE("optional_gate") {
        auto gates = eval::parse_gates(k_toml, "g.toml");
        CHECK(eval::optional_gate(nullptr, "pre-push") == nullptr);
        CHECK(eval::optional_gate(&gates, "dev") == nullptr);
        REQUIRE(eval::optional_gate(&gates, "pre-push") != nullptr);
        CHECK(eval::optional_gate(&gates, "pre-push")->name == "pre-push");
    }
}

TEST_SUITE("eval.gates_in_force") {
    TEST_CASE("work tree, committed file, or none, by caller") {
        TempRepo t;
        t.git({"init", "-q"});
        t.write("a.txt", "a\n");
        git::Oid without = t.commit_all("no gates");
        t.write(".mlci/gates.toml", k_toml);
        git::Oid with = t.commit_all("gates");
        git::Repo repo = git::Repo::open(t.top);
        std::string source;
        REQUIRE(eval::gates_in_force(repo, without, eval::GatesFrom::worktree_else_commit, &source));
        CHECK(source == ".mlci/gates.toml of the work tree");
        CHECK(eval::gates_in_force(repo, without, eval::GatesFrom::worktree));
        std::filesystem::remove(t.top + "/.mlci/gates.toml");
        CHECK_FALSE(eval::gates_in_force(repo, with, eval::GatesFrom::worktree_if_any));
        CHECK_FALSE(eval::gates_in_force(repo, without, eval::GatesFrom::worktree_else_commit));
        REQUIRE(eval::gates_in_force(repo, with, eval::GatesFrom::worktree_else_commit, &source));
        CHECK(source == ".mlci/gates.toml at " + with.short_hex());
        CHECK_THROWS_AS(eval::gates_in_force(repo, with, eval::GatesFrom::worktree), Error);
    }
}
