// The S3 store's own config keys (settings.hpp), read into RemoteConfig::settings as S3Settings.
#include "artifact/store/s3/settings.hpp"

#include "config/reader.hpp"

#include <any>

namespace mlci::artifact {

bool read_s3_key(const ConfigReader& rd, const std::string& key, const toml::node& value, RemoteConfig& r) {
    if (key != "endpoint" && key != "region" && key != "path_style" && key != "part_size") {
        return false;
    }
    if (!r.settings.has_value()) {
        r.settings = S3Settings{};
    }
    auto* s = std::any_cast<S3Settings>(&r.settings);
    if (s == nullptr) {
        return false; // another kind of store's keys: not ours to mix with
    }
    std::string name = "remote." + r.name + "." + key;
    if (key == "endpoint") {
        s->endpoint = rd.string(value, name);
    } else if (key == "region") {
        s->region = rd.string(value, name);
    } else if (key == "path_style") {
        s->path_style = rd.boolean(value, name);
    } else {
        s->part_size = rd.size(value, name);
    }
    return true;
}

const S3Settings* s3_settings(const RemoteConfig& r) {
    return std::any_cast<S3Settings>(&r.settings);
}

} // namespace mlci::artifact
