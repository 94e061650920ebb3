// git model bump NAME [--major|--minor|--patch]: tag a model version (DESIGN.md sections 3 and 4).
#include "git-model.hpp"

#include "common.hpp"

#include "artifact/views.hpp"

namespace mlci::model_cli {

int cmd_bump(const std::string& name, bool major, bool patch, const std::string& message, bool json) {
    auto r = artifact::bump_command(name, major, patch, message);
    if (json) {
        cli::out_raw(artifact::bump_json(r).dump() + "\n");
    } else {
        cli::out(artifact::bump_line(r));
        cli::hint(artifact::bump_hint(r));
    }
    return 0;
}

} // namespace mlci::model_cli
