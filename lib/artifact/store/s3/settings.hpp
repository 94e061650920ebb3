// The [remote.NAME] keys of an S3 store (mlci-config(5)): endpoint, region, path_style, part_size, read by
// the S3 store itself from the parsed config, so the config parser knows nothing of S3.
#pragma once

#include "config/reader.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace mlci::artifact {

struct S3Settings {
    std::string endpoint;
    std::string region;
    std::optional<bool> path_style;
    uint64_t part_size = 0; // 0: the default
};

/// RemoteKeyReader (config/reader.hpp) of the S3 keys: true when `key` is one of them.
bool read_s3_key(const ConfigReader& rd, const std::string& key, const toml::node& value, RemoteConfig& r);

/// The S3 keys a remote set; nullptr when it set none.
const S3Settings* s3_settings(const RemoteConfig& r);

} // namespace mlci::artifact
