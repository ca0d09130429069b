#pragma once
// Strict JSON request bodies: every field read is declared, every other field is an
// UNKNOWN_FIELD error, and all problems are collected so the caller can report them at once.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace tenantd::api {

class BodyReader {
 public:
  // INVALID_JSON for malformed text; VALIDATION_ERROR when the root is not an object.
  // An empty body reads as {} when `empty_ok`.
  static Result<BodyReader> parse(std::string_view body, bool empty_ok);

  bool has(const char* field);  // present (even if null); declares the field
  bool is_null(const char* field);
  // A string field (trimmed when `trim`); INVALID_TYPE when present but not a string.
  std::optional<std::string> string(const char* field, bool required, bool trim = true);
  // The raw value of an object field (declares it); INVALID_TYPE when not an object.
  const JsonValue* object(const char* field, bool required);
  // The raw value of any field (declares it); nullptr when absent.
  const JsonValue* value(const char* field) { return find(field); }

  void error(std::string field, std::string code, std::string message) {
    errors_.push_back({std::move(field), std::move(code), std::move(message)});
  }
  std::vector<FieldError>& errors() { return errors_; }
  // Adds UNKNOWN_FIELD errors for every undeclared field; returns the collected errors as an
  // Error, or success when there are none.
  Status finish();

 private:
  explicit BodyReader(JsonDoc doc) : doc_(std::move(doc)) {}
  const JsonValue* find(const char* field);

  JsonDoc doc_;
  std::vector<std::string> declared_;
  std::vector<FieldError> errors_;
};

}  // namespace tenantd::api
