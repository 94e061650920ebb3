// The names of the results formats (formats.hpp), in a file of their own: gates.toml's parser checks
// `format` with them, and the hooks' statically linked fast path links that parser but none of the readers
// (nor pugixml).
#include "eval/formats.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::eval {

const std::vector<std::string>& known_formats() {
    static const std::vector<std::string> f = {"mlci", "promptfoo", "junit", "lm-eval"};
    return f;
}

bool is_known_format(std::string_view format) {
    const auto& f = known_formats();
    return std::find(f.begin(), f.end(), format) != f.end();
}

void check_format(std::string_view format, const std::string& where) {
    if (!is_known_format(format)) {
        throw usage_error(where + ": unknown results format " + quoted(format),
                          "known formats: " + join(known_formats(), ", "));
    }
}

} // namespace mlci::eval
