// `git model get` (issue 17, git-model(1) GET): the bytes of one version of a model, straight from a store
// into a folder, as `dvc get` does — what a serving container's entrypoint runs. The version is named
// by the registry (NAME@STAGE, NAME@vX.Y.Z, NAME@latest), by a path at a revision (PATH@REV), or by a row
// of a deployment manifest (--manifest FILE, deploy.hpp) with no git repository at all.
//
// In a repository (a normal, bare or shallow clone) the pointers are read from the commit's tree, never
// from a work tree. Each object is copied from the cache when the cache already holds it, else streamed
// from the store; either way it is hashed as it is written, under a temporary name in the output folder,
// and renamed onto its target only once every artifact of the command is complete and verified
// (output_dir.hpp). A corrupt object, an escaping path, an unknown stage: exit 2, nothing written.
#pragma once

#include "hash/xxh128.hpp"
#include "release/deploy.hpp"
#include "util/json.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mlci::release {

/// One artifact to fetch.
struct GetTarget {
    std::string pointer; // the pointer file, relative to the repository's top (for messages)
    std::string rel;     // where it lands below the output folder: the pointer's `path` field
    Hash128 hash;        // the file's, or a folder's manifest object's
    uint64_t size = 0;
    bool is_dir = false;
    uint64_t nfiles = 0; // folders only
};

/// What a spec named.
struct GetPlan {
    std::string name;    // the model, "" for PATH@REV
    std::string version; // "v1.2.0", "" for PATH@REV
    std::string stage;   // NAME@STAGE (or the manifest row's stage), else ""
    std::string rev;     // PATH@REV: the REV as given
    std::string commit;  // full hex id
    std::vector<GetTarget> targets;
};

struct GetOptions {
    std::string spec;
    std::string out_dir = "."; // -o
    std::string store;         // --store: a configured name, a path or a URL ("": the default store)
    std::string manifest;      // --manifest FILE: no repository is used
    bool force = false;        // replace existing targets
    int jobs = 0;              // parallel downloads of a folder's members (0: the default)
};

struct GotArtifact {
    GetTarget target;
    std::string from; // "cache" or "store" (a folder whose members came from both: "store")
};

struct GetResult {
    GetPlan plan;
    std::string dir;   // the output folder as given
    std::string store; // the store's describe(), "" when every object came from the cache
    std::vector<GotArtifact> got;
    uint64_t bytes = 0;
    double seconds = 0;
};

/// Run `git model get`.
GetResult get_command(const GetOptions& opt);

/// One line per artifact for stdout: "<dir>/<path>  <hash>  <size>  (from the cache|store)".
std::string get_text(const GetResult& r);
/// The summary line for stderr: "get: clf v1.2.0 (production, 1a2b3c4): 1 artifact, 4.0 KiB in 0.01 s".
std::string get_line(const GetResult& r);
Json get_json(const GetResult& r);

} // namespace mlci::release
