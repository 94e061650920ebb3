// lib/git/lite against git itself: every object of real repositories (loose, packed with offset deltas,
// packed with ref deltas) must read as `git cat-file --batch` gives it; staged_changes must list what
// `git diff --cached --raw` lists, and changed_paths what `git log --name-only` lists; layouts the
// reader does not handle must be declined, never misread.
#include "git/lite/objects.hpp"
#include "temp_repo.hpp"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>

using namespace mlci;
using mlci_test::TempRepo;
namespace fs = std::filesystem;

namespace {

// Runs the reader from the work tree top, as git runs hooks, and restores the directory and the
// environment after.
struct InTop {
    std::string old;
    explicit InTop(const std::string& dir) {
        old = fs::current_path().string();
        fs::current_path(dir);
        ::unsetenv("GIT_DIR");
        ::unsetenv("GIT_INDEX_FILE");
    }
    ~InTop() { fs::current_path(old); }
};

std::string key_of(const std::string& path, unsigned mode, const std::string& id) {
    char m[16];
    std::snprintf(m, sizeof m, "%06o", mode);
    return path + " " + m + " " + id;
}

// What git says is staged: "path mode id" for A, M and T records.
// Both listings are one string, a record per line, so a failed comparison prints them.
std::string joined(const std::vector<std::string>& keys) {
    std::string s;
    for (const auto& k : keys) {
        s += k + "\n";
    }
    return s;
}

long lines(const std::string& s) {
    return std::count(s.begin(), s.end(), '\n');
}

std::string git_staged(TempRepo& t, const std::string& dir = ".") {
    std::string out = t.git({"-C", dir, "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev",
                             "--no-ext-diff", "--ignore-submodules", "--diff-filter=AMT"});
    std::vector<std::string> keys;
    size_t i = 0;
    while (i < out.size()) {
        size_t meta_end = out.find('\0', i);
        size_t path_end = out.find('\0', meta_end + 1);
        REQUIRE(path_end != std::string::npos);
        std::string meta = out.substr(i + 1, meta_end - i - 1); // ":old new oldid newid S"
        std::string path = out.substr(meta_end + 1, path_end - meta_end - 1);
        unsigned mode = static_cast<unsigned>(std::stoul(meta.substr(7, 6), nullptr, 8));
        keys.push_back(key_of(path, mode, meta.substr(55, 40)));
        i = path_end + 1;
    }
    return joined(keys);
}

std::string lite_staged(TempRepo& t, const std::string& dir = "") {
    InTop in(dir.empty() ? t.top : dir);
    auto repo = git::lite::Repo::open();
    REQUIRE(repo != nullptr);
    auto index = git::lite::read_index(repo->index_path());
    REQUIRE(index.has_value());
    auto changes = git::lite::staged_changes(*repo, *index);
    REQUIRE(changes.has_value());
    std::vector<std::string> keys;
    for (const auto& c : *changes) {
        keys.push_back(key_of(c.path, c.mode, c.id.hex()));
    }
    return joined(keys);
}

// Every object, as git prints it: id → (type, bytes).
std::map<std::string, std::pair<std::string, std::string>> all_objects(TempRepo& t) {
    std::string out = t.git({"cat-file", "--batch-all-objects", "--batch"});
    out += "\n"; // git() dropped the last newline
    std::map<std::string, std::pair<std::string, std::string>> objs;
    size_t i = 0;
    while (i < out.size()) {
        size_t nl = out.find('\n', i);
        REQUIRE(nl != std::string::npos);
        std::string head = out.substr(i, nl - i); // "<id> <type> <size>"
        size_t sp1 = head.find(' '), sp2 = head.rfind(' ');
        size_t size = std::stoul(head.substr(sp2 + 1));
        objs[head.substr(0, sp1)] = {head.substr(sp1 + 1, sp2 - sp1 - 1), out.substr(nl + 1, size)};
        i = nl + 1 + size + 1;
    }
    return objs;
}

void check_all_objects_read(TempRepo& t) {
    auto objs = all_objects(t);
    REQUIRE(objs.size() > 50);
    InTop in(t.top);
    auto repo = git::lite::Repo::open();
    REQUIRE(repo != nullptr);
    const char* names[] = {"", "commit", "tree", "blob", "tag"};
    for (const auto& [id, want] : objs) {
        auto got = repo->read(*git::Oid::parse_hex(id));
        INFO("object ", id);
        REQUIRE(got.has_value());
        CHECK(names[static_cast<int>(got->type)] == want.first);
        CHECK(got->data == want.second);
    }
    CHECK_FALSE(repo->read(*git::Oid::parse_hex("0123456789012345678901234567890123456789")).has_value());
}

// A history whose files change a little at a time, so that a repack makes deltas of blobs and trees.
void make_history(TempRepo& t, int commits) {
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text += "line " + std::to_string(i) + " of a file long enough to be worth a delta\n";
    }
    for (int c = 0; c < commits; ++c) {
        text += "commit " + std::to_string(c) + "\n";
        t.write("src/a/file.txt", text);
        t.write("src/b/c/deep.txt", text + text);
        t.write("top" + std::to_string(c % 4) + ".txt", std::to_string(c));
        t.commit_all("commit " + std::to_string(c));
    }
    t.git({"tag", "-a", "-m", "an annotated tag", "v1"});
}

int delta_count(TempRepo& t) {
    int deltas = 0;
    for (const auto& entry : fs::directory_iterator(t.top + "/.git/objects/pack")) {
        if (entry.path().extension() == ".idx") {
            std::string v = t.git({"verify-pack", "-v", entry.path().string()});
            size_t i = 0;
            while (i < v.size()) {
                size_t nl = v.find('\n', i);
                std::string line = v.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
                // "<id> <type> <size> <packed size> <offset> <depth> <base id>" for a delta
                if (std::count(line.begin(), line.end(), ' ') >= 6 &&
                    line.find("chain length") == std::string::npos) {
                    ++deltas;
                }
                i = nl == std::string::npos ? v.size() : nl + 1;
            }
        }
    }
    return deltas;
}

} // namespace

TEST_SUITE("git.lite.parse") {
    TEST_CASE("malformed trees and commits are refused, not misread") {
        CHECK(git::lite::parse_tree("").has_value()); // the empty tree
        CHECK_FALSE(git::lite::parse_tree("100644 a").has_value());
        CHECK_FALSE(git::lite::parse_tree(std::string("100644 a\0short", 14)).has_value());
        CHECK_FALSE(git::lite::parse_tree(std::string("999999 a\0", 9) + std::string(20, 'x')).has_value());
        CHECK_FALSE(
            git::lite::parse_tree(std::string("100644 a/b\0", 11) + std::string(20, 'x')).has_value());
        auto t = git::lite::parse_tree(std::string("100664 old\0", 11) + std::string(20, 'x'));
        REQUIRE(t.has_value());
        CHECK(t->at(0).mode == 0100644); // legacy modes read as git reads them
        CHECK_FALSE(git::lite::parse_commit("parent 0123456789012345678901234567890123456789\n").has_value());
        CHECK_FALSE(git::lite::parse_commit("tree xyz\n\nmsg").has_value());
        auto c = git::lite::parse_commit(
            "tree 0123456789012345678901234567890123456789\n"
            "parent 1123456789012345678901234567890123456789\n"
            "parent 2123456789012345678901234567890123456789\n"
            "author A <a> 1 +0000\n\ntree 3123456789012345678901234567890123456789\n");
        REQUIRE(c.has_value());
        CHECK(c->tree.hex() == "0123456789012345678901234567890123456789");
        CHECK(c->parents.size() == 2);
        // As git: the tree comes first, and only the parent lines right after it are parents.
        CHECK_FALSE(git::lite::parse_commit("author A <a> 1 +0000\n"
                                            "tree 0123456789012345678901234567890123456789\n\nm")
                        .has_value());
        auto late = git::lite::parse_commit("tree 0123456789012345678901234567890123456789\n"
                                            "author A <a> 1 +0000\n"
                                            "parent 1123456789012345678901234567890123456789\n\nm");
        REQUIRE(late.has_value());
        CHECK(late->parents.empty());
        CHECK_FALSE(git::lite::parse_commit("tree 0123456789012345678901234567890123456789\n"
                                            "parent 11234567\n\nm")
                        .has_value());
    }

    TEST_CASE("a delta that would grow past its declared size is refused before it takes the memory") {
        std::string base(65535, 'a');
        std::string delta;
        delta += "\xff\xff\x03"; // base size 65535 as a varint
        delta += "\x0a";         // result: 10 bytes
        for (int k = 0; k < 100000; ++k) {
            delta += "\xb0\xff\xff"; // copy 65535 bytes from offset 0: 6.5 GB if nothing stopped it
        }
        CHECK_THROWS_AS(git::lite::apply_delta(base, delta), git::lite::Unsupported);
        std::string small;
        small += "\xff\xff\x03\x03";
        small += "\x90\x03"; // copy 3 bytes from offset 0
        CHECK(git::lite::apply_delta(base, small) == "aaa");
        small += "\x01x"; // one more byte than declared
        CHECK_THROWS_AS(git::lite::apply_delta(base, small), git::lite::Unsupported);
    }
}

TEST_SUITE("git.lite.Repo") {
    TEST_CASE("every object reads as git gives it: loose, then packed with offset deltas, then ref deltas") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        make_history(t, 30);
        check_all_objects_read(t); // loose

        t.git({"repack", "-adfq", "--depth=20", "--window=50"});
        CHECK(delta_count(t) > 10);
        check_all_objects_read(t); // one pack, offset deltas

        // pack-objects without --delta-base-offset writes REF_DELTA entries.
        std::string list = t.git({"rev-list", "--objects", "--all"}) + "\n";
        std::string name = t.git({"pack-objects", "-q", "--window=50", "--depth=20", ".git/objects/pack/ref"},
                                 nullptr, list);
        for (const auto& entry : fs::directory_iterator(t.top + "/.git/objects/pack")) {
            if (entry.path().filename().string().find(name) == std::string::npos) {
                fs::remove(entry.path());
            }
        }
        CHECK(delta_count(t) > 10);
        check_all_objects_read(t);
    }

    TEST_CASE("refs: loose, packed, symbolic, unborn") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        InTop in(t.top);
        {
            auto repo = git::lite::Repo::open();
            REQUIRE(repo != nullptr);
            CHECK_FALSE(repo->resolve("HEAD").has_value()); // unborn
        }
        t.write("f", "x");
        t.commit_all("one");
        std::string head = t.git({"rev-parse", "HEAD"});
        t.git({"branch", "other"});
        t.git({"pack-refs", "--all"});
        t.write("f", "y");
        t.commit_all("two"); // main loose again, other packed
        auto repo = git::lite::Repo::open();
        REQUIRE(repo != nullptr);
        CHECK((*repo->resolve("HEAD")).hex() == t.git({"rev-parse", "HEAD"}));
        CHECK((*repo->resolve("refs/heads/other")).hex() == head);
        CHECK_FALSE(repo->resolve("refs/heads/nope").has_value());
    }
}

TEST_SUITE("git.lite.staged_changes") {
    TEST_CASE("lists what git diff --cached lists, through every kind of change") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        t.write("a.txt", "a");
        t.write("dir/b.txt", "b");
        t.write("dir/sub/c.txt", "c");
        t.write("dir/sub/d.txt", "d");
        t.write("other/e.txt", "e");
        t.write("became-dir", "file");
        t.write("x/became-file/y", "y");
        CHECK(lite_staged(t) == git_staged(t)); // nothing staged
        t.git({"add", "-A"});
        CHECK(lite_staged(t) == git_staged(t)); // unborn HEAD: everything added
        CHECK(lines(lite_staged(t)) == 7);
        t.commit_all("base");
        CHECK(lite_staged(t).empty()); // cache-tree valid throughout

        t.write("dir/sub/c.txt", "changed");                  // modified, deep
        t.write("new/dir/f.txt", "f");                        // added in a new folder
        t.git({"rm", "-q", "dir/sub/d.txt"});                 // deleted: not listed
        t.git({"update-index", "--chmod=+x", "other/e.txt"}); // mode change
        t.git({"rm", "-q", "became-dir"});
        t.write("became-dir/inner", "now a folder"); // file → folder
        t.git({"rm", "-q", "-r", "x/became-file"});
        t.write("x/became-file", "now a file");        // folder → file
        ::symlink("a.txt", (t.top + "/link").c_str()); // a symlink
        t.git({"add", "-A"});
        t.git({"update-index", "--chmod=+x", "other/e.txt"}); // mode change
        auto want = git_staged(t);
        CHECK(lines(want) >= 6);
        CHECK(lite_staged(t) == want);

        t.git({"update-index", "--index-version", "4"}); // prefix-compressed paths
        CHECK(lite_staged(t) == want);
        t.git({"update-index", "--index-version", "3"});
        t.git({"update-index", "--skip-worktree", "a.txt"}); // extended flags
        CHECK(lite_staged(t) == want);

        t.commit_all("second");
        CHECK(lite_staged(t).empty());
        // The cache-tree is invalidated by git add; a stale cache-tree (write-tree then unstage) must
        // not hide a change either.
        t.write("dir/b.txt", "b2");
        t.git({"add", "dir/b.txt"});
        t.git({"write-tree"});
        CHECK(lite_staged(t) == git_staged(t));
        CHECK(lines(lite_staged(t)) == 1);
    }

    TEST_CASE("a linked worktree reads its own index and HEAD") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        t.write("a.txt", "a");
        t.commit_all("base");
        std::string wt = t.home + "/wt";
        t.git({"worktree", "add", "-q", "-b", "side", wt});
        t.write("../wt/a.txt", "side change");
        t.write("../wt/n.txt", "new");
        t.git({"-C", wt, "add", "-A"});
        CHECK(lite_staged(t, wt) == git_staged(t, wt));
        CHECK(lines(lite_staged(t, wt)) == 2);
        CHECK(lite_staged(t).empty());
    }

    TEST_CASE("declined, never misread: conflicts, intent-to-add, split index, sha256, alternates") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        t.write("f", "base\n");
        t.commit_all("base");
        t.git({"checkout", "-q", "-b", "b"});
        t.write("f", "theirs\n");
        t.commit_all("b");
        t.git({"checkout", "-q", "main"});
        t.write("f", "ours\n");
        t.commit_all("main");
        int rc = 0;
        t.git({"merge", "-q", "b"}, &rc);
        REQUIRE(rc != 0);
        {
            InTop in(t.top);
            auto repo = git::lite::Repo::open();
            REQUIRE(repo != nullptr);
            CHECK_FALSE(git::lite::read_index(repo->index_path()).has_value());
        }
        t.git({"merge", "--abort"});

        t.write("ita", "x");
        t.git({"add", "-N", "ita"});
        {
            InTop in(t.top);
            CHECK_FALSE(git::lite::read_index(".git/index").has_value());
        }
        t.git({"rm", "-q", "--cached", "ita"});
        t.git({"update-index", "--split-index"});
        {
            InTop in(t.top);
            CHECK_FALSE(git::lite::read_index(".git/index").has_value());
        }
        t.git({"update-index", "--no-split-index"});
        {
            InTop in(t.top);
            CHECK(git::lite::read_index(".git/index").has_value());
        }

        TempRepo s;
        s.git({"init", "-q", "--object-format=sha256"});
        {
            InTop in(s.top);
            CHECK(git::lite::Repo::open() == nullptr);
        }
        TempRepo a;
        a.git({"clone", "-q", "--shared", t.top, "."});
        {
            InTop in(a.top);
            CHECK(git::lite::Repo::open() == nullptr);
        }
    }
}

TEST_SUITE("git.lite.changed_paths") {
    TEST_CASE("each commit's paths against its first parent, as git log --name-only lists them") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        make_history(t, 6);
        t.git({"checkout", "-q", "-b", "side"});
        t.write("side/only.txt", "s");
        t.git({"rm", "-q", "top1.txt"});
        t.commit_all("side");
        t.git({"checkout", "-q", "main"});
        t.write("main.txt", "m");
        t.commit_all("main");
        t.git({"merge", "-q", "--no-edit", "side"});
        t.git({"mv", "src/a", "moved"});
        t.commit_all("move a folder");

        std::string log = t.git(
            {"log", "--format=%x01%H", "--name-only", "-z", "--no-renames", "-m", "--first-parent", "HEAD"});
        std::map<std::string, std::set<std::string>> want;
        std::string cur;
        size_t i = 0;
        while (i <= log.size()) {
            size_t end = log.find('\0', i);
            std::string tok = log.substr(i, end == std::string::npos ? std::string::npos : end - i);
            i = end == std::string::npos ? log.size() + 1 : end + 1;
            while (!tok.empty() && tok.front() == '\n') {
                tok.erase(0, 1);
            }
            if (tok.empty()) {
                continue;
            }
            if (tok[0] == '\x01') {
                size_t nl = tok.find('\n');
                cur = tok.substr(1, nl == std::string::npos ? std::string::npos : nl - 1);
                want[cur];
                if (nl != std::string::npos && nl + 1 < tok.size()) {
                    want[cur].insert(tok.substr(nl + 1));
                }
            } else {
                want[cur].insert(tok);
            }
        }
        REQUIRE(want.size() == 9); // 6 + main + merge + move: the side commit is not first-parent
        InTop in(t.top);
        auto repo = git::lite::Repo::open();
        REQUIRE(repo != nullptr);
        for (const auto& [id, paths] : want) {
            auto obj = repo->read(*git::Oid::parse_hex(id));
            REQUIRE(obj.has_value());
            auto c = git::lite::parse_commit(obj->data);
            REQUIRE(c.has_value());
            auto got = git::lite::changed_paths(*repo, *c);
            INFO("commit ", id);
            CHECK(std::set<std::string>(got.begin(), got.end()) == paths);
        }
    }

    TEST_CASE("a corrupt tree that lists itself is refused, not followed until the stack runs out") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        t.write("a.txt", "a");
        t.commit_all("one");
        // A loose object stored under id S whose bytes are a tree holding "d" -> S (objects are not
        // re-hashed on reading, so nothing but the depth stops the walk).
        const std::string s_hex = "1111111111111111111111111111111111111111";
        std::string tree = std::string("40000 d") + '\0';
        tree += std::string(reinterpret_cast<const char*>(git::Oid::parse_hex(s_hex)->data()), 20);
        std::string raw = "tree " + std::to_string(tree.size()) + '\0' + tree;
        std::vector<unsigned char> z(compressBound(raw.size()));
        uLongf zlen = z.size();
        REQUIRE(compress2(z.data(), &zlen, reinterpret_cast<const Bytef*>(raw.data()), raw.size(), 1) ==
                Z_OK);
        std::filesystem::create_directories(t.top + "/.git/objects/11");
        t.write(".git/objects/11/" + s_hex.substr(2), std::string(reinterpret_cast<char*>(z.data()), zlen));
        InTop in(t.top);
        auto repo = git::lite::Repo::open();
        REQUIRE(repo != nullptr);
        auto parent = *git::Oid::parse_hex(t.git({"rev-parse", "HEAD"}));
        git::lite::Commit c;
        c.tree = *git::Oid::parse_hex(s_hex);
        c.parents.push_back(parent);
        CHECK_THROWS_AS(git::lite::changed_paths(*repo, c), git::lite::Unsupported);
    }

    TEST_CASE("refs as git reads them now: packed after open, a symlinked HEAD, a shallow clone") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        t.write("a.txt", "a");
        t.commit_all("one");
        std::string head = t.git({"rev-parse", "HEAD"});
        {
            InTop in(t.top);
            auto repo = git::lite::Repo::open();
            REQUIRE(repo != nullptr);
            // git pack-refs (git gc --auto) runs after the reader opened the repository: the branch
            // leaves its loose file for packed-refs, and is still found.
            t.git({"pack-refs", "--all"});
            REQUIRE_FALSE(std::filesystem::exists(t.top + "/.git/refs/heads/main"));
            auto id = repo->resolve("HEAD");
            REQUIRE(id.has_value());
            CHECK(id->hex() == head);
        }
        // An old-style HEAD (core.preferSymlinkRefs) pointing at a packed branch: declined, not unborn.
        std::filesystem::remove(t.top + "/.git/HEAD");
        std::filesystem::create_symlink("refs/heads/main", t.top + "/.git/HEAD");
        {
            InTop in(t.top);
            auto repo = git::lite::Repo::open();
            REQUIRE(repo != nullptr);
            CHECK_THROWS_AS(repo->resolve("HEAD"), git::lite::Unsupported);
        }
        std::filesystem::remove(t.top + "/.git/HEAD");
        t.write(".git/HEAD", "ref: refs/heads/main\n");
        // A shallow clone's commits have parents git does not see: the reader leaves it to git.
        TempRepo sh;
        sh.git({"clone", "-q", "--depth", "1", "file://" + t.top, "."});
        {
            InTop in(sh.top);
            CHECK(git::lite::Repo::open() == nullptr);
        }
    }
}
