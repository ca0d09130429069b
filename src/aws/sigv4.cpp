#include "aws/sigv4.hpp"

#include <algorithm>
#include <ctime>
#include <utility>

#include "core/crypto.hpp"
#include "core/percent_encoding.hpp"
#include "core/strings.hpp"

namespace tenantd::aws {

namespace {

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    const auto eq = part.find('=');
    const std::string_view name = part.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    params.emplace_back(percent_encode(percent_decode(name)),
                        percent_encode(percent_decode(value)));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

// Leading/trailing spaces dropped, inner runs of spaces folded to one (SigV4 "Trimall").
std::string trim_all(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Signature sign(const SignInput& in, const Credentials& credentials,
               std::chrono::system_clock::time_point now) {
  Signature out;
  out.amz_date = amz_date(now);
  const std::string date = out.amz_date.substr(0, 8);

  // Canonical headers: lower-case names, sorted; values of repeated names joined by ','.
  std::vector<std::pair<std::string, std::string>> headers;
  if (in.headers != nullptr) {
    for (const Header& h : *in.headers) {
      headers.emplace_back(to_lower(h.name), trim_all(h.value));
    }
  }
  headers.emplace_back("x-amz-date", out.amz_date);
  if (!credentials.session_token.empty()) {
    headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string signed_headers;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.pop_back();  // the '\n' of the previous value
      canonical_headers += ',';
    } else {
      if (!signed_headers.empty()) {
        signed_headers += ';';
      }
      signed_headers += headers[i].first;
      canonical_headers += headers[i].first;
      canonical_headers += ':';
    }
    canonical_headers += headers[i].second;
    canonical_headers += '\n';
  }

  const std::string path = in.path.empty() ? std::string("/") : percent_encode(in.path, true);
  out.canonical_request.reserve(256 + canonical_headers.size());
  out.canonical_request.append(in.method)
      .append("\n")
      .append(path)
      .append("\n")
      .append(canonical_query(in.query))
      .append("\n")
      .append(canonical_headers)
      .append("\n")
      .append(signed_headers)
      .append("\n")
      .append(sha256_hex(in.payload));

  std::string scope;
  scope.append(date)
      .append("/")
      .append(in.region)
      .append("/")
      .append(in.service)
      .append("/aws4_request");
  out.string_to_sign.append("AWS4-HMAC-SHA256\n")
      .append(out.amz_date)
      .append("\n")
      .append(scope)
      .append("\n")
      .append(sha256_hex(out.canonical_request));

  const std::string k_date = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  const std::string k_region = hmac_sha256(k_date, in.region);
  const std::string k_service = hmac_sha256(k_region, in.service);
  const std::string k_signing = hmac_sha256(k_service, "aws4_request");
  out.signature = hex(hmac_sha256(k_signing, out.string_to_sign));

  out.authorization.append("AWS4-HMAC-SHA256 Credential=")
      .append(credentials.access_key_id)
      .append("/")
      .append(scope)
      .append(", SignedHeaders=")
      .append(signed_headers)
      .append(", Signature=")
      .append(out.signature);
  return out;
}

}  // namespace tenantd::aws
