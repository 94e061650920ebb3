// git model bump NAME [--major|--minor|--patch]: tag a model version (DESIGN.md sections 3 and 4).
#include "git-model.hpp"

#include "common.hpp"

#include "artifact/bump.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"

using namespace mlci;
using namespace mlci::artifact;

namespace mlci::model_cli {

int cmd_bump(const std::string& name, bool major, bool minor, bool patch, const std::string& message,
             bool json) {
    (void)minor; // the default level
    auto ctx = Context::open();
    Version::Level level = major   ? Version::Level::major
                           : patch ? Version::Level::patch
                                   : Version::Level::minor;
    auto r = bump_model(ctx, name, level, message);
    if (json) {
        Json o = Json::object();
        o["name"] = r.name;
        o["version"] = r.version.tag();
        o["tag"] = r.tag;
        o["commit"] = r.commit.hex();
        o["pointer"] = r.pointer;
        o["object"] = r.hash.id();
        cli::out_raw(o.dump() + "\n");
    } else {
        cli::out("created " + term_escape(r.tag) + " on " + r.commit.short_hex() + " (" +
                 term_escape(r.pointer) + ", " + r.hash.id() + ")\n");
        cli::hint("share it: git push origin " + shell_quote(r.tag) + " && git model push");
    }
    return 0;
}

} // namespace mlci::model_cli
