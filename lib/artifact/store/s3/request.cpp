// The pure parts of S3 requests (request.hpp): s3:// URLs, object keys, SigV4 URI and query
// encoding, and credential lookup. No libcurl and no I/O beyond reading the credentials file.
#include "artifact/store/s3/request.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::artifact::s3 {

namespace {

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

bool valid_bucket(std::string_view b) {
    if (b.size() < 3 || b.size() > 63)
        return false;
    for (unsigned char c : b)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
            return false;
    return b.front() != '-' && b.front() != '.' && b.back() != '-' && b.back() != '.';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

} // namespace

Location parse_url(std::string_view url) {
    constexpr std::string_view scheme = "s3://";
    if (url.substr(0, scheme.size()) != scheme)
        throw config_error("store URL " + quoted(std::string(url)) + " is not an s3:// URL");
    std::string_view rest = url.substr(scheme.size());
    size_t slash = rest.find('/');
    Location loc;
    loc.bucket = std::string(rest.substr(0, slash));
    if (!valid_bucket(loc.bucket))
        throw config_error("store URL " + quoted(std::string(url)) + ": invalid bucket name " +
                               quoted(loc.bucket),
                           "a bucket name has 3 to 63 lowercase letters, digits, '-', '.' or '_'");
    if (slash == std::string_view::npos)
        return loc;
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/')
        prefix.remove_suffix(1);
    if (prefix.empty())
        return loc;
    for (const auto& seg : split(std::string(prefix), '/'))
        if (seg.empty() || seg == "." || seg == "..")
            throw config_error("store URL " + quoted(std::string(url)) +
                                   ": the prefix has an empty, '.' or '..' segment",
                               "write the prefix as plain names separated by single '/'");
    loc.prefix = std::string(prefix);
    return loc;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> params) {
    for (auto& [k, v] : params) {
        k = uri_encode(k, false);
        v = uri_encode(v, false);
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty())
            out.push_back('&');
        out += k;
        out.push_back('=');
        out += v;
    }
    return out;
}

std::string object_key(const Location& loc, const Hash128& h) {
    std::string hex = h.hex();
    std::string key = loc.prefix.empty() ? std::string() : loc.prefix + "/";
    key += "xxh128/";
    key += hex.substr(0, 2);
    key.push_back('/');
    key += hex.substr(2);
    return key;
}

bool parse_object_key(const Location& loc, std::string_view key, Hash128* out) {
    std::string head = loc.prefix.empty() ? std::string("xxh128/") : loc.prefix + "/xxh128/";
    if (key.substr(0, head.size()) != head)
        return false;
    key.remove_prefix(head.size());
    if (key.size() != 33 || key[2] != '/')
        return false;
    std::string hex = std::string(key.substr(0, 2)) + std::string(key.substr(3));
    for (char c : hex)
        if (hexval(c) < 0)
            return false;
    return parse_hash_id("xxh128:" + hex, out);
}

std::optional<Credentials> parse_credentials_file(std::string_view text, std::string_view profile) {
    bool in_profile = false;
    Credentials c;
    for (const auto& raw : split(std::string(text), '\n')) {
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';')
            continue;
        if (line.front() == '[') {
            size_t end = line.find(']');
            std::string_view name = trim(line.substr(1, end == std::string_view::npos ? end : end - 1));
            if (name.substr(0, 8) == "profile ")
                name = trim(name.substr(8));
            in_profile = name == profile;
            continue;
        }
        if (!in_profile)
            continue;
        size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            continue;
        std::string_view k = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
        if (k == "aws_access_key_id")
            c.key_id = std::string(v);
        else if (k == "aws_secret_access_key")
            c.secret = std::string(v);
        else if (k == "aws_session_token")
            c.token = std::string(v);
    }
    if (c.key_id.empty() || c.secret.empty())
        return std::nullopt;
    return c;
}

std::optional<Credentials> resolve_credentials(const std::string& remote_name, const CredentialSources& src) {
    auto nonempty = [](const std::optional<std::string>& v) { return v && !v->empty(); };
    auto id = src.env("AWS_ACCESS_KEY_ID");
    auto secret = src.env("AWS_SECRET_ACCESS_KEY");
    if (nonempty(id) || nonempty(secret)) {
        if (!nonempty(id) || !nonempty(secret))
            throw config_error("only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set",
                               "set both, or neither to use git config or ~/.aws/credentials");
        auto token = src.env("AWS_SESSION_TOKEN");
        return Credentials{*id, *secret, token.value_or(""), "environment"};
    }
    if (!remote_name.empty()) {
        std::string base = "mlci.remote." + remote_name + ".";
        id = src.git_config(base + "access-key-id");
        secret = src.git_config(base + "secret-access-key");
        if (nonempty(id) || nonempty(secret)) {
            if (!nonempty(id) || !nonempty(secret))
                throw config_error("only one of git config " + base + "access-key-id and " + base +
                                       "secret-access-key is set",
                                   "set both with git config");
            return Credentials{*id, *secret, "", "git config"};
        }
    }
    std::string path;
    if (auto f = src.env("AWS_SHARED_CREDENTIALS_FILE"); nonempty(f))
        path = *f;
    else if (auto home = src.env("HOME"); nonempty(home))
        path = *home + "/.aws/credentials";
    if (path.empty())
        return std::nullopt;
    auto text = src.read_file(path);
    if (!text)
        return std::nullopt;
    std::string profile = src.env("AWS_PROFILE").value_or("");
    if (profile.empty())
        profile = "default";
    auto c = parse_credentials_file(*text, profile);
    if (c)
        c->source = path + " [" + profile + "]";
    return c;
}

} // namespace mlci::artifact::s3
