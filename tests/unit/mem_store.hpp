// An in-memory Store for the unit tests of lib/artifact/pack: loose objects (visible at flush) and files by
// folder, every call counted (test_artifact_pack_packed.cpp, test_artifact_pack_maint.cpp).
#pragma once

#include "artifact/store/store.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mlci_test {

using namespace mlci;
using namespace mlci::artifact;

/// A store in memory: loose objects (visible at flush) and files by folder, every call counted.
struct MemStore : Store {
    struct File {
        std::string bytes;
        int64_t mtime = 0;
    };
    std::mutex mu;
    std::map<std::string, std::string> loose, pending; // by hex
    std::map<std::string, std::map<std::string, File>> files;
    std::vector<std::string> put_files; // "dir/name", in order
    std::vector<std::string> reads;     // "name@offset+length"
    size_t piece = 0;                   // read_range hands out pieces of this size (0: all at once)
    size_t fail_after = SIZE_MAX;       // and fails at the first piece at or after this many bytes
    int lists = 0;
    int has_calls = 0;
    int64_t now = 1'000'000'000;

    std::string describe() const override { return "store 'mem'"; }
    void check_readable() override {}
    void check_writable() override {}
    bool has(const Hash128& h) override {
        std::lock_guard<std::mutex> lock(mu);
        ++has_calls;
        return loose.count(h.hex()) > 0;
    }
    HashSet list() override {
        HashSet out;
        for (const auto& [hex, b] : loose) {
            out.insert(xxh128(b));
        }
        return out;
    }
    bool put(const Hash128& h, uint64_t, const Source& source) override {
        std::string b;
        if (!source([&](const char* p, size_t n) { b.append(p, n); })) {
            return false;
        }
        std::lock_guard<std::mutex> lock(mu);
        pending[h.hex()] = b;
        return true;
    }
    void get(const Hash128& h, uint64_t, const Sink& sink) override {
        std::lock_guard<std::mutex> lock(mu);
        auto it = loose.find(h.hex());
        if (it == loose.end()) {
            throw io_error(h.id() + " is not on " + describe());
        }
        sink(it->second.data(), it->second.size());
    }
    void flush() override {
        std::lock_guard<std::mutex> lock(mu);
        loose.insert(pending.begin(), pending.end());
        pending.clear();
    }
    void remove(const Hash128& h) override {
        std::lock_guard<std::mutex> lock(mu);
        loose.erase(h.hex());
    }
    std::vector<std::pair<Hash128, uint64_t>> objects() override {
        std::vector<std::pair<Hash128, uint64_t>> out;
        for (const auto& [hex, b] : loose) {
            Hash128 h;
            parse_hash_id("xxh128:" + hex, &h);
            out.emplace_back(h, b.size());
        }
        return out;
    }
    size_t remove_unfinished(double, bool) override { return 0; }
    std::vector<StoreFile> list_files(const std::string& dir) override {
        std::lock_guard<std::mutex> lock(mu);
        ++lists;
        std::vector<StoreFile> out;
        for (const auto& [name, f] : files[dir]) {
            out.push_back({name, f.bytes.size(), f.mtime});
        }
        return out;
    }
    void put_file(const std::string& dir, const std::string& name, const std::string& from) override {
        std::string b = read_file(from);
        std::lock_guard<std::mutex> lock(mu);
        put_files.push_back(dir + "/" + name);
        files[dir][name] = File{b, now};
    }
    void read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                    const Sink& sink) override {
        std::string part;
        {
            std::lock_guard<std::mutex> lock(mu);
            reads.push_back(name + "@" + std::to_string(offset) + "+" + std::to_string(length));
            auto& f = files[dir];
            auto it = f.find(name);
            if (it == f.end()) {
                throw io_error(dir + "/" + name + " is not on " + describe());
            }
            if (offset + length > it->second.bytes.size()) {
                throw input_error(dir + "/" + name + " is shorter than asked");
            }
            part = it->second.bytes.substr(offset, length);
        }
        // In pieces of `piece` bytes when set (as a network read arrives), failing after `fail_after`.
        size_t step = piece == 0 ? std::max<size_t>(part.size(), 1) : piece;
        for (size_t at = 0; at < part.size(); at += step) {
            if (at >= fail_after) {
                throw io_error(dir + "/" + name + ": connection lost");
            }
            sink(part.data() + at, std::min(step, part.size() - at));
        }
    }
    void remove_files(const std::string& dir, const std::vector<std::string>& names) override {
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& n : names) {
            files[dir].erase(n);
        }
    }
    size_t count_reads(const std::string& suffix) {
        size_t n = 0;
        for (const auto& r : reads) {
            n += r.find(suffix + "@") != std::string::npos ? 1 : 0;
        }
        return n;
    }
};

} // namespace mlci_test
