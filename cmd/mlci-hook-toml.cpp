// TOML++'s parser compiled into mlci-hook itself, so that the hook binary can link statically (see
// CMakeLists.txt): Debian ships TOML++ only as a shared library, and the dynamic loader's work for it
// and libstdc++ was a third of the no-op hook's time.
#define TOML_IMPLEMENTATION 1
#include <toml++/toml.h>
