#include "events/webhook_sink.hpp"

#include <gtest/gtest.h>

#include <map>

#include <boost/asio/ip/tcp.hpp>

#include "core/crypto.hpp"
#include "unit/aws/fake_http_server.hpp"
#include "unit/events/sink_test_support.hpp"

namespace tenantd::events {
namespace {

using testing_support::FakeHttpServer;
using testing_support::RequestLog;
using testing_support::sample_event;

std::string header_of(const RequestLog::Entry& e, std::string_view name) {
  for (const auto& [k, v] : e.headers) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

TEST(WebhookSignature, IsHexHmacSha256OfTimestampDotBody) {
  // Computed independently: python3 -c "import hmac,hashlib;
  //   print(hmac.new(b'whsec', b'1764212400.{\"a\":1}', hashlib.sha256).hexdigest())"
  EXPECT_EQ(webhook_signature("whsec", 1764212400, R"({"a":1})"),
            "sha256=7e7f8c36624ed863871c908ecdbfca36b87107e33d0754076d6cde5e3c43a231");
}

TEST(WebhookRequest, PostsTheEnvelopeToTheUrlsPathWithSignatureHeaders) {
  const auto url = *Url::parse("https://hooks.example.com/in/tenantd?team=ops");
  const OutboxEvent e = sample_event(3);
  const auto request = webhook_request(url, "k", e, "{\"body\":1}", 1764212400);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/in/tenantd?team=ops");
  EXPECT_EQ(request.body, "{\"body\":1}");
  std::map<std::string, std::string> headers;
  for (const auto& h : request.headers) {
    headers[h.name] = h.value;
  }
  EXPECT_EQ(headers["Content-Type"], "application/json");
  EXPECT_EQ(headers["X-Tenantd-Timestamp"], "1764212400");
  EXPECT_EQ(headers["X-Tenantd-Signature"], webhook_signature("k", 1764212400, "{\"body\":1}"));
  EXPECT_EQ(headers["X-Tenantd-Event-Id"], "evt-3");
  EXPECT_EQ(headers["X-Tenantd-Event-Type"], "TENANT_UPDATED");
}

TEST(WebhookStatus, Only2xxIsDelivery) {
  HttpResponse r;
  for (const int status : {200, 201, 202, 204}) {
    r.status = status;
    EXPECT_TRUE(webhook_status(r).ok()) << status;
  }
  r.status = 301;
  EXPECT_FALSE(webhook_status(r).ok()) << "a redirect is not followed, so not delivered";
  r.status = 503;
  r.body = "busy";
  ASSERT_FALSE(webhook_status(r).ok());
  EXPECT_NE(webhook_status(r).error().message.find("HTTP 503: busy"), std::string::npos);
}

TEST(WebhookSink, SignsEachPostSoThatTheReceiverCanCheckIt) {
  RequestLog log;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    log.add(r);
    return FakeHttpServer::reply(r.body().find("evt-1") != std::string::npos ? 500 : 204, "");
  });
  auto sink = WebhookSink::open(server.url() + "/hook", "secret-1", "eu-west-1", "");
  ASSERT_TRUE(sink.ok());
  const std::vector<OutboxEvent> batch = {sample_event(0), sample_event(1), sample_event(2)};
  const auto statuses = (*sink)->deliver(batch);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_FALSE(statuses[1].ok());
  EXPECT_TRUE(statuses[2].ok());
  const auto calls = log.all();
  ASSERT_EQ(calls.size(), 3u);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].target, "/hook");
    EXPECT_EQ(calls[i].body, envelope_json(batch[i], "eu-west-1"));
    const std::string timestamp = header_of(calls[i], "X-Tenantd-Timestamp");
    EXPECT_EQ(header_of(calls[i], "X-Tenantd-Signature"),
              "sha256=" + hex(hmac_sha256("secret-1", timestamp + "." + calls[i].body)));
  }
}

TEST(WebhookSink, AnUnreachableReceiverFailsTheBatchAfterOneConnectionAttempt) {
  // A port that nothing listens on: bind one, note it, close it.
  unsigned short port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto sink =
      WebhookSink::open("http://127.0.0.1:" + std::to_string(port) + "/hook", "s", "local", "");
  ASSERT_TRUE(sink.ok());
  const auto statuses = (*sink)->deliver({sample_event(0), sample_event(1), sample_event(2)});
  ASSERT_EQ(statuses.size(), 3u);
  for (const auto& s : statuses) {
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("receiver unreachable"), std::string::npos);
  }
}

TEST(WebhookSink, ABadUrlIsAValidationError) {
  const auto sink = WebhookSink::open("ftp://example.com/x", "s", "local", "");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.error().code, ErrorCode::ValidationError);
  EXPECT_NE(sink.error().message.find("WEBHOOK_URL"), std::string::npos);
}

}  // namespace
}  // namespace tenantd::events
