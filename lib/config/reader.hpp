// Typed reading of config keys (for lib/config and for the kinds of store that read their own
// [remote.NAME] keys): each reader names file:line and the expected type on a mismatch. Internal to
// lib/: includes TOML++.
#pragma once

#include "config/config.hpp"
#include "config/toml.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mlci {

/// Typed readers of one config file's nodes.
struct ConfigReader {
    const std::string& source;

    [[noreturn]] void type_error(const toml::node& n, const std::string& key, const char* expected) const {
        throw config_error(where(source, n) + ": '" + key + "' must be " + expected);
    }
    std::string string(const toml::node& n, const std::string& key) const {
        if (auto v = n.value<std::string>(); v && n.is_string()) {
            return *v;
        }
        type_error(n, key, "a string");
    }
    bool boolean(const toml::node& n, const std::string& key) const {
        if (n.is_boolean()) {
            return *n.value<bool>();
        }
        type_error(n, key, "true or false");
    }
    int64_t integer(const toml::node& n, const std::string& key) const {
        if (n.is_integer()) {
            return *n.value<int64_t>();
        }
        type_error(n, key, "an integer");
    }
    std::vector<std::string> strings(const toml::node& n, const std::string& key) const {
        const toml::array* a = n.as_array();
        if (a == nullptr) {
            type_error(n, key, "an array of strings");
        }
        std::vector<std::string> out;
        for (const auto& e : *a) {
            if (!e.is_string()) {
                type_error(e, key, "an array of strings");
            }
            out.push_back(*e.value<std::string>());
        }
        return out;
    }
    uint64_t size(const toml::node& n, const std::string& key) const {
        if (n.is_integer() && *n.value<int64_t>() >= 0) {
            return static_cast<uint64_t>(*n.value<int64_t>());
        }
        if (n.is_string()) {
            if (auto s = parse_size(*n.value<std::string>())) {
                return *s;
            }
        }
        throw config_error(where(source, n) + ": '" + key +
                           "' must be a size such as \"10MiB\" (B, KB/MB/GB = 10^n, KiB/MiB/GiB = 2^n)");
    }
    const toml::table& table(const toml::node& n, const std::string& key) const {
        const toml::table* t = n.as_table();
        if (t == nullptr) {
            type_error(n, key, "a table");
        }
        return *t;
    }
    void unknown(const toml::node& n, const std::string& key) const {
        warn(where(source, n) + ": unknown key '" + key + "' (ignored)");
    }
};

/// A kind of store's reader of its own [remote.NAME] keys: true when `key` is one of them (its value is
/// then in r.settings); false leaves the key to the other kinds.
using RemoteKeyReader = bool (*)(const ConfigReader& rd, const std::string& key, const toml::node& value,
                                 RemoteConfig& r);

/// The key readers of every kind of store. Declared here, defined where the kinds of store are registered
/// (lib/artifact/store/remote_keys.cpp): the config parser never names one.
std::span<const RemoteKeyReader> remote_key_readers();

} // namespace mlci
