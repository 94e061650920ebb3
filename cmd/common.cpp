#include "common.hpp"

#include "util/error.hpp"

#include <cstdio>
#include <unistd.h>

namespace mlci::cli {

void out(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

void error(const std::string& msg) {
    std::fprintf(stderr, "error: %s\n", msg.c_str());
}
void hint(const std::string& msg) {
    std::fprintf(stderr, "hint: %s\n", msg.c_str());
}
void note(const std::string& msg) {
    std::fprintf(stderr, "%s\n", msg.c_str());
}

void setup_app(CLI::App& app, const std::string& tool) {
    app.require_subcommand(1);
    app.fallthrough(false);
    app.set_version_flag("--version", std::string(tool) + " (mlci) " + MLCI_VERSION);
    app.footer("See 'man " + tool + "' for details.\n");
}

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        error(what.empty() ? e.get_name() : what);
        hint("run '" + app.get_name() + " --help' for usage");
        return 2;
    }
    try {
        return body();
    } catch (const Error& e) {
        error(e.what());
        if (!e.hint().empty()) {
            hint(e.hint());
        }
        return e.exit_code();
    } catch (const std::bad_alloc&) {
        error("out of memory");
        return 2;
    } catch (const std::exception& e) {
        error(e.what());
        return 2;
    }
}

} // namespace mlci::cli
