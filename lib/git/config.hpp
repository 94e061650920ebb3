// git's config, opened once for several reads and writes (`git gate init`): multi-valued keys read from
// every level, values added to the repository's own config file. Repo::config_string and
// set_config_string (repo.hpp) serve single values.
#pragma once

#include "git/repo.hpp"

#include <string>
#include <vector>

struct git_config;

namespace mlci::git {

class Config {
  public:
    /// Every level, and the repository's own file for writes; throws Error (kind git) when either
    /// cannot be opened.
    explicit Config(const Repo& repo);
    ~Config();
    Config(const Config&) = delete;
    Config& operator=(const Config&) = delete;

    /// Every value of a multi-valued key, from every level; empty when it is unset.
    std::vector<std::string> strings(const std::string& key) const;
    /// Add `value` to a multi-valued key of the repository's own config, keeping the values it has.
    void add_local_string(const std::string& key, const std::string& value);
    /// Remove every `value` (exactly) of a multi-valued key from the repository's own config; false when
    /// it held none.
    bool remove_local_value(const std::string& key, const std::string& value);

  private:
    git_config* m_all = nullptr;
    git_config* m_local = nullptr;
};

} // namespace mlci::git
