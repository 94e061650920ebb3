// TOML++'s parser compiled from its headers (the mlci_toml library of CMakeLists.txt), for the binaries
// that link statically: mlci-hook always, git-prompt, git-model and git-gate where libgit2 is linked
// statically too. Debian ships TOML++ only as a shared library.
#define TOML_IMPLEMENTATION 1
#include <toml++/toml.h>
