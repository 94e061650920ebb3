// The one error type of libmlci, and Result<T> for failures a caller may handle.
//
// lib never prints or exits: it throws mlci::Error (or returns it inside a Result) and the single
// handler in cmd/ maps Error::kind to the exit code of DESIGN.md section 7 and prints `error:`/`hint:`.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace mlci {

enum class ErrorKind {
    usage,  // bad command line (exit 2)
    config, // invalid .mlci/*.toml (exit 2)
    input,  // invalid input: a prompt, a pointer, a version string, a corrupt object (exit 2)
    check,  // a judging command said no (exit 1)
    io,     // the file system or a store failed (exit 2)
    git,    // libgit2 failed (exit 2)
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, std::string message, std::string hint = {})
        : std::runtime_error(message), m_kind(kind), m_hint(std::move(hint)) {}

    ErrorKind kind() const { return m_kind; }
    const std::string& hint() const { return m_hint; }

  private:
    ErrorKind m_kind;
    std::string m_hint;
};

/// Convenience constructors, so call sites read as what went wrong.
inline Error usage_error(std::string msg, std::string hint = {}) {
    return {ErrorKind::usage, std::move(msg), std::move(hint)};
}
inline Error config_error(std::string msg, std::string hint = {}) {
    return {ErrorKind::config, std::move(msg), std::move(hint)};
}
inline Error input_error(std::string msg, std::string hint = {}) {
    return {ErrorKind::input, std::move(msg), std::move(hint)};
}
inline Error io_error(std::string msg, std::string hint = {}) {
    return {ErrorKind::io, std::move(msg), std::move(hint)};
}

/// A value or an Error. Small subset of std::expected (C++23), which C++20 lacks.
template <typename T>
class Result {
  public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() {
        if (!ok()) {
            throw std::get<1>(m_v);
        }
        return std::get<0>(m_v);
    }
    const T& value() const {
        if (!ok()) {
            throw std::get<1>(m_v);
        }
        return std::get<0>(m_v);
    }
    T& operator*() { return value(); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }

  private:
    std::variant<T, Error> m_v;
};

} // namespace mlci
