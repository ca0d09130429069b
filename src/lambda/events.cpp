#include "lambda/events.hpp"

#include <map>
#include <vector>

#include "core/crypto.hpp"
#include "core/percent_encoding.hpp"

namespace tenantd::lambda {

namespace {

const JsonValue* member(const JsonValue& object, const char* name) {
  if (!object.IsObject()) {
    return nullptr;
  }
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string_view string_at(const JsonValue& object, const char* name) {
  const JsonValue* v = member(object, name);
  return v != nullptr && v->IsString() ? as_view(*v) : std::string_view();
}

bool is_object(const JsonValue* v) {
  return v != nullptr && v->IsObject();
}

Error bad_event(EventKind kind, std::string message) {
  return Error::validation(
      {{"event", "INVALID_EVENT", std::string(to_string(kind)) + " event: " + std::move(message)}});
}

// The claims of API Gateway's Cognito/JWT authoriser: requestContext.authorizer.claims (REST,
// Cognito user pool authoriser) or requestContext.authorizer.jwt.claims (HTTP API, JWT
// authoriser). Empty when the route has no such authoriser.
std::string authorizer_claims(const JsonValue* context, EventKind kind) {
  const JsonValue* authorizer = is_object(context) ? member(*context, "authorizer") : nullptr;
  if (!is_object(authorizer)) {
    return {};
  }
  const JsonValue* claims = nullptr;
  if (kind == EventKind::HttpV2) {
    const JsonValue* jwt = member(*authorizer, "jwt");
    claims = is_object(jwt) ? member(*jwt, "claims") : nullptr;
  } else if (kind == EventKind::RestV1) {
    claims = member(*authorizer, "claims");
  }
  return is_object(claims) ? to_json(*claims) : std::string();
}

// Single-value headers, or every value of multi-value ones (preferred: it is the superset).
Status read_headers(const JsonValue& event, EventKind kind, Request& request) {
  if (const JsonValue* multi = member(event, "multiValueHeaders"); is_object(multi)) {
    for (const auto& h : multi->GetObject()) {
      if (!h.value.IsArray()) {
        return bad_event(kind, "multiValueHeaders values must be arrays");
      }
      for (const auto& v : h.value.GetArray()) {
        if (v.IsString()) {
          request.headers.push_back({std::string(as_view(h.name)), std::string(as_view(v))});
        }
      }
    }
    return {};
  }
  if (const JsonValue* single = member(event, "headers"); is_object(single)) {
    for (const auto& h : single->GetObject()) {
      if (h.value.IsString()) {
        request.headers.push_back({std::string(as_view(h.name)), std::string(as_view(h.value))});
      }
    }
  }
  return {};
}

// v1 hands query parameters over decoded, ALB exactly as the client sent them.
std::string read_query(const JsonValue& event, bool decoded) {
  std::string query;
  const auto add = [&](std::string_view name, std::string_view value) {
    query += query.empty() ? "" : "&";
    query += decoded ? percent_encode(name) : std::string(name);
    query += '=';
    query += decoded ? percent_encode(value) : std::string(value);
  };
  if (const JsonValue* multi = member(event, "multiValueQueryStringParameters"); is_object(multi)) {
    for (const auto& p : multi->GetObject()) {
      if (p.value.IsArray()) {
        for (const auto& v : p.value.GetArray()) {
          if (v.IsString()) {
            add(as_view(p.name), as_view(v));
          }
        }
      }
    }
  } else if (const JsonValue* single = member(event, "queryStringParameters"); is_object(single)) {
    for (const auto& p : single->GetObject()) {
      if (p.value.IsString()) {
        add(as_view(p.name), as_view(p.value));
      }
    }
  }
  return query;
}

Status read_body(const JsonValue& event, EventKind kind, Request& request) {
  const JsonValue* body = member(event, "body");
  if (body == nullptr || body->IsNull()) {
    return {};
  }
  if (!body->IsString()) {
    return bad_event(kind, "body must be a string");
  }
  const JsonValue* b64 = member(event, "isBase64Encoded");
  if (b64 != nullptr && b64->IsBool() && b64->GetBool()) {
    auto decoded = base64_decode(as_view(*body));
    if (!decoded) {
      return bad_event(kind, "body is not valid base64");
    }
    request.body = std::move(*decoded);
  } else {
    request.body = std::string(as_view(*body));
  }
  return {};
}

// An HTTP API's rawPath starts with its stage unless the stage is $default.
std::string without_stage(std::string_view path, std::string_view stage) {
  if (stage.empty() || stage == "$default" || path.size() <= stage.size() ||
      path.substr(1, stage.size()) != stage) {
    return std::string(path);
  }
  const std::string_view rest = path.substr(stage.size() + 1);
  if (rest.empty()) {
    return "/";
  }
  return rest.front() == '/' ? std::string(rest) : std::string(path);
}

bool is_text(const Response& response) {
  const std::string* type = response.header("Content-Type");
  if (response.body.empty() || type == nullptr) {
    return true;
  }
  const std::string_view t = *type;
  return t.rfind("text/", 0) == 0 || t.find("json") != std::string_view::npos ||
         t.find("xml") != std::string_view::npos || t.find("yaml") != std::string_view::npos;
}

std::string_view reason(int status) {
  static const std::map<int, std::string_view> kReasons = {
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {409, "Conflict"},
      {410, "Gone"},
      {412, "Precondition Failed"},
      {413, "Payload Too Large"},
      {415, "Unsupported Media Type"},
      {422, "Unprocessable Entity"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {503, "Service Unavailable"},
  };
  const auto it = kReasons.find(status);
  return it == kReasons.end() ? std::string_view() : it->second;
}

void write_multi_headers(JsonWriter& out, const std::vector<Header>& headers) {
  // Names in first-seen order, each with all its values.
  std::vector<std::pair<std::string, std::vector<std::string>>> grouped;
  for (const auto& h : headers) {
    auto it = grouped.begin();
    while (it != grouped.end() && !iequals(it->first, h.name)) {
      ++it;
    }
    if (it == grouped.end()) {
      grouped.push_back({h.name, {h.value}});
    } else {
      it->second.push_back(h.value);
    }
  }
  out.key("multiValueHeaders").begin_object();
  for (const auto& [name, values] : grouped) {
    out.key(name).begin_array();
    for (const auto& v : values) {
      out.value(v);
    }
    out.end_array();
  }
  out.end_object();
}

// HTTP API (v2): headers folded into one value per name, and Set-Cookie, which cannot be folded
// into one header line, in `cookies`.
void write_v2_headers(JsonWriter& out, const std::vector<Header>& headers) {
  out.key("headers").begin_object();
  std::vector<const Header*> cookies;
  std::vector<std::pair<std::string, std::string>> folded;
  for (const auto& h : headers) {
    if (iequals(h.name, "Set-Cookie")) {
      cookies.push_back(&h);
      continue;
    }
    auto it = folded.begin();
    while (it != folded.end() && !iequals(it->first, h.name)) {
      ++it;
    }
    if (it == folded.end()) {
      folded.emplace_back(h.name, h.value);
    } else {
      it->second += ", " + h.value;
    }
  }
  for (const auto& [name, value] : folded) {
    out.field(name, value);
  }
  out.end_object();
  if (!cookies.empty()) {
    out.key("cookies").begin_array();
    for (const Header* c : cookies) {
      out.value(c->value);
    }
    out.end_array();
  }
}

// `headers` with the last value of each name.
void write_last_values(JsonWriter& out, const std::vector<Header>& headers) {
  out.key("headers").begin_object();
  for (const auto& h : headers) {
    const Header* last = nullptr;
    for (const auto& other : headers) {
      if (iequals(other.name, h.name)) {
        last = &other;
      }
    }
    if (last == &h) {
      out.field(h.name, h.value);
    }
  }
  out.end_object();
}

}  // namespace

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::RestV1:
      return "API Gateway REST (v1)";
    case EventKind::HttpV2:
      return "API Gateway HTTP API (v2)";
    case EventKind::Alb:
      return "ALB";
    case EventKind::Scheduled:
      return "EventBridge scheduled";
    case EventKind::Ecs:
      return "EventBridge ECS";
    case EventKind::Unknown:
      return "unknown";
  }
  return "unknown";
}

EventKind classify(const JsonValue& event) {
  if (!event.IsObject()) {
    return EventKind::Unknown;
  }
  const JsonValue* context = member(event, "requestContext");
  if (is_object(context) && is_object(member(*context, "elb"))) {
    return EventKind::Alb;
  }
  if (string_at(event, "version") == "2.0" && member(event, "rawPath") != nullptr &&
      is_object(context) && is_object(member(*context, "http"))) {
    return EventKind::HttpV2;
  }
  if (!string_at(event, "httpMethod").empty() && !string_at(event, "path").empty()) {
    return EventKind::RestV1;
  }
  const std::string_view source = string_at(event, "source");
  const std::string_view type = string_at(event, "detail-type");
  if (source == "aws.events" && type == "Scheduled Event") {
    return EventKind::Scheduled;
  }
  if (source == "aws.ecs" &&
      (type == "ECS Service Action" || type == "ECS Deployment State Change" ||
       type == "ECS Task State Change")) {
    return EventKind::Ecs;
  }
  return EventKind::Unknown;
}

std::string describe(const JsonValue& event) {
  if (!event.IsObject()) {
    return "a JSON value that is not an object";
  }
  const std::string_view source = string_at(event, "source");
  if (!source.empty()) {
    return "an event of source '" + std::string(source) + "' and detail-type '" +
           std::string(string_at(event, "detail-type")) + "'";
  }
  std::string keys;
  for (const auto& m : event.GetObject()) {
    keys += keys.empty() ? "" : ", ";
    keys += as_view(m.name);
  }
  return "an event with the keys [" + keys + "]";
}

Result<Request> to_request(const JsonValue& event, EventKind kind) {
  Request request;
  const JsonValue* context = member(event, "requestContext");
  if (kind == EventKind::HttpV2) {
    const JsonValue& http = *member(*context, "http");
    request.method = std::string(string_at(http, "method"));
    request.path = without_stage(string_at(event, "rawPath"), string_at(*context, "stage"));
    request.query = std::string(string_at(event, "rawQueryString"));
    request.remote_address = std::string(string_at(http, "sourceIp"));
    if (const JsonValue* headers = member(event, "headers"); is_object(headers)) {
      for (const auto& h : headers->GetObject()) {
        if (h.value.IsString()) {
          request.headers.push_back({std::string(as_view(h.name)), std::string(as_view(h.value))});
        }
      }
    }
    if (const JsonValue* cookies = member(event, "cookies");
        cookies != nullptr && cookies->IsArray() && !cookies->Empty()) {
      std::string joined;
      for (const auto& c : cookies->GetArray()) {
        if (c.IsString()) {
          joined += joined.empty() ? "" : "; ";
          joined += as_view(c);
        }
      }
      request.headers.push_back({"Cookie", std::move(joined)});
    }
  } else if (kind == EventKind::RestV1 || kind == EventKind::Alb) {
    request.method = std::string(string_at(event, "httpMethod"));
    request.path = std::string(string_at(event, "path"));
    request.query = read_query(event, kind == EventKind::RestV1);
    if (auto ok = read_headers(event, kind, request); !ok) {
      return std::move(ok).error();
    }
    if (is_object(context)) {
      if (const JsonValue* identity = member(*context, "identity"); is_object(identity)) {
        request.remote_address = std::string(string_at(*identity, "sourceIp"));
      }
    }
  } else {
    return bad_event(kind, "is not an HTTP request");
  }
  if (request.method.empty()) {
    return bad_event(kind, "the HTTP method is missing");
  }
  if (request.path.empty() || request.path.front() != '/') {
    return bad_event(kind, "the path must start with '/'");
  }
  if (auto ok = read_body(event, kind, request); !ok) {
    return std::move(ok).error();
  }
  request.authorizer_claims = authorizer_claims(context, kind);
  return request;
}

std::string to_response(const Response& response, EventKind kind, const JsonValue& event) {
  const bool text = is_text(response);
  JsonWriter out;
  out.begin_object().field("statusCode", response.status);
  if (kind == EventKind::Alb) {
    out.field("statusDescription",
              std::to_string(response.status) + " " + std::string(reason(response.status)));
  }
  const bool multi = kind == EventKind::RestV1 ||
                     (kind == EventKind::Alb && is_object(member(event, "multiValueHeaders")));
  if (kind == EventKind::HttpV2) {
    write_v2_headers(out, response.headers);
  } else if (multi && kind == EventKind::Alb) {
    write_multi_headers(out, response.headers);
  } else {
    // v1 gets both: `headers` (the last value of each name) for simple clients and tools, and
    // `multiValueHeaders` with every value, which API Gateway prefers when both are present.
    write_last_values(out, response.headers);
    if (multi) {
      write_multi_headers(out, response.headers);
    }
  }
  out.field("body", text ? response.body : base64_encode(response.body))
      .field("isBase64Encoded", !text)
      .end_object();
  return out.str();
}

}  // namespace tenantd::lambda
