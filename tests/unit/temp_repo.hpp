// A throwaway repository for unit tests that check a reader against git itself: made in a temp
// folder, driven with the git binary (argv, no shell; fixed identities and dates, no system or user
// config), removed at the end.
#pragma once

#include "git/repo.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace mlci_test {

namespace fs = std::filesystem;

struct TempRepo {
    std::string top;  // work tree, no trailing '/'
    std::string home; // HOME for git: no user config leaks in
    int tick = 0;

    TempRepo() {
        std::string tmpl = (fs::temp_directory_path() / "mlci-git-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        home = tmpl;
        top = home + "/repo";
        fs::create_directories(top);
    }
    ~TempRepo() {
        std::error_code ec;
        fs::remove_all(home, ec);
    }

    // Run git with argv in `top`; returns stdout with the final newline dropped; REQUIREs exit 0
    // unless `allow_fail`, then *rc holds the exit status.
    std::string git(std::vector<std::string> args, int* rc = nullptr, const std::string& input = "") {
        ++tick;
        std::string in_path = home + "/stdin";
        std::ofstream(in_path, std::ios::binary) << input;
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int in_fd = ::open(in_path.c_str(), O_RDONLY);
            if (in_fd < 0 || ::dup2(in_fd, 0) < 0) {
                _exit(127);
            }
            ::dup2(out[1], 1);
            ::close(out[0]);
            ::close(out[1]);
            if (::chdir(top.c_str()) != 0) {
                _exit(127);
            }
            std::string date = std::to_string(1700000000 + tick) + " +0000";
            ::setenv("HOME", home.c_str(), 1);
            ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
            ::setenv("GIT_AUTHOR_NAME", "A U Thor", 1);
            ::setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
            ::setenv("GIT_COMMITTER_NAME", "C O Mitter", 1);
            ::setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
            ::setenv("GIT_AUTHOR_DATE", date.c_str(), 1);
            ::setenv("GIT_COMMITTER_DATE", date.c_str(), 1);
            ::unsetenv("GIT_DIR");
            ::unsetenv("GIT_INDEX_FILE");
            std::vector<char*> argv{const_cast<char*>("git")};
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            ::execvp("git", argv.data());
            _exit(127);
        }
        ::close(out[1]);
        std::string text;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(out[0], buf, sizeof buf)) > 0) {
            text.append(buf, static_cast<size_t>(n));
        }
        ::close(out[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        if (rc != nullptr) {
            *rc = code;
        } else {
            INFO("git ", args.empty() ? "" : args[0], " failed");
            REQUIRE(code == 0);
        }
        if (!text.empty() && text.back() == '\n') {
            text.pop_back();
        }
        return text;
    }

    void write(const std::string& rel, const std::string& data) {
        fs::path p = fs::path(top) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << data;
    }

    mlci::git::Oid commit_all(const std::string& message) {
        git({"add", "-A"});
        git({"commit", "-q", "--allow-empty", "-m", message});
        return mlci::git::Oid::from_hex(git({"rev-parse", "HEAD"}));
    }

    mlci::git::Oid rev(const std::string& r) { return mlci::git::Oid::from_hex(git({"rev-parse", r})); }
};

/// A repository with a base commit on main and a candidate on branch feature (checked out), each changing
/// a.txt: what the gate tests judge.
struct BaseAndCandidate : TempRepo {
    mlci::git::Oid base, cand;
    BaseAndCandidate() {
        git({"init", "-q", "-b", "main"});
        write("a.txt", "one\n");
        base = commit_all("base");
        git({"checkout", "-q", "-b", "feature"});
        write("a.txt", "two\n");
        cand = commit_all("candidate");
    }
};

} // namespace mlci_test
