// Running a foreign hook that install-hooks kept as NAME.mlci-chained: after ours, with the same
// arguments and the same stdin (pre-push's ref lines), its exit code becoming the hook's.
#include "hooks/hook.hpp"

#include "hooks/install.hpp"
#include "util/error.hpp"
#include "util/proc.hpp"

#include <unistd.h>

namespace mlci::hooks {

int run_chained(const std::string& hooks_dir, const std::string& name, const std::vector<std::string>& args,
                const std::string& input) {
    std::string path = hooks_dir + "/" + name + k_chained_suffix;
    if (access(path.c_str(), X_OK) != 0) {
        return 0;
    }
    util::ProcOptions opt;
    opt.argv = {path};
    opt.argv.insert(opt.argv.end(), args.begin(), args.end());
    opt.search_path = false;
    opt.input = input; // a hook that does not read its stdin closes the pipe early: that is fine
    util::ProcResult r = util::run_process(opt);
    if (r.exec_failed) {
        throw io_error("cannot run the chained hook '" + path + "': " + r.exec_error);
    }
    return r.signal == 0 ? r.exit_code : 1;
}

} // namespace mlci::hooks
