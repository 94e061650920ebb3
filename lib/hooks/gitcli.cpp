// run_git (gitcli.hpp): the git binary through util::run_process with stdin fed and stdout and stderr
// captured; a git that could not start or died by a signal is status -1.
#include "hooks/gitcli.hpp"

#include "util/proc.hpp"

namespace mlci::hooks {

GitOutput run_git(const std::vector<std::string>& args, const std::string& input) {
    util::ProcOptions opt;
    opt.argv = {"git"};
    opt.argv.insert(opt.argv.end(), args.begin(), args.end());
    opt.capture = true;
    opt.input = input;
    util::ProcResult r = util::run_process(opt);
    GitOutput res;
    if (r.exec_failed) {
        res.err = "cannot run git: " + r.exec_error;
        return res;
    }
    res.status = r.signal == 0 ? r.exit_code : -1;
    res.out = std::move(r.out);
    res.err = std::move(r.err);
    return res;
}

} // namespace mlci::hooks
