#include "events/webhook_sink.hpp"

#include <chrono>
#include <optional>

#include "core/crypto.hpp"

namespace tenantd::events {

namespace {

constexpr std::size_t kMaxQuotedBody = 200;  // of a refusal, in the event's lastError

Error delivery_failed(std::string message) {
  return Error::make(ErrorCode::ServiceUnavailable, "webhook: " + std::move(message));
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body) {
  std::string signed_text = std::to_string(timestamp);
  signed_text += '.';
  signed_text += body;
  return "sha256=" + hex(hmac_sha256(secret, signed_text));
}

HttpRequest webhook_request(const Url& url, std::string_view secret, const OutboxEvent& event,
                            std::string envelope, std::int64_t timestamp) {
  HttpRequest request;
  request.method = "POST";
  request.target = url.path;
  request.headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", "tenantd-webhook"},
      {"X-Tenantd-Event-Id", event.event_id},
      {"X-Tenantd-Event-Type", event.detail_type},
      {"X-Tenantd-Timestamp", std::to_string(timestamp)},
      {"X-Tenantd-Signature", webhook_signature(secret, timestamp, envelope)},
  };
  request.body = std::move(envelope);
  return request;
}

Status webhook_status(const HttpResponse& response) {
  if (response.status >= 200 && response.status < 300) {
    return {};
  }
  std::string message = "the receiver answered HTTP " + std::to_string(response.status);
  if (!response.body.empty()) {
    message += ": ";
    message += response.body.substr(0, kMaxQuotedBody);
  }
  return delivery_failed(std::move(message));
}

Result<std::unique_ptr<WebhookSink>> WebhookSink::open(const std::string& url, std::string secret,
                                                       std::string region, std::string ca_file) {
  auto parsed = Url::parse(url);
  if (!parsed) {
    return Error::make(ErrorCode::ValidationError, "WEBHOOK_URL: " + parsed.error().message);
  }
  HttpOptions options;
  options.ca_file = std::move(ca_file);
  return std::unique_ptr<WebhookSink>(
      new WebhookSink(*parsed, std::move(options), std::move(secret), std::move(region)));
}

WebhookSink::WebhookSink(const Url& url, HttpOptions options, std::string secret,
                         std::string region)
    : http_(url, std::move(options)), secret_(std::move(secret)), region_(std::move(region)) {}

std::vector<Status> WebhookSink::deliver(const std::vector<OutboxEvent>& batch) {
  std::vector<Status> statuses;
  statuses.reserve(batch.size());
  std::optional<Error> unreachable;
  for (const auto& event : batch) {
    if (unreachable) {
      // One connection failure is enough: the rest of the batch waits for the next attempt
      // instead of each paying the connect timeout.
      statuses.emplace_back(*unreachable);
      continue;
    }
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto response = http_.send(
        webhook_request(http_.origin(), secret_, event, envelope_json(event, region_), now));
    if (!response) {
      unreachable = delivery_failed("receiver unreachable: " + response.error().message);
      statuses.emplace_back(*unreachable);
      continue;
    }
    statuses.emplace_back(webhook_status(*response));
  }
  return statuses;
}

}  // namespace tenantd::events
