// Unit tests for lib/hooks' functions that decide without running a hook: HookReport's prefixes,
// pre-push's stdin lines (git's "<local ref> <local oid> <remote ref> <remote oid>"), what a delete and a
// branch are, the embedded shims and how ours are told from a foreign hook, the hooks folder
// (core.hooksPath honoured), install/uninstall keeping a foreign hook as NAME.mlci-chained, and
// run_chained passing the arguments and stdin on and returning the chained hook's exit code.
#include "hooks/gitcli.hpp"
#include "hooks/hook.hpp"
#include "hooks/install.hpp"
#include "hooks/shims.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"
#include "temp_repo.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace mlci;
using hooks::PushUpdate;
using mlci_test::TempDir;
using mlci_test::TempRepo;
namespace fs = std::filesystem;

namespace {

const std::string k_a = "1111111111111111111111111111111111111111";
const std::string k_b = "2222222222222222222222222222222222222222";
const std::string k_zero = "0000000000000000000000000000000000000000";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_script(const std::string& path, const std::string& text, bool executable = true) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), executable ? 0755 : 0644);
}

bool same_dir(const std::string& a, const std::string& b) {
    return fs::weakly_canonical(a) == fs::weakly_canonical(b);
}

} // namespace

TEST_SUITE("hooks") {
    TEST_CASE("HookReport: error, warning and hint are prefixed, a note is plain; exit 0 by default") {
        hooks::HookReport r;
        CHECK(r.exit_code == 0);
        CHECK_FALSE(r.escalate);
        CHECK(r.lines.empty());
        r.error("no");
        r.warning("careful");
        r.hint("try this");
        r.note("  plain");
        CHECK(r.lines ==
              std::vector<std::string>{"error: no", "warning: careful", "hint: try this", "  plain"});
    }

    TEST_CASE("parse_push_lines: one update per line, in order, blank lines ignored") {
        auto u = hooks::parse_push_lines("refs/heads/main " + k_a + " refs/heads/main " + k_b + "\n\n" +
                                         "refs/tags/v1 " + k_b + " refs/tags/v1 " + k_zero + "\r\n");
        REQUIRE(u.size() == 2);
        CHECK(u[0].local_ref == "refs/heads/main");
        CHECK(u[0].local_oid == k_a);
        CHECK(u[0].remote_ref == "refs/heads/main");
        CHECK(u[0].remote_oid == k_b);
        CHECK(u[1].local_ref == "refs/tags/v1");
        CHECK(u[1].local_oid == k_b);
        CHECK(u[1].remote_ref == "refs/tags/v1");
        CHECK(u[1].remote_oid == k_zero); // a final '\r' is not part of the oid
        CHECK(hooks::parse_push_lines("").empty());
        CHECK(hooks::parse_push_lines("\n  \n").empty());
        // The last line needs no newline.
        CHECK(hooks::parse_push_lines("refs/heads/x " + k_a + " refs/heads/x " + k_b).size() == 1);
    }

    TEST_CASE("parse_push_lines: a line without exactly four fields is an input error") {
        for (const std::string& bad :
             {"refs/heads/main " + k_a + " refs/heads/main\n",
              "refs/heads/main " + k_a + " refs/heads/main " + k_b + " extra\n", std::string("garbage\n")}) {
            CAPTURE(bad);
            try {
                hooks::parse_push_lines(bad);
                FAIL("no error");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
                CHECK(std::string(e.what()).find("pre-push") != std::string::npos);
            }
        }
    }

    TEST_CASE("a delete pushes the zero id; a branch is under refs/heads/ on either side") {
        auto del = hooks::parse_push_lines("(delete) " + k_zero + " refs/heads/old " + k_a + "\n");
        REQUIRE(del.size() == 1);
        CHECK(del[0].is_delete());
        CHECK(del[0].is_branch()); // the remote side names a branch
        PushUpdate u{"refs/heads/main", k_a, "refs/heads/main", k_zero};
        CHECK_FALSE(u.is_delete()); // a new branch: the remote's id is zero, not ours
        CHECK(u.is_branch());
        PushUpdate tag{"refs/tags/v1", k_a, "refs/tags/v1", k_zero};
        CHECK_FALSE(tag.is_branch());
        PushUpdate notes{"refs/notes/mlci/evals", k_a, "refs/notes/mlci/evals", k_b};
        CHECK_FALSE(notes.is_branch());
        PushUpdate to_branch{"refs/tags/v1", k_a, "refs/heads/release", k_b};
        CHECK(to_branch.is_branch());
        PushUpdate almost{"refs/headsx/a", k_a, "refs/remotes/refs/heads/a", k_b};
        CHECK_FALSE(almost.is_branch());
    }

    TEST_CASE("the embedded shims: the four hooks, each a script carrying the marker") {
        const auto& s = hooks::shims();
        std::set<std::string> names;
        for (const auto& shim : s) {
            CAPTURE(shim.name);
            names.insert(shim.name);
            CHECK(shim.content.rfind("#!", 0) == 0);
            CHECK(shim.content.find(hooks::k_shim_marker) != std::string::npos);
        }
        CHECK(names == std::set<std::string>{"pre-commit", "pre-push", "post-checkout", "post-merge"});
        CHECK(s.size() == 4);
    }

    TEST_CASE("is_our_shim: a file holding the marker is ours; a foreign or absent hook is not") {
        TempDir t;
        write_script(t / "ours", hooks::shims().front().content);
        CHECK(hooks::is_our_shim(t / "ours"));
        write_script(t / "old",
                     "#!/bin/sh\n" + std::string(hooks::k_shim_marker) + " (an old version)\nexit 0\n");
        CHECK(hooks::is_our_shim(t / "old"));
        write_script(t / "foreign", "#!/bin/sh\n# husky\nexit 0\n");
        CHECK_FALSE(hooks::is_our_shim(t / "foreign"));
        CHECK_FALSE(hooks::is_our_shim(t / "absent"));
    }

    TEST_CASE("hooks_dir: <common dir>/hooks, or core.hooksPath relative to the top of the work tree") {
        TempRepo r;
        r.git({"init", "-q"});
        git::Repo repo = git::Repo::open(r.top);
        CHECK(same_dir(hooks::hooks_dir(repo), r.top + "/.git/hooks"));
        r.git({"config", "core.hooksPath", "tools/hooks"});
        git::Repo again = git::Repo::open(r.top);
        CHECK(same_dir(hooks::hooks_dir(again), r.top + "/tools/hooks"));
        r.git({"config", "core.hooksPath", r.home + "/abs-hooks"});
        git::Repo abs = git::Repo::open(r.top);
        CHECK(same_dir(hooks::hooks_dir(abs), r.home + "/abs-hooks"));
    }

    TEST_CASE("install keeps a foreign hook as NAME.mlci-chained; uninstall puts it back") {
        TempRepo r;
        r.git({"init", "-q"});
        git::Repo repo = git::Repo::open(r.top);
        std::string dir = hooks::hooks_dir(repo);
        fs::create_directories(dir);
        const std::string foreign = "#!/bin/sh\n# a team's own hook\nexit 0\n";
        write_script(dir + "/pre-commit", foreign);

        auto acts = hooks::install_hooks(repo, false);
        for (const auto& shim : hooks::shims()) {
            CAPTURE(shim.name);
            CHECK(hooks::is_our_shim(dir + "/" + shim.name));
            CHECK(slurp(dir + "/" + shim.name) == shim.content);
        }
        CHECK(slurp(dir + "/pre-commit" + hooks::k_chained_suffix) == foreign);
        bool chained = false;
        for (const auto& a : acts) {
            if (a.hook == "pre-commit") {
                chained = a.what == hooks::InstallAction::What::chained;
            }
        }
        CHECK(chained);

        // A second install changes nothing and chains nothing more.
        for (const auto& a : hooks::install_hooks(repo, false)) {
            CAPTURE(a.hook);
            CHECK(a.what == hooks::InstallAction::What::unchanged);
        }
        CHECK(slurp(dir + "/pre-commit" + hooks::k_chained_suffix) == foreign);

        hooks::uninstall_hooks(repo);
        CHECK(slurp(dir + "/pre-commit") == foreign);
        CHECK_FALSE(fs::exists(dir + "/pre-commit" + hooks::k_chained_suffix));
        CHECK_FALSE(fs::exists(dir + "/pre-push"));
        CHECK_FALSE(fs::exists(dir + "/post-checkout"));
        CHECK_FALSE(fs::exists(dir + "/post-merge"));
    }

    TEST_CASE("run_chained: none is exit 0; else its exit code, with our arguments and stdin") {
        TempDir t;
        CHECK(hooks::run_chained(t.path, "pre-push", {"origin", "url"}, "x\n") == 0);
        // Not executable: git would not run it either.
        write_script(t / "pre-push.mlci-chained", "#!/bin/sh\nexit 7\n", false);
        CHECK(hooks::run_chained(t.path, "pre-push", {}, "") == 0);
        write_script(t / "pre-push.mlci-chained",
                     "#!/bin/sh\nprintf '%s|' \"$@\" > \"$(dirname \"$0\")/args\"\n"
                     "cat > \"$(dirname \"$0\")/stdin\"\nexit 3\n");
        std::string input = "refs/heads/main " + k_a + " refs/heads/main " + k_b + "\n";
        CHECK(hooks::run_chained(t.path, "pre-push", {"origin", "https://example.com/r.git", "a b"}, input) ==
              3);
        CHECK(slurp(t / "args") == "origin|https://example.com/r.git|a b|");
        CHECK(slurp(t / "stdin") == input);
        // Another hook's name finds no chained hook.
        CHECK(hooks::run_chained(t.path, "pre-commit", {}, "") == 0);
        // A chained hook that ignores a large stdin still gives its exit code.
        write_script(t / "post-merge.mlci-chained", "#!/bin/sh\nexit 0\n");
        CHECK(hooks::run_chained(t.path, "post-merge", {"0"}, std::string(1 << 20, 'x')) == 0);
    }

    TEST_CASE("run_git: exit code, stdout and stderr of the git binary") {
        auto v = hooks::run_git({"--version"});
        CHECK(v.ok());
        CHECK(v.status == 0);
        CHECK(v.out.rfind("git version", 0) == 0);
        auto bad = hooks::run_git({"no-such-subcommand-mlci"});
        CHECK_FALSE(bad.ok());
        CHECK(bad.status > 0);
        CHECK_FALSE(bad.err.empty());
        auto in = hooks::run_git({"hash-object", "--stdin"}, "hello\n");
        CHECK(in.ok());
        // The blob id of "hello\n", as git computes it everywhere.
        CHECK(in.out == "ce013625030ba8dba906f756967f9e9ca394464a\n");
    }
}
