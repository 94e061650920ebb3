// `git model bump`: a GTO-compatible version tag (NAME@vX.Y.Z, DESIGN.md section 3) on HEAD for a model
// artifact, with its pointer's hash as evidence in the tag message.
#pragma once

#include "artifact/workspace.hpp"
#include "semver/semver.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mlci::registry {
class Registry;
}

namespace mlci::artifact {

struct BumpResult {
    std::string name;
    std::string tag;
    Version version;
    std::string pointer;
    Hash128 hash;
    git::Oid commit;
    std::vector<std::pair<std::string, std::string>> extra; // the further trailers written (lineage)
};

/// Further trailers for a version's tag (Evidence::extra), computed once every check has passed: the
/// lineage (release/lineage.hpp, which sits above this folder) is passed in by the caller.
using ExtraTrailers = std::function<std::vector<std::pair<std::string, std::string>>(
    const git::Repo& repo, const Config& cfg, const registry::Registry& reg, const git::Oid& commit)>;

/// The pointer path of model NAME at `commit`: [model.NAME] path in config, else the one pointer whose
/// file name up to its first '.' is NAME. Throws usage_error when none or several match.
std::string model_pointer(const Context& ctx, const std::string& name, const git::Oid& commit);
/// The same from a config and an open repository (for readers that need no cache: a model card).
std::string model_pointer(const Config& cfg, const git::Repo& repo, const std::string& name,
                          const git::Oid& commit);

/// Tag HEAD as the next version of NAME. Refused (input_error) when HEAD already carries a version of
/// NAME, when the pointer did not change since the last version, or when it has uncommitted changes.
/// `extra`, when set, gives further trailers for the tag.
BumpResult bump_model(Context& ctx, const std::string& name, Version::Level level, const std::string& message,
                      const ExtraTrailers& extra = {});

} // namespace mlci::artifact
