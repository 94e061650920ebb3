// The deployment manifest (deploy.hpp): written from the registry, read back — untrusted — by `get`.
#include "release/deploy.hpp"

#include "config/config.hpp"
#include "eval/json_in.hpp"
#include "fsutil/path.hpp"
#include "hash/xxh128.hpp"
#include "semver/semver.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace mlci::release {

using eval::JsonValue;

namespace {

constexpr size_t k_max_manifest_bytes = 16 * 1024 * 1024;

bool is_hex_id(std::string_view s) {
    return (s.size() == 40 || s.size() == 64) && is_lower_hex(s);
}

// Reads one JSON object's fields, naming `where` in every error.
struct Fields {
    const JsonValue& v;
    std::string where;

    [[noreturn]] void bad(const std::string& key, const std::string& why) const {
        throw input_error(where + ": '" + key + "' " + why);
    }
    const JsonValue* get(const std::string& key, JsonValue::Type t, bool required) const {
        const JsonValue* f = v.find(key);
        if (f == nullptr || (f->type == JsonValue::Type::null && !required)) {
            if (required) {
                bad(key, "is missing");
            }
            return nullptr;
        }
        if (f->type != t) {
            bad(key, "has the wrong type");
        }
        return f;
    }
    std::string string(const std::string& key, bool required = true) const {
        const JsonValue* f = get(key, JsonValue::Type::string, required);
        return f ? f->string : "";
    }
    std::optional<uint64_t> integer(const std::string& key, bool required = true) const {
        const JsonValue* f = get(key, JsonValue::Type::number, required);
        if (f == nullptr) {
            return std::nullopt;
        }
        double d = f->number;
        if (d < 0 || d >= 9223372036854775808.0 || std::floor(d) != d) {
            bad(key, "must be an integer in [0, 2^63)");
        }
        return static_cast<uint64_t>(d);
    }
};

DeployPointer read_pointer(const JsonValue& v, const std::string& where) {
    if (v.type != JsonValue::Type::object) {
        throw input_error(where + " must be an object");
    }
    Fields f{v, where};
    DeployPointer p;
    p.pointer = f.string("pointer");
    p.path = f.string("path");
    for (const std::string* path : {&p.pointer, &p.path}) {
        if (std::string why = relative_path_problem(*path); !why.empty()) {
            f.bad(path == &p.pointer ? "pointer" : "path", "\"" + *path + "\" is refused: " + why);
        }
    }
    p.hash = f.string("hash");
    Hash128 h;
    if (!parse_hash_id(p.hash, &h)) {
        f.bad("hash", "is not xxh128: and 32 lowercase hex digits");
    }
    p.size = *f.integer("size");
    p.nfiles = f.integer("nfiles", false);
    p.key = f.string("key");
    if (p.key != object_key(p.hash)) {
        f.bad("key", "is not the key of its hash (" + object_key(p.hash) + ")");
    }
    p.url = f.string("url", false);
    if (!p.url.empty() && !(p.url.starts_with("s3://") && p.url.ends_with("/" + p.key))) {
        f.bad("url", "must be an s3:// URL ending in its key");
    }
    return p;
}

DeployEntry read_entry(const JsonValue& v, const std::string& where) {
    if (v.type != JsonValue::Type::object) {
        throw input_error(where + " must be an object");
    }
    Fields f{v, where};
    DeployEntry e;
    e.name = f.string("name");
    if (!valid_name(e.name)) {
        f.bad("name", "is not a valid name");
    }
    e.kind = f.string("kind");
    if (e.kind != "model" && e.kind != "prompt") {
        f.bad("kind", "must be \"model\" or \"prompt\"");
    }
    e.stage = f.string("stage");
    if (!valid_stage_name(e.stage)) {
        f.bad("stage", "is not a valid stage name");
    }
    e.version = f.string("version");
    if (!e.version.starts_with("v") || !Version::parse(e.version.substr(1))) {
        f.bad("version", "is not vMAJOR.MINOR.PATCH");
    }
    e.commit = f.string("commit");
    if (!is_hex_id(e.commit)) {
        f.bad("commit", "is not a full commit id");
    }
    auto share = f.integer("traffic");
    if (*share > 100) {
        f.bad("traffic", "must be from 0 to 100");
    }
    e.traffic = static_cast<int>(*share);
    if (const JsonValue* ps = f.get("pointers", JsonValue::Type::array, false)) {
        for (size_t i = 0; i < ps->array.size(); ++i) {
            e.pointers.push_back(read_pointer(ps->array[i], where + ".pointers[" + std::to_string(i) + "]"));
        }
    }
    return e;
}

DeployStore read_store(const JsonValue& v, const std::string& where) {
    Fields f{v, where};
    DeployStore s;
    s.name = f.string("name", false);
    s.url = f.string("url");
    s.endpoint = f.string("endpoint", false);
    s.region = f.string("region", false);
    if (const JsonValue* ps = f.get("path_style", JsonValue::Type::boolean, false)) {
        s.path_style = ps->boolean;
    }
    return s;
}

} // namespace

std::string object_key(const std::string& hash_id) {
    std::string hex = hash_id.substr(hash_id.find(':') + 1);
    return "xxh128/" + hex.substr(0, 2) + "/" + hex.substr(2);
}

Json to_json(const DeployPointer& p) {
    Json o = Json::object();
    o["pointer"] = p.pointer;
    o["path"] = p.path;
    o["hash"] = p.hash;
    o["size"] = p.size;
    if (p.nfiles) {
        o["nfiles"] = *p.nfiles;
    }
    o["key"] = p.key;
    if (!p.url.empty()) {
        o["url"] = p.url;
    }
    return o;
}

Json to_json(const DeployEntry& e) {
    Json j = Json::object();
    j["name"] = e.name;
    j["kind"] = e.kind;
    j["stage"] = e.stage;
    j["version"] = e.version;
    j["commit"] = e.commit;
    j["traffic"] = e.traffic;
    if (e.kind != "model") {
        return j;
    }
    Json ps = Json::array();
    for (const auto& p : e.pointers) {
        ps.push_back(to_json(p));
    }
    j["pointers"] = std::move(ps);
    return j;
}

Json to_json(const DeployManifest& m) {
    Json j = Json::object();
    j["mlci_deploy"] = k_deploy_format;
    if (m.store) {
        Json s = Json::object();
        if (!m.store->name.empty()) {
            s["name"] = m.store->name;
        }
        s["url"] = m.store->url;
        if (!m.store->endpoint.empty()) {
            s["endpoint"] = m.store->endpoint;
        }
        if (!m.store->region.empty()) {
            s["region"] = m.store->region;
        }
        if (m.store->path_style) {
            s["path_style"] = *m.store->path_style;
        }
        j["store"] = std::move(s);
    }
    Json arr = Json::array();
    for (const auto& e : m.artifacts) {
        arr.push_back(to_json(e));
    }
    j["artifacts"] = std::move(arr);
    return j;
}

DeployManifest parse_manifest(std::string_view text, const std::string& source) {
    JsonValue root = eval::parse_json(text, source, k_max_manifest_bytes);
    if (root.type != JsonValue::Type::object) {
        throw input_error(source + ": a deployment manifest is a JSON object");
    }
    Fields f{root, source};
    auto format = f.integer("mlci_deploy");
    if (*format != k_deploy_format) {
        throw input_error(source + ": manifest format " + std::to_string(*format) + " is not supported",
                          "this mlci reads format " + std::to_string(k_deploy_format));
    }
    DeployManifest m;
    if (const JsonValue* s = f.get("store", JsonValue::Type::object, false)) {
        m.store = read_store(*s, source + ": store");
    }
    const JsonValue* arts = f.get("artifacts", JsonValue::Type::array, true);
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t i = 0; i < arts->array.size(); ++i) {
        std::string where = source + ": artifacts[" + std::to_string(i) + "]";
        DeployEntry e = read_entry(arts->array[i], where);
        if (!seen.emplace(e.name, e.stage).second) {
            throw input_error(where + ": " + e.name + " appears twice in stage " + e.stage);
        }
        m.artifacts.push_back(std::move(e));
    }
    return m;
}

} // namespace mlci::release
