// fsutil's copies (copy_fd with and without a reflink, reflink_fd's honest "no") and durable batches
// (SyncBatch: nothing visible before commit, temporaries deleted when dropped; sync_paths).
#include "fsutil/copy.hpp"
#include "fsutil/durable.hpp"
#include "fsutil/file.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using mlci_test::TempDir;

TEST_SUITE("fsutil copy") {
    TEST_CASE("copy_fd copies every byte, reflink allowed or not") {
        TempDir t;
        std::string data(3 * k_io_buffer_size + 17, '\0');
        for (size_t i = 0; i < data.size(); ++i) {
            data[i] = static_cast<char>(i * 7);
        }
        write_file_atomic(t.path + "/in", data);
        for (bool reflink : {false, true}) {
            CAPTURE(reflink);
            Fd in(::open((t.path + "/in").c_str(), O_RDONLY));
            std::string out_path = t.path + "/out" + std::to_string(reflink);
            Fd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));
            copy_fd(in.get(), out.get(), reflink, "in");
            out.close();
            CHECK(read_file(out_path) == data);
        }
    }

    TEST_CASE("reflink_fd either shares the blocks or says no, and io_buffer is page-aligned") {
        TempDir t;
        write_file_atomic(t.path + "/in", "abc");
        Fd in(::open((t.path + "/in").c_str(), O_RDONLY));
        Fd out(::open((t.path + "/out").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));
        if (reflink_fd(in.get(), out.get())) {
            CHECK(read_file(t.path + "/out") == "abc");
        } else {
            CHECK(read_file(t.path + "/out").empty());
        }
        CHECK(reinterpret_cast<uintptr_t>(io_buffer()) % 4096 == 0);
        CHECK(io_buffer() == io_buffer());
    }
}

TEST_SUITE("fsutil durable") {
    TEST_CASE("a batch makes its files visible only at commit, few or many") {
        for (int n : {3, 40}) {
            CAPTURE(n);
            TempDir t;
            {
                SyncBatch batch(t.path);
                for (int i = 0; i < n; ++i) {
                    std::string temp = t.path + "/f" + std::to_string(i) + ".tmp";
                    write_file_atomic(temp, std::to_string(i), false);
                    batch.add(temp, t.path + "/f" + std::to_string(i));
                }
                CHECK(batch.size() == static_cast<size_t>(n));
                CHECK_FALSE(path_exists(t.path + "/f0"));
                batch.commit();
            }
            for (int i = 0; i < n; ++i) {
                CHECK(read_file(t.path + "/f" + std::to_string(i)) == std::to_string(i));
                CHECK_FALSE(path_exists(t.path + "/f" + std::to_string(i) + ".tmp"));
            }
        }
    }

    TEST_CASE("a batch dropped uncommitted deletes its temporaries; sync_paths syncs what exists") {
        TempDir t;
        {
            SyncBatch batch(t.path);
            write_file_atomic(t.path + "/x.tmp", "x", false);
            batch.add(t.path + "/x.tmp", t.path + "/x");
        }
        CHECK_FALSE(path_exists(t.path + "/x.tmp"));
        CHECK_FALSE(path_exists(t.path + "/x"));
        std::vector<std::string> later;
        {
            SyncBatch batch(t.path);
            write_file_atomic(t.path + "/y.tmp", "y", false);
            batch.add(t.path + "/y.tmp", t.path + "/y");
            batch.commit(&later);
        }
        CHECK(later == std::vector<std::string>{t.path});
        CHECK_NOTHROW(sync_paths({t.path, t.path + "/y", t.path + "/none"}));
    }
}
