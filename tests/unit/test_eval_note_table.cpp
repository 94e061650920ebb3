// Unit tests for lib/eval/note_table: the raw notes-tree reader of `git gate log` must hold exactly what
// NotesStore::index() holds, on every layout git and hand-made trees produce, and decline what it does
// not read.
#include "eval/note_table.hpp"
#include "eval/notes.hpp"
#include "temp_repo.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mlci;
using mlci::git::Oid;
using mlci_test::TempRepo;

namespace {

// Every entry of the index is in the table with the same blob, and nothing else is.
void check_same(const eval::NoteIndex& index, const eval::NoteTable& table) {
    CHECK(table.size() == index.size());
    for (const auto& [commit, blob] : index) {
        size_t slot = table.find(commit);
        REQUIRE(slot != eval::NoteTable::npos);
        CHECK(table.commit(slot) == commit);
        CHECK(table.blob(slot) == blob);
    }
}

std::string blob(TempRepo& t, const std::string& text) {
    return t.git({"hash-object", "-w", "--stdin"}, nullptr, text);
}

std::string mktree(TempRepo& t, const std::string& listing) {
    return t.git({"mktree", "--missing"}, nullptr, listing);
}

// A notes commit over `tree` on refs/notes/mlci/evals.
Oid notes_commit(TempRepo& t, const std::string& tree) {
    std::string c = t.git({"commit-tree", tree, "-m", "notes"});
    t.git({"update-ref", eval::k_notes_ref, c});
    return Oid::from_hex(c);
}

} // namespace

TEST_SUITE("NoteTable") {
    TEST_CASE("notes written by git notes and by fast-import with fan-out read the same as index()") {
        TempRepo t;
        t.git({"init", "-q"});
        t.commit_all("one");
        t.git({"notes", "--ref=mlci/evals", "add", "-m", "flat note"});
        git::Repo repo = git::Repo::open(t.top);
        eval::NotesStore store(repo);
        auto flat = eval::NoteTable::read_commit(repo, *store.tip());
        REQUIRE(flat);
        check_same(store.index(), *flat);
        CHECK(flat->find(t.rev("HEAD")) != eval::NoteTable::npos);

        // 600 notes: fast-import writes them in 2/38 fan-out folders.
        std::string stream;
        for (int i = 1; i <= 600; ++i) {
            stream += "commit refs/heads/many\nmark :" + std::to_string(i) +
                      "\ncommitter c <c@example.com> " + std::to_string(1700000000 + i) +
                      " +0000\ndata 2\nc\n";
            if (i > 1) {
                stream += "from :" + std::to_string(i - 1) + "\n";
            }
        }
        stream += "commit " + std::string(eval::k_notes_ref) +
                  "\ncommitter c <c@example.com> 1700009999 +0000\n"
                  "data 2\nn\nfrom " +
                  store.tip()->hex() + "\n";
        for (int i = 1; i <= 600; ++i) {
            std::string text = "note " + std::to_string(i) + "\n";
            stream +=
                "N inline :" + std::to_string(i) + "\ndata " + std::to_string(text.size()) + "\n" + text;
        }
        t.git({"fast-import", "--quiet"}, nullptr, stream);
        std::string names = t.git({"ls-tree", "--name-only", eval::k_notes_ref});
        CHECK(names.find('\n') == 2); // "ab/cdef…": folders named by the first two digits
        auto fanned = eval::NoteTable::read_commit(repo, *store.tip());
        REQUIRE(fanned);
        CHECK(fanned->size() == 601);
        check_same(store.index(), *fanned);
        CHECK(fanned->find(Oid{}) == eval::NoteTable::npos);
    }

    TEST_CASE("hand-made trees: two depths, symlinks, gitlinks, odd names and folders") {
        TempRepo t;
        t.git({"init", "-q"});
        std::string n0 = blob(t, "at depth 0\n"), n1 = blob(t, "at depth 1\n"), n2 = blob(t, "symlink\n");
        std::string n3 = blob(t, "deep\n"), n4 = blob(t, "executable\n"), other = blob(t, "other\n");
        std::string a38(38, '1'), b38(38, '2'), c38(38, '3'), d36(36, '4');
        std::string t_ab = mktree(t, "100644 blob " + n1 + "\t" + a38 + "\n");
        std::string t_cd = mktree(t, "120000 blob " + n2 + "\t" + b38 + "\n");
        std::string t_ef = mktree(t, "160000 commit " + std::string(40, '9') + "\t" + c38 + "\n");
        std::string t_34 =
            mktree(t, "100644 blob " + n3 + "\t" + d36 + "\n100644 blob " + other + "\tREADME\n");
        std::string t_12 = mktree(t, "040000 tree " + t_34 + "\t34\n");
        std::string t_abc = mktree(t, "100644 blob " + other + "\t" + std::string(37, '5') + "\n");
        std::string root =
            mktree(t, "100644 blob " + n0 + "\tab" + a38 + "\n" +                    // the same commit…
                          "040000 tree " + t_ab + "\tab\n" +                         // …at depth 1
                          "040000 tree " + t_cd + "\tcd\n" +                         // a symlink: a note
                          "040000 tree " + t_ef + "\tef\n" +                         // a gitlink: not one
                          "040000 tree " + t_12 + "\t12\n" +                         // depth 2
                          "040000 tree " + t_abc + "\tabc\n" +                       // not a fan-out folder
                          "100755 blob " + n4 + "\t" + std::string(40, '6') + "\n" + // executable
                          "100644 blob " + other + "\t" + std::string(40, 'A') + "\n" + // uppercase
                          "100644 blob " + other + "\tREADME\n" +                       // not hex
                          "100644 blob " + other + "\t" + std::string(39, '7') + "\n"); // short
        Oid nc = notes_commit(t, root);
        git::Repo repo = git::Repo::open(t.top);
        eval::NotesStore store(repo);
        auto table = eval::NoteTable::read_commit(repo, nc);
        REQUIRE(table);
        eval::NoteIndex index = store.index();
        check_same(index, *table);
        CHECK(table->size() == 4); // ab…, cd…, 1234…, 66…
        size_t ab = table->find(Oid::from_hex("ab" + a38));
        REQUIRE(ab != eval::NoteTable::npos);
        CHECK(table->blob(ab) == index.at(Oid::from_hex("ab" + a38)));
        CHECK(table->find(Oid::from_hex("cd" + b38)) != eval::NoteTable::npos);
        CHECK(table->find(Oid::from_hex("ef" + c38)) == eval::NoteTable::npos);
        CHECK(table->find(Oid::from_hex("1234" + d36)) != eval::NoteTable::npos);
        CHECK(table->find(Oid::from_hex(std::string(40, '6'))) != eval::NoteTable::npos);
    }

    TEST_CASE("a tree outside the canonical form is declined, and from_index() matches index()") {
        TempRepo t;
        t.git({"init", "-q"});
        std::string n0 = blob(t, "note\n");
        // "+100644": libgit2 reads the mode (a signed octal number), the table reader declines it.
        std::string raw = "+100644 " + std::string(40, 'a') + std::string(1, '\0');
        std::string bin = t.git({"rev-parse", n0});
        for (size_t i = 0; i < 40; i += 2) {
            raw += static_cast<char>(std::stoi(bin.substr(i, 2), nullptr, 16));
        }
        std::string tree = t.git({"hash-object", "-t", "tree", "--literally", "-w", "--stdin"}, nullptr, raw);
        Oid nc = notes_commit(t, tree);
        git::Repo repo = git::Repo::open(t.top);
        eval::NotesStore store(repo);
        CHECK_FALSE(eval::NoteTable::read_commit(repo, nc));
        eval::NoteIndex index = store.index();
        REQUIRE(index.size() == 1);
        check_same(index, eval::NoteTable::from_index(index));
        CHECK_FALSE(eval::NoteTable::read_commit(repo, Oid::from_hex(tree))); // a tree, not a commit
    }
}
