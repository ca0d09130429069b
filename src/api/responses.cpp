#include "api/responses.hpp"

#include <charconv>

#include "core/json.hpp"
#include "core/unicode_text.hpp"

namespace tenantd::api {

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = std::move(body);
  return r;
}

namespace {
void write_detail(JsonWriter& out, const DetailValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    out.value(*s);
  } else if (const auto* n = std::get_if<std::int64_t>(&value)) {
    out.value(*n);
  } else {
    out.begin_array();
    for (const auto& item : std::get<std::vector<std::string>>(value)) {
      out.value(item);
    }
    out.end_array();
  }
}
}  // namespace

// RFC 6750 section 3: a request without credentials gets the bare challenge; a token that was
// sent but refused gets error="invalid_token" and a description (quotes and backslashes,
// which a quoted-string cannot hold unescaped, are dropped).
std::string bearer_challenge(const Error& error) {
  std::string challenge = "Bearer realm=\"tenantd\"";
  if (error.code == ErrorCode::TokenExpired || error.code == ErrorCode::TokenInvalid) {
    std::string description;
    for (const char c : error.message) {
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) {
        description += c;
      }
    }
    challenge += ", error=\"invalid_token\", error_description=\"" + description + "\"";
  }
  return challenge;
}

Response error_response(const Error& error, std::string_view request_id, TimePoint now) {
  const bool internal = error.code == ErrorCode::InternalError;
  JsonWriter out;
  out.begin_object().key("error").begin_object().field("code", code_name(error.code));
  // Messages may quote the request (a path, a field name): bytes that are not UTF-8 are never
  // echoed raw into the body.
  out.field("message", internal ? std::string("An internal error occurred")
                                : unicode::to_valid_utf8(error.message));
  if (internal) {
    out.key("details").begin_object().field("supportReference", request_id).end_object();
  } else if (!error.errors.empty() || !error.details.empty()) {
    out.key("details").begin_object();
    if (!error.errors.empty()) {
      out.key("errors").begin_array();
      for (const auto& e : error.errors) {
        out.begin_object()
            .field("field", unicode::to_valid_utf8(e.field))
            .field("code", e.code)
            .field("message", unicode::to_valid_utf8(e.message))
            .end_object();
      }
      out.end_array();
    }
    for (const auto& [key, value] : error.details) {
      out.key(key);
      write_detail(out, value);
    }
    out.end_object();
  }
  out.end_object().field("requestId", request_id).field("timestamp", format_time(now)).end_object();
  Response r = json_response(http_status(error.code), out.str());
  if (r.status == 401) {
    r.set_header("WWW-Authenticate", bearer_challenge(error));
  }
  return r;
}

std::string etag(std::int64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

Result<std::optional<std::int64_t>> parse_if_match(const std::string* header) {
  if (header == nullptr) {
    return std::optional<std::int64_t>{};
  }
  std::string_view v = *header;
  while (!v.empty() && v.front() == ' ') {
    v.remove_prefix(1);
  }
  while (!v.empty() && v.back() == ' ') {
    v.remove_suffix(1);
  }
  if (v == "*") {
    return std::optional<std::int64_t>{};
  }
  if (v.substr(0, 2) == "W/") {
    v.remove_prefix(2);
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
  }
  std::int64_t version = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty() || version < 1) {
    return Error::make(ErrorCode::PreconditionFailed,
                       "If-Match must be the ETag of the current version, e.g. \"3\"");
  }
  return std::optional<std::int64_t>{version};
}

}  // namespace tenantd::api
