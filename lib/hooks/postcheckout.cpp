// post-checkout and post-merge: bring the workspace's artifacts in line with the new HEAD, quietly,
// from the cache (and from the default store when hooks.auto_pull is true). A modified workspace file
// is never overwritten: it is named in a warning and kept. These hooks cannot stop git (it has already
// moved HEAD), so they always exit 0 and say what they could not do.
#include "hooks/hook.hpp"

#include "artifact/ops.hpp"
#include "artifact/store/store.hpp"
#include "artifact/sync.hpp"
#include "artifact/workspace.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <memory>

namespace mlci::hooks {

namespace {

HookReport materialize() {
    HookReport rep;
    if (!tracks_pointers()) {
        return rep; // nothing to do, decided without libgit2
    }
    try {
        auto ctx = artifact::Context::open(".");
        auto head = ctx.repo.head();
        if (!head) {
            return rep;
        }
        artifact::CommitPointers cp(ctx.repo);
        auto pointers = cp.at(*head);
        if (pointers.empty()) {
            return rep;
        }
        if (ctx.cfg.hooks.auto_pull && ctx.cfg.default_store() != nullptr) {
            auto store = artifact::open_store("", ctx.cfg, ctx.top, ctx.cache.root());
            auto r = artifact::fetch(ctx, *store, pointers, 0);
            for (const auto& p : r.problems) {
                rep.warning(p.message);
            }
        }
        auto r = artifact::checkout(ctx, pointers, false, 0);
        for (const auto& p : r.problems) {
            rep.warning(p.message);
            if (!p.hint.empty()) {
                rep.hint(p.hint);
            }
        }
        if (!r.written.empty()) {
            rep.note("mlci: checked out " + std::to_string(r.written.size()) + " artifact file" +
                     (r.written.size() == 1 ? "" : "s"));
        }
    } catch (const Error& e) {
        rep.warning(std::string("artifacts not checked out: ") + e.what());
        if (!e.hint().empty()) {
            rep.hint(e.hint());
        }
    }
    return rep;
}

} // namespace

HookReport post_checkout(const std::vector<std::string>& args) {
    // args: previous HEAD, new HEAD, 1 for a branch checkout (0 for a file checkout: nothing to do).
    if (args.size() >= 3 && args[2] == "0") {
        return {};
    }
    return materialize();
}

PointerCheck cache_pointer_check() {
    // The Context (repository, config, cache) is opened on the first pointer, once.
    auto ctx = std::make_shared<std::unique_ptr<artifact::Context>>();
    return [ctx](const std::string& hash_id) {
        if (!*ctx) {
            *ctx = std::make_unique<artifact::Context>(artifact::Context::open("."));
        }
        Hash128 h;
        return parse_hash_id(hash_id, &h) && (*ctx)->cache.has(h);
    };
}

HookReport post_merge(const std::vector<std::string>& args) {
    (void)args; // the squash flag changes nothing for artifacts
    return materialize();
}

} // namespace mlci::hooks
