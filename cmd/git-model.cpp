// git-model: placeholder main until its issue lands; prints usage only.
#include "common.hpp"

int main(int argc, char** argv) {
    CLI::App app{"mlci: model"};
    app.name("git-model");
    return mlci::cli::run(app, argc, argv, [] { return 0; });
}
