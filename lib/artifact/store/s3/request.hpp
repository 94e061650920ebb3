// The pure parts of S3 requests, kept apart from libcurl so they can be unit-tested: parsing s3:// URLs,
// object keys (DESIGN.md section 4: <prefix>/xxh128/ab/<30 hex>), the canonical URI and query encoding that
// libcurl 7.88's CURLOPT_AWS_SIGV4 does not do itself (it signs the query as written and drops ./ and ../
// from paths), and credential lookup in the order of issue 7: environment, git config, shared credentials
// file. Nothing here ever puts a secret into a message.
#pragma once

#include "hash/xxh128.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlci::artifact::s3 {

struct Location {
    std::string bucket;
    std::string prefix; // no leading or trailing '/'; may be empty
};

/// Parse "s3://bucket[/prefix]". Throws config_error naming the URL when the bucket is missing or invalid,
/// or when the prefix holds empty, "." or ".." segments (libcurl would rewrite such paths after signing).
Location parse_url(std::string_view url);

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) as they are,
/// everything else %XX with uppercase hex; '/' kept only when keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash);

/// The canonical query string: each name and value uri_encode()d ('/' as %2F), sorted by name then value,
/// a name without value written "name=" (so "?uploads" is signed and sent as "uploads=").
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

/// "<prefix>/xxh128/ab/<30 hex>" (no prefix: "xxh128/ab/<30 hex>").
std::string object_key(const Location& loc, const Hash128& h);
/// The inverse for a listed key under loc; false for any key that is not exactly an object's.
bool parse_object_key(const Location& loc, std::string_view key, Hash128* out);

struct Credentials {
    std::string key_id;
    std::string secret;
    std::string token;  // session token, may be empty
    std::string source; // for messages: "environment", "git config", "~/.aws/credentials [profile]"
};

/// Read profile `profile` from the text of an awscli shared credentials file (INI: [name], key = value,
/// '#' and ';' comments). nullopt when the profile or its keys are absent.
std::optional<Credentials> parse_credentials_file(std::string_view text, std::string_view profile);

/// Where resolve_credentials looks; injected so tests need no real environment.
struct CredentialSources {
    std::function<std::optional<std::string>(const std::string&)> env;        // getenv
    std::function<std::optional<std::string>(const std::string&)> git_config; // git config --get KEY
    std::function<std::optional<std::string>(const std::string&)> read_file;  // whole file, nullopt if absent
};

/// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, then git config
/// mlci.remote.NAME.access-key-id / secret-access-key, then AWS_SHARED_CREDENTIALS_FILE or
/// $HOME/.aws/credentials with profile AWS_PROFILE (default "default"). A half-set pair (id without secret)
/// is a config_error naming where. nullopt when none is set.
std::optional<Credentials> resolve_credentials(const std::string& remote_name, const CredentialSources& src);

} // namespace mlci::artifact::s3
