// The deployment manifest (issue 17): what a router or a serving job reads without git — per NAME and
// stage the version, its commit and traffic share, and for models each pointer with its object's place
// in the default store. Written by `git model export --stage` and `git prompt|model stages --json`
// (the same "artifacts" rows), read by `git model get --manifest FILE`, where it is untrusted input:
// parse_manifest validates every field (names, versions, commit ids, paths by DESIGN.md section 8,
// hashes, sizes, keys) before anything is fetched.
//
//   { "mlci_deploy": 1,
//     "store": { "name": "local", "url": "file:///srv/store" [, "endpoint": …, "region": …,
//                "path_style": true] },                           // absent when no default store
//     "artifacts": [ { "name": "clf", "kind": "model", "stage": "production", "version": "v1.2.0",
//                      "commit": "<40|64 hex>", "traffic": 95,
//                      "pointers": [ { "pointer": "models/clf.safetensors.mlci",
//                                      "path": "models/clf.safetensors", "hash": "xxh128:…",
//                                      "size": 123, "nfiles": 4,             // nfiles: directories only
//                                      "key": "xxh128/ab/<30 hex>",
//                                      "url": "s3://bucket/prefix/xxh128/ab/<30 hex>" } ] } ] }
//                                                                     // url: S3 stores only
#pragma once

#include "util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::release {

inline constexpr int k_deploy_format = 1;

struct DeployStore {
    std::string name;             // the configured name ("" when given as a URL)
    std::string url;              // file:///abs/path or s3://bucket/prefix
    std::string endpoint, region; // S3 only, "" when unset
    std::optional<bool> path_style;
};

struct DeployPointer {
    std::string pointer; // the pointer file, relative to the repository's top
    std::string path;    // the artifact it describes (the pointer's `path` joined to its folder)
    std::string hash;    // xxh128:<32 hex>
    uint64_t size = 0;
    std::optional<uint64_t> nfiles; // a directory artifact: hash is its manifest object's
    std::string key;                // store-relative key: xxh128/ab/<30 hex>
    std::string url;                // s3://bucket/prefix/<key> for S3 stores, else ""
};

struct DeployEntry {
    std::string name;
    std::string kind; // "model" | "prompt"
    std::string stage;
    std::string version; // "v1.2.0"
    std::string commit;  // full hex
    /// The stage's share, 0–100: the share its assignment records, else what the recorded shares of
    /// the NAME's other stages leave (registry/traffic.hpp; 0 when a canary at 100% takes it all).
    int traffic = 100;
    std::vector<DeployPointer> pointers; // models only
};

struct DeployManifest {
    std::optional<DeployStore> store;
    std::vector<DeployEntry> artifacts;
};

/// The store-relative key of an object: "xxh128/ab/<30 hex>" for "xxh128:ab<30 hex>".
std::string object_key(const std::string& hash_id);

Json to_json(const DeployPointer& p); // one row of "pointers" (also in `git model stages --json`)
Json to_json(const DeployEntry& e);
Json to_json(const DeployManifest& m);

/// Parse and validate a manifest (named `source` in messages). Throws input_error (exit 2) naming the
/// field on anything out of contract: an unknown format, a path that escapes (relative_path_problem),
/// a bad hash, a key that is not the hash's, a share outside 0–100, a duplicate (name, stage).
DeployManifest parse_manifest(std::string_view text, const std::string& source);

} // namespace mlci::release
