#include "api/body_reader.hpp"

#include <algorithm>

#include "core/json_input.hpp"
#include "core/strings.hpp"
#include "domain/tenant.hpp"

namespace tenantd::api {

Result<BodyReader> BodyReader::parse(std::string_view body, bool empty_ok) {
  const bool blank = std::all_of(body.begin(), body.end(), [](char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  });
  if (blank) {
    if (!empty_ok) {
      return Error::make(ErrorCode::InvalidJson, "A JSON object body is required");
    }
    JsonDoc doc;
    doc.SetObject();
    return BodyReader(std::move(doc));
  }
  JsonInputError problem;
  auto doc = parse_untrusted_json(body, JsonLimits{}, &problem);
  if (!doc) {
    return json_input_error_to_error(problem, "The request body");
  }
  if (!doc->IsObject()) {
    return Error::validation({{"body", "INVALID_TYPE", "The request body must be a JSON object"}});
  }
  return BodyReader(std::move(*doc));
}

const JsonValue* BodyReader::find(const char* field) {
  declared_.emplace_back(field);
  // Through a const view: clang rejects comparing the non-const iterators in C++20.
  const JsonDoc& doc = doc_;
  const auto it = doc.FindMember(field);
  return it == doc.MemberEnd() ? nullptr : &it->value;
}

bool BodyReader::has(const char* field) {
  return find(field) != nullptr;
}

bool BodyReader::is_null(const char* field) {
  const JsonValue* v = find(field);
  return v != nullptr && v->IsNull();
}

std::optional<std::string> BodyReader::string(const char* field, bool required, bool trim) {
  const JsonValue* v = find(field);
  if (v == nullptr || (v->IsNull() && !required)) {
    if (required) {
      error(field, "REQUIRED", std::string(field) + " is required");
    }
    return std::nullopt;
  }
  if (!v->IsString()) {
    error(field, "INVALID_TYPE", std::string(field) + " must be a string");
    return std::nullopt;
  }
  if (trim) {
    return tenantd::trim(as_view(*v));
  }
  return std::string(as_view(*v));
}

const JsonValue* BodyReader::object(const char* field, bool required) {
  const JsonValue* v = find(field);
  if (v == nullptr) {
    if (required) {
      error(field, "REQUIRED", std::string(field) + " is required");
    }
    return nullptr;
  }
  if (!v->IsObject()) {
    error(field, "INVALID_TYPE", std::string(field) + " must be an object");
    return nullptr;
  }
  return v;
}

Status BodyReader::finish() {
  const JsonDoc& doc = doc_;
  for (const auto& member : doc.GetObject()) {
    const std::string_view name = as_view(member.name);
    const bool declared = std::any_of(declared_.begin(), declared_.end(),
                                      [name](const std::string& d) { return d == name; });
    if (!declared) {
      error(std::string(name), "UNKNOWN_FIELD", "Unknown field '" + std::string(name) + "'");
    }
  }
  if (errors_.empty()) {
    return {};
  }
  return Error::validation(std::move(errors_));
}

}  // namespace tenantd::api
