// Stores (store.hpp): what every backend shares (present() by count, objects() from list()), and
// open_store, which turns a STORE argument into a backend by its URL's scheme.
#include "artifact/store/store.hpp"

#include "artifact/pack/packed.hpp"
#include "artifact/store/local.hpp"
#include "artifact/store/s3/store.hpp"
#include "config/config.hpp"

#include "util/error.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <mutex>
#include <optional>

namespace mlci::artifact {

HashSet Store::present(const std::vector<Hash128>& hashes, int jobs) {
    HashSet out;
    if (hashes.empty()) {
        return out;
    }
    if (hashes.size() > k_list_threshold) {
        HashSet all = list();
        for (const auto& h : hashes) {
            if (all.count(h)) {
                out.insert(h);
            }
        }
        return out;
    }
    return present_each(hashes, jobs);
}

std::vector<Hash128> Store::missing(const std::vector<Hash128>& hashes, int jobs) {
    const HashSet there = present(hashes, jobs);
    std::vector<Hash128> out;
    for (const auto& h : hashes) {
        if (!there.count(h)) {
            out.push_back(h);
        }
    }
    return out;
}

HashSet Store::present_each(const std::vector<Hash128>& hashes, int jobs) {
    HashSet out;
    std::mutex mu;
    parallel_for_or_throw(hashes.size(), jobs, [&](size_t i) {
        if (has(hashes[i])) {
            std::lock_guard<std::mutex> lock(mu);
            out.insert(hashes[i]);
        }
    });
    return out;
}

std::vector<std::pair<Hash128, uint64_t>> Store::objects() {
    std::vector<std::pair<Hash128, uint64_t>> out;
    for (const auto& h : list()) {
        out.emplace_back(h, 0);
    }
    return out;
}

std::vector<ObjectFailure> Store::remove_many(const std::vector<Hash128>& hashes, int jobs) {
    std::vector<ObjectFailure> failed;
    std::mutex mu;
    parallel_for(hashes.size(), jobs, [&](size_t i) {
        try {
            remove(hashes[i]);
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mu);
            failed.push_back({hashes[i], e});
        }
    });
    return failed;
}

namespace {

[[noreturn]] void no_files(const Store& s) {
    throw io_error(s.describe() + " cannot hold packs (files beside its objects)");
}

} // namespace

std::vector<StoreFile> Store::list_files(const std::string&) {
    no_files(*this);
}

void Store::put_file(const std::string&, const std::string&, const std::string&) {
    no_files(*this);
}

void Store::read_range(const std::string&, const std::string&, uint64_t, uint64_t, const Sink&) {
    no_files(*this);
}

void Store::remove_files(const std::string&, const std::vector<std::string>&) {
    no_files(*this);
}

void check_store_file_name(const std::string& component, const std::string& what) {
    bool bad = component.empty() || component == "." || component == ".." || component.front() == '.' ||
               component.find('/') != std::string::npos || component.find('\0') != std::string::npos;
    if (bad) {
        throw input_error("invalid " + what + " " + quoted(component) + " in a store");
    }
}

std::unique_ptr<Store> open_store(const std::string& spec, const Config& cfg, const std::string& top,
                                  const std::string& cache_root) {
    std::string name;
    std::string url;
    if (spec.empty()) {
        const RemoteConfig* r = cfg.default_store();
        if (r == nullptr) {
            throw usage_error(cfg.remotes.empty() ? "no store is configured"
                                                  : "several stores are configured and none is the default",
                              "add [remote.NAME] url = \"/path/to/store\" (and [core] remote = \"NAME\") to "
                              ".mlci/config.toml, or name a store: git model push /path/to/store");
        }
        name = r->name;
        url = r->url;
    } else if (auto it = cfg.remotes.find(spec); it != cfg.remotes.end()) {
        name = it->first;
        url = it->second.url;
    } else {
        url = spec;
    }
    if (url.find('\0') != std::string::npos || url.empty()) {
        throw usage_error("invalid store " + quoted(url));
    }
    auto it = name.empty() ? cfg.remotes.end() : cfg.remotes.find(name);
    const RemoteConfig* rc = it == cfg.remotes.end() ? nullptr : &it->second;
    auto packed = [&](std::unique_ptr<Store> backend) -> std::unique_ptr<Store> {
        return std::make_unique<pack::PackedStore>(std::move(backend), pack::options_of(rc, cache_root));
    };
    std::string path;
    if (url.starts_with("file://")) {
        path = url.substr(7);
        if (path.empty() || path.front() != '/') {
            throw usage_error("store URL " + quoted(url) + " must be file:///absolute/path");
        }
    } else if (url.starts_with("s3://")) {
        return packed(open_s3_store(name, url, rc, top));
    } else if (url.find("://") != std::string::npos) {
        throw usage_error("store " + quoted(url) + " has an unknown scheme (s3://, file:// or a path)");
    } else {
        path = url.front() == '/' ? url : path_join(top, url);
    }
    return packed(std::make_unique<LocalStore>(name, path));
}

} // namespace mlci::artifact
