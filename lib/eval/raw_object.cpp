// Raw git objects (raw_object.hpp): OdbObject's release, and the seconds of a signature line
// ("NAME <EMAIL> SECONDS +HHMM"); any other shape answers false.
#include "eval/raw_object.hpp"

#include <git2.h>

namespace mlci::eval::raw {

OdbObject::~OdbObject() {
    git_odb_object_free(p);
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

bool signature_seconds(std::string_view line, int64_t& seconds) {
    size_t lt = line.rfind('<');
    size_t gt = line.rfind('>');
    if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt || gt + 2 >= line.size() ||
        line[gt + 1] != ' ') {
        return false;
    }
    std::string_view rest = line.substr(gt + 2); // "1767225660 +0000"
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 18 || rest.size() != sp + 6 ||
        (rest[sp + 1] != '+' && rest[sp + 1] != '-')) {
        return false;
    }
    int64_t t = 0;
    for (size_t i = 0; i < sp; ++i) {
        if (!is_digit(rest[i])) {
            return false;
        }
        t = t * 10 + (rest[i] - '0');
    }
    for (size_t i = sp + 2; i < rest.size(); ++i) {
        if (!is_digit(rest[i])) {
            return false;
        }
    }
    seconds = t;
    return true;
}

} // namespace mlci::eval::raw
