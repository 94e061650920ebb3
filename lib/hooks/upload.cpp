// pre-push's artifact upload (upload.hpp): pushes the objects the pushed commits' pointers name to the
// default store, and stops the push when there is none or when any object fails to upload.
#include "hooks/upload.hpp"

#include "artifact/store/store.hpp"
#include "artifact/sync.hpp"
#include "artifact/workspace.hpp"
#include "util/strings.hpp"

namespace mlci::hooks {

void upload_artifacts(const std::vector<git::Oid>& commits, HookReport& rep) {
    auto ctx = artifact::Context::open(".");
    auto pointers = artifact::pointers_of_commits(ctx, commits);
    if (pointers.empty()) {
        return;
    }
    if (ctx.cfg.default_store() == nullptr) {
        rep.error("push refused: the pushed commits reference " + std::to_string(pointers.size()) +
                  " artifact" + (pointers.size() == 1 ? "" : "s") + " but no default store is configured");
        rep.hint(
            "add [remote.NAME] url = \"…\" to .mlci/config.toml (and [core] remote = \"NAME\" when there are "
            "several), or push with --no-verify and upload later with git model push");
        rep.exit_code = 1;
        return;
    }
    auto store = artifact::open_store("", ctx.cfg, ctx.top, ctx.cache.root());
    auto r = artifact::push(ctx, *store, pointers, 0);
    for (const auto& p : r.problems) {
        rep.error(p.message);
        if (!p.hint.empty()) {
            rep.hint(p.hint);
        }
    }
    if (!r.problems.empty()) {
        rep.error("push refused: artifacts could not all be uploaded to " + store->describe() +
                  "; the remote is unchanged");
        rep.exit_code = 1;
        return;
    }
    rep.note("pre-push: artifacts on " + store->describe() + ": " + std::to_string(r.stats.done) +
             " uploaded (" + human_size(r.stats.bytes) + "), " + std::to_string(r.skipped) +
             " already there");
}

} // namespace mlci::hooks
