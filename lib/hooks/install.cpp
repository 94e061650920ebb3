// Installing and removing the hook shims (install.hpp) in core.hooksPath or <common dir>/hooks; a hook
// that is not ours is kept as NAME.mlci-chained and restored on uninstall.
#include "hooks/install.hpp"

#include "fsutil/file.hpp"
#include "hooks/shims.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::hooks {

std::string hooks_dir(const git::Repo& repo) {
    if (auto p = repo.config_string("core.hooksPath"); p && !p->empty()) {
        std::string dir = *p;
        if (dir.rfind("~/", 0) == 0) {
            const char* home = std::getenv("HOME");
            dir = std::string(home ? home : "") + dir.substr(1);
        } else if (dir[0] != '/') {
            // git runs hooks from the top of the work tree; a relative hooksPath is relative to it.
            dir = (repo.is_bare() ? repo.git_dir() : repo.workdir()) + dir;
        }
        return dir;
    }
    return repo.common_dir() + "hooks";
}

bool is_our_shim(const std::string& path) {
    auto text = read_file_if_exists(path, 64 * 1024);
    return text && text->find(k_shim_marker) != std::string::npos;
}

namespace {

void write_shim(const std::string& path, const std::string& content) {
    AtomicFile f(path, 0755);
    f.write(content);
    f.commit();
    ::chmod(path.c_str(), 0755);
}

void rename_or_throw(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        throw io_error("cannot rename '" + from + "' to '" + to + "': " + errno_text(errno));
    }
}

} // namespace

std::vector<InstallAction> install_hooks(const git::Repo& repo, bool force) {
    std::string dir = hooks_dir(repo);
    make_dirs(dir);
    std::vector<InstallAction> actions;
    for (const auto& shim : shims()) {
        std::string path = dir + "/" + shim.name;
        std::string chained = path + k_chained_suffix;
        struct stat st {};
        if (lstat(path.c_str(), &st) != 0) {
            write_shim(path, shim.content);
            actions.push_back({shim.name, InstallAction::What::installed, path});
            continue;
        }
        if (is_our_shim(path)) {
            auto now = read_file(path, 64 * 1024);
            if (now == shim.content) {
                actions.push_back({shim.name, InstallAction::What::unchanged, path});
            } else {
                write_shim(path, shim.content);
                actions.push_back({shim.name, InstallAction::What::updated, path});
            }
            continue;
        }
        // A foreign hook: keep it, chained after ours.
        if (path_exists(chained) && !force) {
            actions.push_back({shim.name, InstallAction::What::skipped,
                               "both " + path + " (not mlci's) and " + chained +
                                   " exist; left as they are (--force replaces the chained one)"});
            continue;
        }
        rename_or_throw(path, chained);
        write_shim(path, shim.content);
        actions.push_back({shim.name, InstallAction::What::chained,
                           "your hook is kept as " + chained + " and runs after mlci's"});
    }
    return actions;
}

std::vector<InstallAction> uninstall_hooks(const git::Repo& repo) {
    std::string dir = hooks_dir(repo);
    std::vector<InstallAction> actions;
    for (const auto& shim : shims()) {
        std::string path = dir + "/" + shim.name;
        std::string chained = path + k_chained_suffix;
        if (!is_our_shim(path)) {
            continue; // not ours (or absent): never touched
        }
        if (::unlink(path.c_str()) != 0) {
            throw io_error("cannot remove '" + path + "': " + errno_text(errno));
        }
        if (path_exists(chained)) {
            rename_or_throw(chained, path);
            actions.push_back({shim.name, InstallAction::What::restored, path});
        } else {
            actions.push_back({shim.name, InstallAction::What::removed, path});
        }
    }
    return actions;
}

std::string describe(const InstallAction& a) {
    using W = InstallAction::What;
    switch (a.what) {
    case W::installed:
        return "installed " + a.hook + " (" + a.detail + ")";
    case W::updated:
        return "updated " + a.hook + " (" + a.detail + ")";
    case W::unchanged:
        return a.hook + " already installed";
    case W::chained:
        return "installed " + a.hook + ": " + a.detail;
    case W::removed:
        return "removed " + a.hook + " (" + a.detail + ")";
    case W::restored:
        return "removed mlci's " + a.hook + " and restored yours (" + a.detail + ")";
    case W::skipped:
        return "skipped " + a.hook + ": " + a.detail;
    }
    return a.hook;
}

} // namespace mlci::hooks
