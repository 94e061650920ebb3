// What `git model export --stage` and `git model stages --json` add to the registry's view of a model
// version for a serving job (issue 17, git-model(1) EXPORT): its pointers at the version's commit, each
// with its object's key in the store and, for an S3 store, its URL; and the default store as the
// deployment manifest names it (release/deploy.hpp), with an absolute URL that works from anywhere.
#pragma once

#include "artifact/workspace.hpp"
#include "release/deploy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::release {

/// The default store for a manifest: its name, URL (a folder store's path made absolute against `top`,
/// as file:///abs/path) and S3 settings; nullopt when no default store is configured.
std::optional<DeployStore> deploy_store(const Config& cfg, const std::string& top);

/// The pointer of model NAME at `commit` ([model.NAME] path, else the pointer named like it; see
/// artifact::model_pointer) with its object's key, and its URL when `store` is an S3 store. Throws
/// input_error for a pointer that does not parse or escapes the repository.
std::vector<DeployPointer> model_pointers(const artifact::Context& ctx, const std::string& name,
                                          const git::Oid& commit, const std::optional<DeployStore>& store);

/// "canary,production" → {"canary", "production"}: each a stage of the config, none twice; usage_error
/// otherwise (naming the stages there are).
std::vector<std::string> parse_stage_list(const std::string& arg, const Config& cfg);

} // namespace mlci::release
