#include "aws/aws_query_client.hpp"

#include <charconv>

#include "core/percent_encoding.hpp"
#include "core/unicode_text.hpp"

namespace tenantd::aws {

namespace {

constexpr std::string_view kFormType = "application/x-www-form-urlencoded; charset=utf-8";

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
    if (cp < 0x110000) {  // past U+10FFFF: not a character, so nothing
      const char32_t c = cp;
      out += unicode::encode_utf8(std::u32string_view(&c, 1));
    }
  } else {
    return false;
  }
  return true;
}

void read_query_error(AwsResponse& response, const HttpResponse& /*answer*/) {
  response.error_type = xml_text(response.body, "Code");
  response.error_message = xml_text(response.body, "Message");
  if (response.error_type.empty()) {
    response.error_type = "HTTP" + std::to_string(response.status);
  }
}

// SNS names throttling "Throttling", which the JSON services do not use.
bool query_retryable(const AwsResponse& response) {
  return is_retryable(response) || response.error_type == "Throttling";
}

}  // namespace

std::string form_encode(std::string_view action, std::string_view version,
                        const QueryParams& params) {
  std::string body = "Action=" + percent_encode(action);
  body += "&Version=" + percent_encode(version);
  for (const auto& [key, value] : params) {
    body += '&';
    body += percent_encode(key);
    body += '=';
    body += percent_encode(value);
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
    : version_(std::move(version)),
      transport_(std::move(endpoint), std::move(credentials), std::move(settings),
                 {&read_query_error, &query_retryable}) {}

Result<AwsResponse> AwsQueryClient::call(std::string_view action, const QueryParams& params) {
  HttpRequest request;
  request.method = "POST";
  request.target = transport_.endpoint().url.path;
  request.body = form_encode(action, version_, params);
  request.headers = {{"Content-Type", std::string(kFormType)}};
  return transport_.call(request);
}

}  // namespace tenantd::aws
