#include "util/diag.hpp"

#include <cstdio>

namespace mlci {

namespace {
WarningSink& sink() {
    static WarningSink s = [](const std::string& m) { std::fprintf(stderr, "warning: %s\n", m.c_str()); };
    return s;
}
} // namespace

WarningSink set_warning_sink(WarningSink s) {
    WarningSink old = std::move(sink());
    sink() = std::move(s);
    return old;
}

void warn(const std::string& message) {
    if (sink()) {
        sink()(message);
    }
}

} // namespace mlci
