// The index check of `git model add` without libgit2 (tracked_by_git), against libgit2's. (Finding the
// repository without libgit2 is tested with it, in test_git_lite_discover.cpp.)
#include "artifact/workspace.hpp"
#include "git/walk.hpp"
#include "temp_repo.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using namespace mlci::artifact;
using mlci_test::TempRepo;

TEST_SUITE("tracked_by_git") {
    TEST_CASE("a file or a folder in the index, read without libgit2, as libgit2 answers") {
        TempRepo t;
        t.git({"init", "-q"});
        t.write("data/x.bin", "x");
        t.write("data-1/y", "y");
        t.write("dat", "d");
        t.git({"add", "data", "data-1", "dat"});
        t.write("free.bin", "not added");
        Context ctx = Context::open(t.top);
        std::vector<std::string> rels{"data/x.bin", "data",   "dat", "data-1",       "data-1/y",
                                      "free.bin",   "data/x", "da",  "data/x.bin/z", "zzz"};
        std::vector<bool> fast;
        for (const auto& rel : rels) {
            fast.push_back(tracked_by_git(ctx, rel));
        }
        CHECK_FALSE(ctx.repo.opened()); // the index was read without libgit2
        CHECK(fast == std::vector<bool>{true, true, true, true, true, false, false, false, false, false});
        ctx.repo.get(); // from now on the index is read through libgit2
        CHECK(ctx.repo.opened());
        for (size_t i = 0; i < rels.size(); ++i) {
            CAPTURE(rels[i]);
            CHECK(fast[i] == tracked_by_git(ctx, rels[i]));
        }
        CHECK(tracked_by_git(ctx, "data"));
        CHECK_FALSE(tracked_by_git(ctx, "free.bin"));
    }

    TEST_CASE("a Context opened without libgit2 still opens it when a command needs git objects") {
        TempRepo t;
        t.git({"init", "-q"});
        t.write("README", "r");
        t.git({"add", "README"});
        t.git({"commit", "-q", "-m", "one"});
        Context ctx = Context::open(t.top);
        CHECK_FALSE(ctx.repo.opened());
        auto head = ctx.repo.head();
        REQUIRE(head);
        CHECK(ctx.repo.opened());
        CHECK(ctx.repo.blob_at(*head, "README") == std::optional<std::string>("r"));
    }
}

TEST_SUITE("target_conflicts") {
    PointerFile pointer_at(const std::string& pointer, const std::string& target, bool dir, char fill = 'a') {
        PointerFile pf;
        pf.pointer = pointer;
        pf.target = target;
        pf.p.path = target.substr(target.rfind('/') + 1);
        pf.p.is_dir = dir;
        parse_hash_id("xxh128:" + std::string(32, fill), &pf.p.hash);
        return pf;
    }

    TEST_CASE("a pointer may name only a file of its own") {
        TempRepo t;
        t.git({"init", "-q"});
        t.write("README.md", "r");
        t.write(".mlci/config.toml", "");
        t.git({"add", "README.md", ".mlci"});
        Context ctx = Context::open(t.top);
        std::vector<PointerFile> ps{
            pointer_at("ok.bin.mlci", "ok.bin", false),
            pointer_at("r.mlci", "README.md", false),           // tracked by git
            pointer_at("a.mlci", "b.mlci", false),              // another pointer
            pointer_at("b.mlci", "data", true),                 // a tracked folder...
            pointer_at("data/inner.mlci", "data/inner", false), // ...holding a pointer and a file
            pointer_at("c.mlci", "ok.bin", false, 'b'),         // ok.bin again, other content
            pointer_at("d.mlci", "ok.bin", false),              // ok.bin again, same content: fine
        };
        auto conflicts = target_conflicts(ps, TrackedPaths::load(ctx));
        std::vector<size_t> refused;
        for (const auto& [i, p] : conflicts) {
            refused.push_back(i);
            CHECK(p.kind == ErrorKind::input);
        }
        CHECK(refused == std::vector<size_t>{1, 2, 3, 4, 5});
        CHECK(conflicts[0].second.message == "'r.mlci' names 'README.md', which git tracks (a checkout would "
                                             "overwrite it): refused");
    }
}
