// lib/fsutil/file.hpp: atomic writes (temporary beside the target, fsync, rename; nothing left behind on
// abandon), size-bounded reads, make_dirs and the path helpers. Each case works in its own temp folder.
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"
#include <algorithm>
#include <dirent.h>

#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace mlci;

namespace {

using mlci_test::TempDir;

std::vector<std::string> list(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void put(const std::string& path, const std::string& data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    ::close(fd);
}

} // namespace

TEST_SUITE("fsutil.AtomicFile") {
    TEST_CASE("commit renames the temporary onto the target and leaves nothing else") {
        TempDir d;
        std::string target = d / "out.txt";
        {
            AtomicFile f(target);
            CHECK(f.temp_path().rfind(target + ".mlci-tmp.", 0) == 0);
            CHECK(f.fd() >= 0);
            f.write("hello ");
            f.write("world");
            CHECK(is_regular_file(f.temp_path()));
            CHECK_FALSE(path_exists(target)); // invisible until commit
            f.commit();
        }
        CHECK(read_file(target) == "hello world");
        CHECK(list(d.path) == std::vector<std::string>{"out.txt"});
    }

    TEST_CASE("commit replaces an existing file; without sync too") {
        TempDir d;
        std::string target = d / "f";
        put(target, "old content that is longer");
        {
            AtomicFile f(target);
            f.write("new");
            f.commit(false);
        }
        CHECK(read_file(target) == "new");
        CHECK(list(d.path) == std::vector<std::string>{"f"});
    }

    TEST_CASE("abandon (destroyed without commit) deletes the temporary and keeps the old file") {
        TempDir d;
        std::string target = d / "keep";
        put(target, "original");
        std::string temp;
        {
            AtomicFile f(target);
            temp = f.temp_path();
            f.write("half-written");
        }
        CHECK_FALSE(path_exists(temp));
        CHECK(read_file(target) == "original");
        CHECK(list(d.path) == std::vector<std::string>{"keep"});
    }

    TEST_CASE("abandon through an exception leaves no temporary") {
        TempDir d;
        try {
            AtomicFile f(d / "x");
            f.write("data");
            throw io_error("simulated failure");
        } catch (const Error&) {
        }
        CHECK(list(d.path).empty());
    }

    TEST_CASE("the file mode is honoured (under the umask)") {
        TempDir d;
        mode_t old = ::umask(022);
        {
            AtomicFile f(d / "ro", 0444);
            f.write("x");
            f.commit();
        }
        ::umask(old);
        struct stat st {};
        REQUIRE(::stat((d / "ro").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0444);
    }

    TEST_CASE("two writers of one target get distinct temporaries") {
        TempDir d;
        AtomicFile a(d / "t");
        AtomicFile b(d / "t");
        CHECK(a.temp_path() != b.temp_path());
        a.write("a");
        b.write("b");
        a.commit();
        b.commit();
        CHECK(read_file(d / "t") == "b");
        CHECK(list(d.path) == std::vector<std::string>{"t"});
    }

    TEST_CASE("a missing folder is an io error naming the temporary") {
        TempDir d;
        try {
            AtomicFile f(d / "no/such/dir/file");
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
            CHECK(std::string(e.what()).find("no/such/dir/file.mlci-tmp.") != std::string::npos);
        }
    }

    TEST_CASE("commit onto a folder fails and leaves no temporary") {
        TempDir d;
        make_dirs(d / "dir/inner");
        {
            AtomicFile f(d / "dir");
            f.write("x");
            CHECK_THROWS_AS(f.commit(), Error);
        }
        CHECK(list(d.path) == std::vector<std::string>{"dir"});
    }

    TEST_CASE("write_file_atomic in one call") {
        TempDir d;
        write_file_atomic(d / "one", "payload");
        write_file_atomic(d / "one", "payload2", false);
        CHECK(read_file(d / "one") == "payload2");
        CHECK(list(d.path) == std::vector<std::string>{"one"});
    }
}

TEST_SUITE("fsutil.unnamed") {
    TEST_CASE("an unnamed file has no name until named; naming never replaces a name") {
        TempDir d;
        mode_t old = ::umask(022);
        Fd fd = open_unnamed(d.path, 0660);
        ::umask(old);
        REQUIRE(fd); // Linux with O_TMPFILE on this filesystem, /proc mounted
        write_all(fd.get(), "payload", 7, "unnamed");
        CHECK(list(d.path).empty());
        write_file_atomic(d / "taken", "theirs", false);
        CHECK_FALSE(name_unnamed(fd.get(), d / "taken"));
        CHECK(errno == EEXIST);
        CHECK(read_file(d / "taken") == "theirs");
        REQUIRE(name_unnamed(fd.get(), d / "mine"));
        CHECK(read_file(d / "mine") == "payload");
        CHECK(list(d.path) == std::vector<std::string>{"mine", "taken"});
        struct stat st {};
        REQUIRE(::stat((d / "mine").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0640);
        // A link in place of the name is not followed: EEXIST, and its target is not created.
        REQUIRE(::symlink((d / "elsewhere").c_str(), (d / "link").c_str()) == 0);
        Fd again = open_unnamed(d.path, 0644);
        REQUIRE(again);
        CHECK_FALSE(name_unnamed(again.get(), d / "link"));
        CHECK_FALSE(std::filesystem::exists(d / "elsewhere"));
    }

    TEST_CASE("no folder: an invalid descriptor, and unnamed files still work afterwards") {
        TempDir d;
        CHECK_FALSE(open_unnamed(d / "missing", 0644));
        CHECK(errno == ENOENT);
        CHECK(open_unnamed(d.path, 0644));
    }
}

TEST_SUITE("fsutil.MappedFile") {
    TEST_CASE("maps a file's bytes; a missing one is nullopt, an empty one an empty view") {
        TempDir d;
        std::string data("x\0y\n", 4);
        data += std::string(100000, 'q'); // several pages
        put(d / "f", data);
        auto m = MappedFile::open_if_exists(d / "f");
        REQUIRE(m);
        CHECK(m->data() == data);
        MappedFile moved(std::move(*m)); // the mapping moves, and is unmapped once
        CHECK(moved.data() == data);
        CHECK(m->data().empty());
        CHECK_FALSE(MappedFile::open_if_exists(d / "missing"));
        CHECK_FALSE(MappedFile::open_if_exists(d / "missing/below"));
        put(d / "empty", "");
        auto e = MappedFile::open_if_exists(d / "empty");
        REQUIRE(e);
        CHECK(e->data().empty());
    }

    TEST_CASE("a folder or a FIFO is an io error, never mapped or waited on") {
        TempDir d;
        make_dirs(d / "dir");
        CHECK_THROWS_AS(MappedFile::open_if_exists(d / "dir"), Error);
        REQUIRE(mkfifo((d / "fifo").c_str(), 0600) == 0); // no writer: a blocking open would hang
        CHECK_THROWS_WITH_AS(MappedFile::open_if_exists(d / "fifo"), doctest::Contains("not a regular file"),
                             Error);
    }
}

TEST_SUITE("fsutil.read_file") {
    TEST_CASE("reads whole files, binary safe") {
        TempDir d;
        std::string data("a\0b\nc", 5);
        data += std::string(200000, 'z'); // more than one read() buffer
        put(d / "f", data);
        CHECK(read_file(d / "f") == data);
        put(d / "empty", "");
        CHECK(read_file(d / "empty").empty());
    }

    TEST_CASE("the size bound: equal passes, one byte over is an input error") {
        TempDir d;
        put(d / "f", std::string(100, 'x'));
        CHECK(read_file(d / "f", 100).size() == 100);
        try {
            read_file(d / "f", 99);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(std::string(e.what()).find("too large") != std::string::npos);
        }
        CHECK_THROWS_AS(read_file_if_exists(d / "f", 0), Error);
    }

    TEST_CASE("the size bound holds for files whose size stat cannot tell") {
        // /proc files report size 0 but have content: the bound must apply while reading.
        if (path_exists("/proc/self/status")) {
            CHECK_THROWS_AS(read_file("/proc/self/status", 10), Error);
            CHECK_FALSE(read_file("/proc/self/status").empty());
        }
    }

    TEST_CASE("missing file: read_file throws io, read_file_if_exists gives nullopt") {
        TempDir d;
        CHECK_FALSE(read_file_if_exists(d / "missing").has_value());
        CHECK_FALSE(read_file_if_exists(d / "missing/below").has_value());
        try {
            read_file(d / "missing");
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
            CHECK(std::string(e.what()).find("missing") != std::string::npos);
        }
    }

    TEST_CASE("a folder is an io error, not an empty file") {
        TempDir d;
        try {
            read_file(d.path);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
        }
    }

    TEST_CASE("an unreadable file is an io error") {
        if (::geteuid() == 0) {
            return; // root reads anything
        }
        TempDir d;
        put(d / "secret", "x");
        ::chmod((d / "secret").c_str(), 0);
        CHECK_THROWS_AS(read_file(d / "secret"), Error);
    }
}

TEST_SUITE("fsutil.make_dirs") {
    TEST_CASE("creates every missing level, and is idempotent") {
        TempDir d;
        make_dirs(d / "a/b/c");
        CHECK(is_directory(d / "a/b/c"));
        make_dirs(d / "a/b/c");
        make_dirs(d / "a/b/c/");
        make_dirs("");
        CHECK(is_directory(d / "a/b/c"));
    }

    TEST_CASE("a file in the way is an io error") {
        TempDir d;
        put(d / "file", "x");
        try {
            make_dirs(d / "file/sub");
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
        }
        CHECK_THROWS_AS(make_dirs(d / "file"), Error);
    }

    TEST_CASE("honours the mode (under the umask)") {
        TempDir d;
        mode_t old = ::umask(0);
        make_dirs(d / "m/n", 0750);
        ::umask(old);
        struct stat st {};
        REQUIRE(::stat((d / "m/n").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0750);
    }
}

TEST_SUITE("fsutil.paths") {
    TEST_CASE("dirname_of, basename_of, path_join") {
        CHECK(dirname_of("a/b/c") == "a/b");
        CHECK(dirname_of("a/b/") == "a");
        CHECK(dirname_of("name") == "");
        CHECK(dirname_of("/top") == "/");
        CHECK(basename_of("a/b/c.txt") == "c.txt");
        CHECK(basename_of("a/b/") == "b");
        CHECK(basename_of("name") == "name");
        CHECK(path_join("a", "b") == "a/b");
        CHECK(path_join("a/", "b") == "a/b");
        CHECK(path_join("", "b") == "b");
        CHECK(path_join("a", "") == "a");
    }

    TEST_CASE("lstat-based tests never follow a symlink") {
        TempDir d;
        put(d / "real", "x");
        make_dirs(d / "dir");
        REQUIRE(::symlink("real", (d / "link").c_str()) == 0);
        REQUIRE(::symlink("dir", (d / "dirlink").c_str()) == 0);
        REQUIRE(::symlink("nowhere", (d / "dangling").c_str()) == 0);
        CHECK(is_regular_file(d / "real"));
        CHECK_FALSE(is_regular_file(d / "link"));
        CHECK(is_directory(d / "dir"));
        CHECK_FALSE(is_directory(d / "dirlink"));
        CHECK(path_exists(d / "dangling"));
        CHECK_FALSE(path_exists(d / "absent"));
    }

    TEST_CASE("random_suffix: 16 lowercase hex digits, different each time") {
        std::string a = random_suffix();
        std::string b = random_suffix();
        CHECK(a.size() == 16);
        CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(a != b);
    }
}

TEST_SUITE("fsutil.Fd") {
    TEST_CASE("owns, moves and releases a descriptor") {
        TempDir d;
        put(d / "f", "x");
        int raw = ::open((d / "f").c_str(), O_RDONLY);
        REQUIRE(raw >= 0);
        {
            Fd a(raw);
            Fd b(std::move(a));
            CHECK_FALSE(a);
            CHECK(b.get() == raw);
        }
        CHECK(::fcntl(raw, F_GETFD) == -1); // closed by b
        Fd c(::open((d / "f").c_str(), O_RDONLY));
        int kept = c.release();
        CHECK_FALSE(c);
        CHECK(::fcntl(kept, F_GETFD) != -1);
        ::close(kept);
    }
}

TEST_SUITE("fsutil.read_file_below") {
    TEST_CASE("a regular file below the folder is read; a missing one is nullopt") {
        TempDir t;
        std::filesystem::create_directories(t.path + "/a/b");
        write_file_atomic(t.path + "/a/b/f", "content");
        CHECK(read_file_below(t.path, "a/b/f", 100).value() == "content");
        CHECK_FALSE(read_file_below(t.path, "a/b/none", 100).has_value());
        CHECK_FALSE(read_file_below(t.path, "none/f", 100).has_value());
        CHECK_THROWS_WITH_AS(read_file_below(t.path, "a/b/f", 3), doctest::Contains("too large"), Error);
    }

    TEST_CASE("a link at the end or on the way, a FIFO or a folder is refused, never followed or waited on") {
        TempDir t;
        TempDir outside;
        write_file_atomic(outside.path + "/secret", "secret");
        std::filesystem::create_directories(t.path + "/d");
        std::filesystem::create_symlink(outside.path + "/secret", t.path + "/d/link");
        std::filesystem::create_directory_symlink(outside.path, t.path + "/dirlink");
        REQUIRE(::mkfifo((t.path + "/d/fifo").c_str(), 0600) == 0);
        CHECK_THROWS_WITH_AS(read_file_below(t.path, "d/link", 100), doctest::Contains("symbolic link"),
                             Error);
        CHECK_THROWS_WITH_AS(read_file_below(t.path, "dirlink/secret", 100),
                             doctest::Contains("symbolic link"), Error);
        CHECK_THROWS_WITH_AS(read_file_below(t.path, "d/fifo", 100), doctest::Contains("not a regular file"),
                             Error);
        CHECK_THROWS_WITH_AS(read_file_below(t.path, "d", 100), doctest::Contains("not a regular file"),
                             Error);
        CHECK_THROWS_AS(read_file_below(t.path, "../x", 100), Error);
    }

    TEST_CASE("open_below refuses a link anywhere and '..' out of the folder") {
        TempDir t;
        TempDir outside;
        write_file_atomic(outside.path + "/f", "x");
        std::filesystem::create_directory_symlink(outside.path, t.path + "/out");
        Fd root(::open(t.path.c_str(), O_RDONLY | O_DIRECTORY));
        errno = 0;
        CHECK_FALSE(open_below(root.get(), "out/f", O_RDONLY));
        CHECK((errno == ELOOP || errno == ENOTDIR));
        CHECK_FALSE(open_below(root.get(), "../" + outside.path.substr(outside.path.rfind('/') + 1) + "/f",
                               O_RDONLY));
    }

    TEST_CASE("temporaries of long names stay short enough for NAME_MAX") {
        TempDir t;
        std::string name(250, 'n');
        std::string tmp = temp_path_for(t.path + "/" + name);
        CHECK(tmp.size() - t.path.size() - 1 <= 90);
        CHECK(tmp.find(".mlci-tmp.") != std::string::npos);
        write_file_atomic(t.path + "/" + name, "long");
        CHECK(read_file(t.path + "/" + name) == "long");
        // A cut never splits a UTF-8 sequence.
        std::string utf(63, 'a');
        utf += "\xc3\xa9tail";
        std::string cut = temp_path_for(t.path + "/" + utf);
        std::string base = cut.substr(t.path.size() + 1, cut.find(".mlci-tmp.") - t.path.size() - 1);
        CHECK(base == std::string(63, 'a'));
    }
}
