// A repository with GTO-style tags for the tests of lib/promote: model clf with v1.0.0 (in staging) and
// v1.1.0 on the next commit. The process works in it while the fixture lives (Scope opens the
// repository of the current directory).
#pragma once

#include "temp_repo.hpp"

#include <doctest/doctest.h>
#include <string>
#include <unistd.h>

namespace mlci_test {

struct PromoteRegistry : TempRepo {
    std::string old_cwd;
    PromoteRegistry() {
        git({"init", "-q"});
        write("a.txt", "1\n");
        commit_all("one");
        git({"tag", "-a", "clf@v1.0.0", "-m", "clf v1.0.0"});
        git({"tag", "-a", "clf#staging#1", "-m", "clf to staging"});
        write("a.txt", "2\n");
        commit_all("two");
        git({"tag", "-a", "clf@v1.1.0", "-m", "clf v1.1.0"});
        char buf[4096];
        REQUIRE(::getcwd(buf, sizeof buf) != nullptr);
        old_cwd = buf;
        REQUIRE(::chdir(top.c_str()) == 0);
    }
    ~PromoteRegistry() { (void)!::chdir(old_cwd.c_str()); }
};

} // namespace mlci_test
