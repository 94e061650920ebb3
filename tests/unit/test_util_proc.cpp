// lib/util/proc.hpp: run_process's exit and signal reporting, capture, stdin feeding, environment, working
// directory, process groups and timeouts, as suites, hooks and promotion rely on them.
#include "util/proc.hpp"

#include "util/error.hpp"

#include <csignal>
#include <doctest/doctest.h>
#include <string>
#include <unistd.h>

using namespace mlci;

namespace {

util::ProcResult sh(const std::string& script, bool capture = true) {
    util::ProcOptions opt;
    opt.argv = {"sh", "-c", script};
    opt.capture = capture;
    return util::run_process(opt);
}

} // namespace

TEST_SUITE("util.proc") {
    TEST_CASE("a child gets SIGPIPE's default action even when this process ignores it") {
        auto old = std::signal(SIGPIPE, SIG_IGN);
        // SigIgn in /proc/self/status is a hex mask of ignored signals; SIGPIPE (13) is bit 12.
        auto r = sh("sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status");
        std::signal(SIGPIPE, old);
        REQUIRE(r.ok());
        unsigned long long mask = std::stoull(r.out, nullptr, 16);
        CHECK((mask & (1ull << (SIGPIPE - 1))) == 0);
    }

    TEST_CASE("exit codes, signals and a program that cannot start") {
        auto ok = sh("exit 0");
        CHECK(ok.ok());
        CHECK(ok.exit_code == 0);
        auto three = sh("exit 3");
        CHECK_FALSE(three.ok());
        CHECK(three.exit_code == 3);
        CHECK(three.describe("sh", 0) == "exit code 3");
        auto sig = sh("kill -9 $$");
        CHECK(sig.signal == 9);
        CHECK(sig.describe("sh", 0).rfind("killed by signal 9 (", 0) == 0);
        util::ProcOptions none;
        none.argv = {"/no/such/program-mlci"};
        auto nf = util::run_process(none);
        CHECK(nf.exec_failed);
        CHECK_FALSE(nf.ok());
        CHECK(nf.describe("x", 0) == "cannot run 'x': No such file or directory");
        none.argv = {"no-such-program-mlci"};
        CHECK(util::run_process(none).exec_failed);
        CHECK_THROWS_AS(util::run_process(util::ProcOptions{}), Error);
    }

    TEST_CASE("capture keeps stdout and stderr apart, also when large") {
        auto r = sh("echo out; echo err >&2");
        CHECK(r.out == "out\n");
        CHECK(r.err == "err\n");
        auto big = sh("head -c 1000000 /dev/zero; head -c 300000 /dev/zero >&2");
        CHECK(big.out.size() == 1000000);
        CHECK(big.err.size() == 300000);
    }

    TEST_CASE("stdin: /dev/null by default, else the input fed through a pipe") {
        CHECK(sh("cat").out.empty());
        util::ProcOptions opt;
        opt.argv = {"cat"};
        opt.capture = true;
        opt.input = std::string(1 << 20, 'x'); // more than a pipe holds, read while cat writes
        auto r = util::run_process(opt);
        CHECK(r.ok());
        CHECK(r.out.size() == (1u << 20));
        opt.argv = {"true"}; // exits without reading: no SIGPIPE for us
        CHECK(util::run_process(opt).ok());
        opt.input = "";
        opt.argv = {"cat"};
        CHECK(util::run_process(opt).out.empty());
    }

    TEST_CASE("environment additions, working directory, search_path") {
        util::ProcOptions opt;
        opt.argv = {"sh", "-c", "echo \"$MLCI_A-$HOME\"; pwd"};
        opt.capture = true;
        opt.env = {{"MLCI_A", "1"}, {"HOME", "/h"}};
        opt.cwd = "/";
        auto r = util::run_process(opt);
        CHECK(r.out == "1-/h\n/\n");
        opt.cwd = "/no/such/dir-mlci";
        CHECK(util::run_process(opt).exec_failed);
        opt.cwd.clear();
        opt.search_path = false;
        opt.argv = {"sh", "-c", "true"}; // no '/' and no search: not found unless ./sh exists
        if (access("sh", X_OK) != 0) {
            CHECK(util::run_process(opt).exec_failed);
        }
    }

    TEST_CASE("stdout_to_stderr and a timeout that kills the whole group") {
        util::ProcOptions opt;
        opt.argv = {"sh", "-c", "sleep 30 & sleep 30; echo never"};
        opt.timeout_s = 0.3;
        opt.new_group = true;
        opt.capture = true;
        auto r = util::run_process(opt);
        CHECK(r.timed_out);
        CHECK_FALSE(r.ok());
        CHECK(r.out.empty());
        CHECK(r.seconds < 5);
        CHECK(r.describe("sh", 0.3) == "timeout after 0.3 s");
        opt.argv = {"sh", "-c", "trap '' TERM; sleep 3"}; // ignores SIGTERM: SIGKILL 2 s later
        opt.capture = false;
        opt.stdout_to_stderr = true;
        auto k = util::run_process(opt);
        CHECK(k.timed_out);
        CHECK(k.seconds < 3);
    }
}

TEST_SUITE("ProcTee") {
    TEST_CASE("tee_tail keeps the tail of stderr (and stdout with stdout_to_stderr) without capturing") {
        util::ProcOptions o;
        o.argv = {"sh", "-c",
                  "i=0; while [ $i -lt 2000 ]; do echo \"err $i\" >&2; i=$((i+1)); done; echo last"};
        o.tee_tail = 64;
        o.stdout_to_stderr = true;
        util::ProcResult r = util::run_process(o);
        CHECK(r.exit_code == 0);
        CHECK(r.out.empty());
        CHECK(r.err.size() <= 64);
        CHECK(r.err.substr(r.err.size() - 5) == "last\n");
        CHECK(r.err.find("err 1999\n") != std::string::npos);
    }
}
