// The folder `git model get` writes into (-o DIR): artifacts land there all or nothing. Each is written
// under a temporary name in DIR itself (`<name>.mlci-tmp.<hex>`, a file or, for a folder artifact, a
// folder holding every member), made durable, and renamed onto its target only when every artifact of
// the command is complete and verified; anything else leaves DIR as it was: no temporary, no half file,
// and no folder the command created.
//
// DIR is the user's: its own last part must be a real folder (a symbolic link or a file there is
// refused), while everything below it comes from untrusted pointers and manifests and is reached with
// no link followed (fsutil open_below, *at calls on DIR's descriptor). An existing target is refused
// unless `force`, as `dvc get` does; forced, it is replaced atomically (renameat2 RENAME_EXCHANGE, then
// the old copy removed), a link there replaced, never followed.
#pragma once

#include "fsutil/file.hpp"

#include <string>
#include <vector>

namespace mlci::release {

class OutputDir {
  public:
    /// Temporaries older than this in DIR are a killed run's: the next one removes them.
    static constexpr double k_stale_seconds = 3600;

    /// Open DIR, creating it (and its missing parents) when absent, and remove the stale temporaries
    /// of a killed run. Throws input_error when DIR or its last part is a symbolic link or not a
    /// folder, io_error when it cannot be created or opened.
    explicit OutputDir(std::string dir);
    /// Without commit(): every temporary is removed, and so are the folders this object created.
    ~OutputDir();
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    const std::string& path() const { return m_path; }
    int fd() const { return m_fd.get(); }
    /// DIR joined with rel, for messages.
    std::string shown(const std::string& rel) const;

    /// Throw input_error unless `rel` (relative, already past the path rules) can receive an artifact:
    /// every folder on its way below DIR that exists is a real folder, and nothing is at rel unless
    /// `force`. Called for every target before anything is fetched.
    void check_target(const std::string& rel, bool force) const;

    /// A new temporary file in DIR for target `rel`, opened for reading and writing with `mode` (before the
    /// umask); returns its descriptor (owned by the caller) and sets *name to its name in DIR.
    Fd temp_file(const std::string& rel, unsigned mode, std::string* name);
    /// A new temporary folder in DIR for target `rel`; returns its name in DIR.
    std::string temp_folder(const std::string& rel);
    /// Forget a temporary already removed by the caller (a download that failed its hash).
    void drop_temp(const std::string& name);

    /// Rename each staged temporary onto its target (folders on the way created without following
    /// links), replacing what is there when `force`, then sync DIR. The temporaries must be durable.
    void commit(bool force);

  private:
    struct Staged {
        std::string temp; // name in DIR
        std::string rel;  // the target below DIR
    };
    std::string m_path;
    Fd m_fd;
    std::vector<std::string> m_created; // folders made by the constructor, deepest first
    std::vector<Staged> m_staged;
    bool m_committed = false;
    /// The folder of `rel` below DIR, opened with no link followed; created when `create`. Returns an
    /// invalid Fd when it does not exist and !create.
    Fd parent_of(const std::string& rel, bool create) const;
    void place(const Staged& s, bool force);
    void remove_stale_temps() const;
};

/// Remove `name` below the open folder dirfd and, when it is a folder, everything in it, never
/// following a symbolic link (a link is removed, not what it names). A missing name is not an error.
void remove_tree_at(int dirfd, const std::string& name);

} // namespace mlci::release
