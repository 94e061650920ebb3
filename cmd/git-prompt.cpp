#include "common.hpp"
int main(int argc, char** argv) {
    CLI::App app{"mlci: prompt"};
    app.name("git-prompt");
    return mlci::cli::run(app, argc, argv, [] { return 0; });
}
