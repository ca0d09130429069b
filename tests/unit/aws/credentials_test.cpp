#include "aws/credentials.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/clock.hpp"
#include "unit/aws/fake_http_server.hpp"

namespace tenantd::aws {
namespace {

using testing_support::FakeHttpServer;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

std::string credentials_body(const std::string& key, std::chrono::seconds valid_for) {
  return R"({"AccessKeyId":")" + key + R"(","SecretAccessKey":"s","Token":"t","Expiration":")" +
         format_time(std::chrono::time_point_cast<std::chrono::seconds>(
             std::chrono::system_clock::now() + valid_for)) +
         R"("})";
}

TEST(Credentials, EnvironmentKeysComeFirst) {
  auto provider = default_credentials(
      env_of({{"AWS_ACCESS_KEY_ID", "AKID"},
              {"AWS_SECRET_ACCESS_KEY", "secret"},
              {"AWS_SESSION_TOKEN", "token"},
              {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/never"}}));
  ASSERT_TRUE(provider.ok());
  auto got = (*provider)->get();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->access_key_id, "AKID");
  EXPECT_EQ(got->secret_access_key, "secret");
  EXPECT_EQ(got->session_token, "token");
}

TEST(Credentials, NoSourceIsAnErrorNamingTheVariables) {
  auto provider = default_credentials(env_of({{"AWS_ACCESS_KEY_ID", "only-the-key"}}));
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(Credentials, PlainHttpContainerUriMustBeALocalAgent) {
  auto remote = default_credentials(
      env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}));
  EXPECT_FALSE(remote.ok());
  EXPECT_TRUE(default_credentials(
                  env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://example.com/creds"}}))
                  .ok());
  EXPECT_TRUE(default_credentials(
                  env_of({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}}))
                  .ok());
}

TEST(Credentials, ContainerEndpointIsCalledWithTheTokenAndCachedUntilNearExpiry) {
  std::atomic<int> served{0};
  std::string authorization;
  std::string target;
  FakeHttpServer server([&](const auto& request) {
    authorization = std::string(request["Authorization"]);
    target = std::string(request.target());
    return FakeHttpServer::reply(
        200, credentials_body("KEY" + std::to_string(++served), std::chrono::hours(1)));
  });
  auto provider = default_credentials(
      env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/2018-06-01/creds"},
              {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer abc"}}));
  ASSERT_TRUE(provider.ok()) << provider.error().message;
  for (int i = 0; i < 3; ++i) {
    auto got = (*provider)->get();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->access_key_id, "KEY1");
    EXPECT_EQ(got->session_token, "t");
  }
  EXPECT_EQ(served.load(), 1) << "cached while far from expiry";
  EXPECT_EQ(authorization, "Bearer abc");
  EXPECT_EQ(target, "/2018-06-01/creds");
}

TEST(Credentials, ContainerCredentialsCloseToExpiryAreFetchedAgain) {
  std::atomic<int> served{0};
  FakeHttpServer server([&](const auto&) {
    return FakeHttpServer::reply(
        200, credentials_body("KEY" + std::to_string(++served), std::chrono::minutes(2)));
  });
  ContainerCredentials provider(*Url::parse(server.url() + "/creds"), env_of({}),
                                std::chrono::minutes(5));
  EXPECT_EQ(provider.get()->access_key_id, "KEY1");
  EXPECT_EQ(provider.get()->access_key_id, "KEY2");
  EXPECT_EQ(served.load(), 2);
}

TEST(Credentials, TheTokenFileIsReadWhenNoTokenVariableIsSet) {
  const auto path = std::filesystem::temp_directory_path() / "tenantd-aws-token-test";
  { std::ofstream(path) << "file-token\n"; }
  std::string authorization;
  FakeHttpServer server([&](const auto& request) {
    authorization = std::string(request["Authorization"]);
    return FakeHttpServer::reply(200, credentials_body("K", std::chrono::hours(1)));
  });
  ContainerCredentials provider(
      *Url::parse(server.url() + "/creds"),
      env_of({{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path.string()}}));
  ASSERT_TRUE(provider.get().ok());
  EXPECT_EQ(authorization, "file-token");
  std::filesystem::remove(path);
}

TEST(Credentials, ABadEndpointAnswerIsAnError) {
  FakeHttpServer server([](const auto&) { return FakeHttpServer::reply(200, R"({"Code":"x"})"); });
  ContainerCredentials provider(*Url::parse(server.url() + "/creds"), env_of({}));
  EXPECT_FALSE(provider.get().ok());
  FakeHttpServer denied([](const auto&) { return FakeHttpServer::reply(403, "{}"); });
  ContainerCredentials refused(*Url::parse(denied.url() + "/creds"), env_of({}));
  EXPECT_FALSE(refused.get().ok());
}

}  // namespace
}  // namespace tenantd::aws
