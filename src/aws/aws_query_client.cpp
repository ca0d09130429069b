#include "aws/aws_query_client.hpp"

#include <charconv>
#include <thread>

namespace tenantd::aws {

namespace {

constexpr std::string_view kFormType = "application/x-www-form-urlencoded; charset=utf-8";

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one entity starting after '&' in `text`; returns false when it is not one.
bool decode_entity(std::string_view entity, std::string& out) {
  if (entity == "lt") {
    out += '<';
  } else if (entity == "gt") {
    out += '>';
  } else if (entity == "amp") {
    out += '&';
  } else if (entity == "quot") {
    out += '"';
  } else if (entity == "apos") {
    out += '\'';
  } else if (entity.size() > 1 && entity[0] == '#') {
    const bool is_hex = entity[1] == 'x' || entity[1] == 'X';
    const std::string_view digits = entity.substr(is_hex ? 2 : 1);
    std::uint32_t cp = 0;
    const auto [p, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), cp, is_hex ? 16 : 10);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
      return false;
    }
    append_utf8(out, cp);
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string form_encode(std::string_view action, std::string_view version,
                        const QueryParams& params) {
  std::string body = "Action=" + uri_encode(action, false);
  body += "&Version=" + uri_encode(version, false);
  for (const auto& [key, value] : params) {
    body += '&';
    body += uri_encode(key, false);
    body += '=';
    body += uri_encode(value, false);
  }
  return body;
}

std::string xml_text(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) {
    return {};
  }
  const auto from = start + open.size();
  const auto end = xml.find(close, from);
  if (end == std::string_view::npos) {
    return {};
  }
  const std::string_view raw = xml.substr(from, end - from);
  std::string text;
  text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '&') {
      const auto semi = raw.find(';', i);
      if (semi != std::string_view::npos && decode_entity(raw.substr(i + 1, semi - i - 1), text)) {
        i = semi;
        continue;
      }
    }
    text += raw[i];
  }
  return text;
}

AwsQueryClient::AwsQueryClient(ServiceEndpoint endpoint, std::string version,
                               std::shared_ptr<CredentialsProvider> credentials,
                               ClientSettings settings)
    : endpoint_(std::move(endpoint)),
      version_(std::move(version)),
      credentials_(std::move(credentials)),
      retry_(settings.retry),
      http_(endpoint_.url, std::move(settings.http)) {}

Result<AwsResponse> AwsQueryClient::attempt(const std::string& body) {
  TENANTD_TRY_ASSIGN(auto credentials, credentials_->get());
  HttpRequest request;
  request.method = "POST";
  request.target = endpoint_.url.path;
  request.body = body;
  request.headers = {{"Host", endpoint_.url.host_header()},
                     {"Content-Type", std::string(kFormType)}};
  SignInput in;
  in.method = request.method;
  const auto query_at = request.target.find('?');
  in.path = std::string_view(request.target).substr(0, query_at);
  if (query_at != std::string::npos) {
    in.query = std::string_view(request.target).substr(query_at + 1);
  }
  in.headers = &request.headers;
  in.payload = request.body;
  in.region = endpoint_.region;
  in.service = endpoint_.signing_name;
  const Signature signature = sign(in, credentials, std::chrono::system_clock::now());
  request.headers.erase(request.headers.begin());  // Host: the HTTP client sets it
  request.headers.push_back({"X-Amz-Date", signature.amz_date});
  if (!credentials.session_token.empty()) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  request.headers.push_back({"Authorization", signature.authorization});

  TENANTD_TRY_ASSIGN(auto response, http_.send(request));
  AwsResponse out;
  out.status = response.status;
  out.body = std::move(response.body);
  if (!out.ok()) {
    out.error_type = xml_text(out.body, "Code");
    out.error_message = xml_text(out.body, "Message");
    if (out.error_type.empty()) {
      out.error_type = "HTTP" + std::to_string(out.status);
    }
  }
  return out;
}

Result<AwsResponse> AwsQueryClient::call(std::string_view action, const QueryParams& params) {
  const std::string body = form_encode(action, version_, params);
  for (int n = 1;; ++n) {
    auto response = attempt(body);
    const bool last = n >= retry_.max_attempts;
    if (response) {
      response->attempts = n;
      // SNS names throttling "Throttling", which the JSON services do not use.
      const bool retryable = is_retryable(*response) || response->error_type == "Throttling";
      if (response->ok() || last || !retryable) {
        return response;
      }
    } else if (last || response.error().code != ErrorCode::ServiceUnavailable) {
      return response;
    }
    std::this_thread::sleep_for(retry_.delay(n - 1));
  }
}

}  // namespace tenantd::aws
