// What `git model get` fetches (get.hpp): a spec resolved to a commit's pointers in a repository — a
// normal, bare or shallow clone, read from the commit's tree — or to a row of a deployment manifest, and
// the store the bytes come from.
#pragma once

#include "artifact/store/store.hpp"
#include "artifact/workspace.hpp"
#include "release/deploy.hpp"
#include "release/get.hpp"

#include <memory>
#include <string>

namespace mlci::release {

/// The repository around the current folder. A bare one has no work tree: its config is
/// .mlci/config.toml at HEAD under the user's own files (load_config_over), relative store paths are
/// taken from its git folder. Outside any repository: usage_error with a hint at --manifest.
artifact::Context open_get_context();

/// The pointers `spec` names in the repository: NAME@STAGE, NAME#STAGE, NAME@vX.Y.Z, NAME@latest or a
/// bare NAME through the registry (a registered NAME wins over a path of the same spelling); else
/// PATH@REV (PATH alone: at HEAD), where PATH is a pointer file, its artifact, or a folder holding
/// pointers (each lands at its path below that folder). Throws input_error / usage_error.
GetPlan plan_from_repo(const artifact::Context& ctx, const std::string& spec);

/// Where a manifest pointer's artifact lands: its path below the pointer's folder (the pointer's `path`
/// field). Throws input_error (naming `where`) when the path is not below that folder, breaks the path
/// rules or names a pointer.
std::string landing_name(const std::string& pointer, const std::string& path, const std::string& where);

/// The row of a deployment manifest (read from `source`) that `spec` names: NAME@STAGE (or NAME#STAGE),
/// NAME@vX.Y.Z, or NAME alone when the manifest has one row for it. Throws input_error for no such row,
/// a prompt's row or a model row without pointers; usage_error for a bare NAME with several rows.
GetPlan plan_from_manifest(const DeployManifest& m, const std::string& spec, const std::string& source);

/// The store of a manifest: `arg` (--store: a path or a URL) when given, else the manifest's own store
/// (file:///absolute/path, or s3:// with its endpoint, region and path style; credentials only from
/// the environment). Throws usage_error when there is neither, input_error for another kind of URL.
std::unique_ptr<artifact::Store> manifest_store(const DeployManifest& m, const std::string& source,
                                                const std::string& arg);

/// Throw input_error when two targets land at the same place, or one inside another.
void check_distinct(const std::vector<GetTarget>& targets);

} // namespace mlci::release
