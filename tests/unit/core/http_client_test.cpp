#include "core/http_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "unit/aws/fake_http_server.hpp"

namespace tenantd {
namespace {

using testing_support::FakeHttpServer;

HttpClient client_for(const FakeHttpServer& server, HttpOptions options = {}) {
  return HttpClient(*Url::parse(server.url()), options);
}

TEST(Url, ParsesSchemeHostPortAndPath) {
  auto a = Url::parse("https://dynamodb.eu-west-1.amazonaws.com");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->path, "/");
  EXPECT_EQ(a->host_header(), "dynamodb.eu-west-1.amazonaws.com");
  auto b = Url::parse("http://127.0.0.1:4566/prefix/");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, "4566");
  EXPECT_EQ(b->path, "/prefix/");
  EXPECT_EQ(b->host_header(), "127.0.0.1:4566");
  auto v6 = Url::parse("http://[fd00:ec2::23]/creds");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "fd00:ec2::23");
  EXPECT_EQ(v6->host_header(), "[fd00:ec2::23]");
  for (const char* bad :
       {"ftp://x", "dynamodb.amazonaws.com", "http://", "http://h:12a/", "https://user:pw@host/"}) {
    EXPECT_FALSE(Url::parse(bad).ok()) << bad;
  }
}

TEST(HttpClient, ReusesOneKeepAliveConnectionForSequentialRequests) {
  FakeHttpServer server(
      [](const auto& request) { return FakeHttpServer::reply(200, "echo:" + request.body()); });
  HttpClient client = client_for(server);
  for (int i = 0; i < 5; ++i) {
    HttpRequest request;
    request.body = std::to_string(i);
    auto response = client.send(request);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "echo:" + std::to_string(i));
    EXPECT_EQ(response->header("content-type"), "application/x-amz-json-1.0");
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(client.connections_opened(), 1U);
}

TEST(HttpClient, OpensANewConnectionWhenTheServerClosesIt) {
  FakeHttpServer server([](const auto&) { return FakeHttpServer::reply(200, "{}", false); });
  HttpClient client = client_for(server);
  for (int i = 0; i < 3; ++i) {
    auto response = client.send(HttpRequest{});
    ASSERT_TRUE(response.ok()) << response.error().message;
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(server.requests(), 3);
}

TEST(HttpClient, ConcurrentCallersUseSeparateConnectionsAndAllSucceed) {
  FakeHttpServer server([](const auto&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return FakeHttpServer::reply(200, "{}");
  });
  HttpClient client = client_for(server);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        ok += client.send(HttpRequest{}).ok() ? 1 : 0;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 20);
  EXPECT_LE(server.connections(), 4) << "idle connections are reused";
}

TEST(HttpClient, ARequestThatOutlivesItsTimeoutFailsAsUnavailable) {
  FakeHttpServer server([](const auto&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    return FakeHttpServer::reply(200, "{}");
  });
  HttpOptions options;
  options.request_timeout = std::chrono::milliseconds(100);
  HttpClient client = client_for(server, options);
  const auto start = std::chrono::steady_clock::now();
  auto response = client.send(HttpRequest{});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::ServiceUnavailable);
  EXPECT_LT(took, std::chrono::milliseconds(500));
}

TEST(HttpClient, ARefusedConnectionFailsAsUnavailable) {
  std::string url;
  {
    FakeHttpServer server([](const auto&) { return FakeHttpServer::reply(200, "{}"); });
    url = server.url();
  }  // closed: nothing listens on the port any more
  HttpClient client(*Url::parse(url), HttpOptions{});
  auto response = client.send(HttpRequest{});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::ServiceUnavailable);
}

TEST(HttpClient, TlsRefusesAServerThatIsNotSpeakingTls) {
  FakeHttpServer server([](const auto&) { return FakeHttpServer::reply(200, "{}"); });
  Url url = *Url::parse(server.url());
  url.tls = true;  // same plain-text server, but the client insists on TLS
  HttpOptions options;
  options.request_timeout = std::chrono::milliseconds(500);
  options.connect_timeout = std::chrono::milliseconds(500);
  HttpClient client(url, options);
  auto response = client.send(HttpRequest{});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::ServiceUnavailable);
}

}  // namespace
}  // namespace tenantd
