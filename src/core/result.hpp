#pragma once
// Result<T>: a value or an Error. Errors are values: no exceptions cross a layer boundary.
#include <optional>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace tenantd {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error)
      : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace tenantd

// Error propagation, for functions that return a Result or Status:
//   TENANTD_TRY(store.put(item));                  // returns the error, if any
//   TENANTD_TRY_ASSIGN(auto tenant, load(id));     // declares `tenant` from the value
// TENANTD_TRY_ASSIGN expands to several statements (use it at block scope only) and names its
// temporary after the line, so at most one goes on a line.
#define TENANTD_TRY(expr)                            \
  do {                                               \
    if (auto tenantd_try_ = (expr); !tenantd_try_) { \
      return std::move(tenantd_try_).error();        \
    }                                                \
  } while (false)

#define TENANTD_TRY_CONCAT_(a, b) a##b
#define TENANTD_TRY_NAME_(line) TENANTD_TRY_CONCAT_(tenantd_try_, line)
// `decl` is a declaration, which parentheses would break.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define TENANTD_TRY_ASSIGN(decl, expr)                     \
  auto TENANTD_TRY_NAME_(__LINE__) = (expr);               \
  if (!TENANTD_TRY_NAME_(__LINE__)) {                      \
    return std::move(TENANTD_TRY_NAME_(__LINE__)).error(); \
  }                                                        \
  decl = std::move(TENANTD_TRY_NAME_(__LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)
