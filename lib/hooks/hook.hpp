// The logic behind the hook shims: `git gate hook NAME ARGS...` (DESIGN.md section 5 and issue 6).
// Each hook returns what to print and its exit code; cmd/ prints. The cheap decisions ("nothing relevant
// is staged / pushed") are made without libgit2: lib/git/lite reads the repository, else the git binary.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mlci::eval {
struct GateResult;
}

namespace mlci::hooks {

/// What a hook says: lines for stderr (already prefixed `error:`/`warning:`/`hint:` or plain) and the
/// exit code (0 lets git go on, 1 refuses).
struct HookReport {
    int exit_code = 0;
    bool escalate = false; // the libgit2-free fast path cannot decide: run `git gate hook` instead
    std::vector<std::string> lines;
    void error(const std::string& m) { lines.push_back("error: " + m); }
    void warning(const std::string& m) { lines.push_back("warning: " + m); }
    void hint(const std::string& m) { lines.push_back("hint: " + m); }
    void note(const std::string& m) { lines.push_back(m); }
};

/// One staged file, as `git diff --cached --raw` reports it.
struct StagedFile {
    std::string path;
    std::string blob;  // 40-hex id of the staged content
    unsigned mode = 0; // 0100644, 0100755, 0120000 …
};

/// Every file added, modified or retyped in the index against HEAD (the index git names in
/// $GIT_INDEX_FILE, so `git commit -a` and `-o` are seen as git sees them).
std::vector<StagedFile> staged_files();

/// Whether the cache holds an object (needs libgit2 to find the cache: the full path supplies it).
using PointerCheck = std::function<bool(const std::string& hash_id)>;

/// pre-commit: prompts, pointers, datasets with a schema, mlci's own config files, and the large-file
/// guard, all on the staged content. Every problem is reported, not only the first. Without a
/// pointer check (the fast path), a staged pointer makes the report ask for escalation.
HookReport pre_commit(const PointerCheck& in_cache);
/// The full path's pointer check: opens the repository's cache on first use.
PointerCheck cache_pointer_check();

/// One line of pre-push's stdin.
struct PushUpdate {
    std::string local_ref;
    std::string local_oid;
    std::string remote_ref;
    std::string remote_oid;
    bool is_delete() const;
    bool is_branch() const {
        return local_ref.rfind("refs/heads/", 0) == 0 || remote_ref.rfind("refs/heads/", 0) == 0;
    }
};
std::vector<PushUpdate> parse_push_lines(const std::string& input);

/// What a push brings that mlci must act on (decided without libgit2).
struct PushPlan {
    struct Item {
        PushUpdate update;
        bool gated = false;               // changes an input of a pre-push gate suite
        std::vector<std::string> commits; // the commits it brings
    };
    std::vector<Item> items; // only updates that are gated or bring a pointer
    bool any_pointer = false;
    bool empty() const { return items.empty(); }
};
PushPlan plan_push(const std::string& remote, const std::string& input);

/// Does the index track any pointer file (post-checkout/post-merge have work)? Without libgit2.
bool tracks_pointers();

/// Formats a gate's verdict table (cmd/ owns the presentation of `git gate check`; the hook reuses it).
using GateRenderer = std::function<std::string(const eval::GateResult&)>;

/// pre-push REMOTE URL, with git's ref lines on stdin.
HookReport pre_push(const std::string& remote, const std::string& url, const std::string& input,
                    const GateRenderer& render);

/// post-checkout PREV NEW FLAG / post-merge SQUASH: materialize the new HEAD's artifacts.
HookReport post_checkout(const std::vector<std::string>& args);
HookReport post_merge(const std::vector<std::string>& args);

/// Run the hook NAME.mlci-chained beside ours, when there is one, with the same arguments and stdin.
/// Returns its exit code (0 when there is none).
int run_chained(const std::string& hooks_dir, const std::string& name, const std::vector<std::string>& args,
                const std::string& input);

/// `git gate hook NAME ARGS…` (what the installed shims run when mlci-hook escalates): runs mlci's hook
/// NAME (pre-push reads git's ref lines from stdin), hands its report to `print`, then, when ours let
/// git go on, the hook chained beside our shim (the folder the shim exported as MLCI_HOOK_DIR, else git's
/// hooks folder) with the same arguments and stdin. Returns the exit code; an unknown NAME: usage_error.
int run_hook(const std::string& name, const std::vector<std::string>& args,
             const std::function<void(const HookReport&)>& print);

} // namespace mlci::hooks
