// A gate's stage-relative baseline: `baseline = "@production"` (or `--baseline @production`) compares the
// candidate with the commit of the version that stage holds now for the same NAME — not with a merge base.
// Which NAME (git-gate(1) BASELINES, mlci-config(5)):
//   1. the NAME being judged: a promotion of NAME, or `git gate check --rev NAME@V`;
//   2. else, for a plain revision (HEAD, the pre-push hook), the one NAME with a version on the candidate
//      commit;
//   3. else, when every NAME holding the stage holds it at one commit, that commit;
//   4. else the baseline is ambiguous: a usage error naming the holders and `--rev NAME@V`.
// A stage that holds no version (of that NAME, or at all) skips the relative rules with a warning, as a
// first push does. A stage not listed in `stages` is a config error (a usage error for --baseline).
#pragma once

#include "git/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

/// Is `ref` a stage baseline ("@STAGE")? Git's "@{upstream}" and a bare "@" (HEAD) are not.
bool is_stage_baseline(const std::string& ref);

struct StageBaseline {
    std::optional<git::Oid> commit; // the stage's version's commit; nullopt when the stage holds none
    std::string holder;             // "clf v1.0.0" (the version compared with), or "" for a shared commit
    std::string warning;            // why there is no baseline, when commit is nullopt
};

struct StageBaselineQuery {
    std::string gate;                // for messages
    std::string ref;                 // "@production"
    bool from_option = false;        // --baseline (usage error) rather than the gate's config (config error)
    std::string name;                // the NAME judged, "" for a plain revision
    std::vector<std::string> stages; // the configured stages, in order
};

/// The baseline `q.ref` names for `candidate` (rule above). Throws config_error / usage_error for a stage
/// not in `stages`, usage_error when a plain revision's baseline is ambiguous.
StageBaseline stage_baseline(const git::Repo& repo, const git::Oid& candidate, const StageBaselineQuery& q);

} // namespace mlci::eval
