// load_gates_at lives apart from the parser so that code which only parses gates.toml (the hooks'
// libgit2-free fast path, mlci-hook) links without libgit2.
#include "eval/gates.hpp"

namespace mlci::eval {

std::optional<Gates> load_gates_at(const git::Repo& repo, const git::Oid& commit) {
    auto text = repo.blob_at(commit, k_gates_path);
    if (!text) {
        return std::nullopt;
    }
    return parse_gates(*text, std::string(k_gates_path) + " at " + commit.short_hex());
}

} // namespace mlci::eval
