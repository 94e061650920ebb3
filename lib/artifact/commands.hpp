// The `git model` subcommands as one call each: open the repository (and the store), pick the commits and
// pointers, choose the number of jobs, run the operation. What they return is printed through views.hpp;
// cmd/git-model*.cpp only parses the command line, calls one of these and prints.
#pragma once

#include "artifact/bump.hpp"
#include "artifact/sync.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlci::artifact {

/// The commits whose pointers a transfer moves: --rev (repeatable), --all-tags, --all-branches.
struct CommitSelection {
    std::vector<std::string> revs;
    bool all_tags = false;
    bool all_branches = false;
};

/// Resolve -j: 0 means `fallback`. Throws usage_error outside 0 to 256.
int jobs_or_default(int jobs, int fallback);
/// -j for a store: the given one, else the store's configured jobs, else more for S3 (its requests wait
/// on the network) than the 4 of a folder store.
int store_jobs(const Context& ctx, const std::string& spec, int jobs);
/// The commits named by a selection (HEAD when it names none). Throws usage/input errors.
std::vector<git::Oid> commits_of(const Context& ctx, const CommitSelection& sel);

/// `git model add PATH...`.
std::vector<AddedItem> add_command(const std::vector<std::string>& paths, int jobs);
/// `git model status [PATH...]`; with `remote`, the default store is asked too.
std::vector<ArtifactStatus> status_command(const std::vector<std::string>& paths, bool remote, int jobs);
/// `git model checkout`: the pointers of `rev` (HEAD when ""), fetched first when `fetch_first`; the
/// fetch's problems come first in the report's.
CheckoutReport checkout_command(const std::vector<std::string>& paths, const std::string& rev,
                                bool fetch_first, bool force, int jobs);
/// `git model unlock PATH...`: `line` gets each artifact's line (views.hpp) as soon as it is done.
void unlock_command(const std::vector<std::string>& paths,
                    const std::function<void(const std::string&)>& line);

enum class Direction { push, fetch };

/// A transfer's report and the store it went to or came from (its describe()). A failed transfer is an
/// error, never a verdict: its problems of kind check are of kind io here.
struct Transfer {
    Direction dir = Direction::push;
    std::string store;
    SyncReport rep;
    std::optional<uint64_t> requests; // requests sent to an S3 store (Store::requests()); none for a folder
};
/// `git model push` / `fetch`: the objects of the pointers in the selected commits.
Transfer transfer_command(Direction dir, const std::string& spec, const CommitSelection& sel, int jobs);
/// `git model pull`: fetch (`fetched` gets its report before anything is checked out), then check out
/// what arrived whole; a pointer whose objects are still not in the cache after a fetch without problems
/// is a problem of its own, so a pull never ends quietly without its files.
CheckoutReport pull_command(const std::string& spec, const CommitSelection& sel, int jobs, bool force,
                            const std::function<void(const Transfer&)>& fetched);

struct VerifyResult {
    bool store = false; // a store was checked, not the cache
    std::string where;  // "cache" or the store's describe()
    VerifyReport rep;
};
/// `git model verify [--store [STORE]]`.
VerifyResult verify_command(const std::string& spec, bool use_store, int jobs);

/// `git model gc`: asks the default store which objects are only copies, unless --force (which deletes
/// them too, so needs neither the store nor its credentials).
GcReport gc_command(const GcOptions& opt);

struct StoreGc {
    std::string store;
    StoreGcReport rep; // problems of kind check are of kind io, as a transfer's
    /// Requests sent to an S3 store, as Transfer's.
    std::optional<uint64_t> requests;
};
/// `git model gc --remote [STORE]`: usage_error unless exactly one of dry_run and force. Packs younger
/// than `grace` seconds are left alone; the store's repack_below applies.
StoreGc gc_remote_command(const std::string& spec, bool dry_run, bool force, int jobs,
                          const std::vector<Hash128>& keep = {}, int64_t grace = pack::k_default_grace);

struct Repacked {
    std::string store;
    pack::RepackReport rep; // problems of kind check are of kind io, as a transfer's
};
/// `git model repack [--store [STORE]]`: the store's loose small objects into packs.
Repacked repack_command(const std::string& spec, bool dry_run, int jobs);

/// `git model bump NAME`: minor unless major or patch; `extra` as bump_model takes it.
BumpResult bump_command(const std::string& name, bool major, bool patch, const std::string& message,
                        const ExtraTrailers& extra = {});

} // namespace mlci::artifact
