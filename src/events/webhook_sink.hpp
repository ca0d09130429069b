#pragma once
// Delivers outbox events to an HTTP endpoint (docs/events.md): one POST per event whose body is
// the envelope JSON, signed so that the receiver can tell it came from us and is fresh:
//   X-Tenantd-Timestamp: <unix seconds>
//   X-Tenantd-Signature: sha256=<lower-case hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// Any 2xx answer is delivery; anything else (or no answer) fails the event, which the dispatcher
// retries with backoff. docs/webhooks.md shows how to verify a delivery.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/http_client.hpp"
#include "core/result.hpp"
#include "events/event_sink.hpp"

namespace tenantd::events {

// "sha256=<hex>" over "<timestamp>.<body>".
std::string webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body);

// The signed POST of one envelope to `url` at `timestamp` (unix seconds).
HttpRequest webhook_request(const Url& url, std::string_view secret, const OutboxEvent& event,
                            std::string envelope, std::int64_t timestamp);

// The event's Status from the receiver's answer.
Status webhook_status(const HttpResponse& response);

class WebhookSink final : public EventSink {
 public:
  // `url` is http:// or https:// (TLS verified against `ca_file`, or the system's CAs when empty).
  static Result<std::unique_ptr<WebhookSink>> open(const std::string& url, std::string secret,
                                                   std::string region, std::string ca_file);

  std::string_view name() const override { return "webhook"; }
  std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) override;

 private:
  WebhookSink(const Url& url, HttpOptions options, std::string secret, std::string region);

  HttpClient http_;
  std::string secret_;
  std::string region_;
};

}  // namespace tenantd::events
