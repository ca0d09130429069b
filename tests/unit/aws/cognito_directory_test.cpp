// DIRECTORY=cognito against a scripted Cognito: the ListUsers request it sends, and what it makes
// of none, one or several matching users (moto covers the real wire end to end).
#include "aws/cognito_directory.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "core/json.hpp"
#include "unit/aws/fake_http_server.hpp"

namespace tenantd::aws {
namespace {

using testing_support::FakeHttpServer;

constexpr const char* kAnn =
    R"({"Username":"u1","Attributes":[{"Name":"email","Value":"Ann@Example.com"},)"
    R"({"Name":"sub","Value":"0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"}]})";

class CognitoDirectoryTest : public ::testing::Test {
 protected:
  CognitoDirectoryTest()
      : clock_(TimePoint(std::chrono::seconds(1'770'000'000))),
        server_([this](const FakeHttpServer::Request& request) {
          FakeHttpServer::Response response;
          {
            const std::lock_guard lock(mutex_);
            bodies_.push_back(request.body());
            targets_.emplace_back(request["X-Amz-Target"]);
          }
          response.result(status_);
          response.set("Content-Type", "application/x-amz-json-1.1");
          response.body() = answer_;
          response.prepare_payload();
          return response;
        }),
        directory_(make_client(), "eu-west-1_Pool", clock_) {}

  std::unique_ptr<AwsJsonClient> make_client() {
    ClientSettings settings;
    settings.retry.max_attempts = 1;
    ServiceEndpoint endpoint{"cognito-idp", "eu-west-1", *Url::parse(server_.url())};
    return std::make_unique<AwsJsonClient>(
        endpoint, "AWSCognitoIdentityProviderService", "1.1",
        std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", ""}), settings);
  }

  JsonDoc last_body() {
    const std::lock_guard lock(mutex_);
    return *parse_json(bodies_.back());
  }

  ManualClock clock_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::vector<std::string> targets_;
  unsigned status_ = 200;
  std::string answer_ = std::string(R"({"Users":[)") + kAnn + "]}";
  FakeHttpServer server_;
  CognitoDirectory directory_;
};

TEST_F(CognitoDirectoryTest, ResolvesAnEmailToTheSubWithOneExactFilterQuery) {
  const auto user = directory_.resolve_email("  ANN@example.com ");
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->user_id, "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc");
  EXPECT_EQ(user->email, "ann@example.com");
  ASSERT_EQ(targets_.size(), 1U);
  EXPECT_EQ(targets_[0], "AWSCognitoIdentityProviderService.ListUsers");
  const JsonDoc body = last_body();
  EXPECT_EQ(as_view(body["UserPoolId"]), "eu-west-1_Pool");
  EXPECT_EQ(as_view(body["Filter"]), R"(email = "ann@example.com")");
  EXPECT_EQ(body["Limit"].GetInt(), 2);
}

TEST_F(CognitoDirectoryTest, AnUnknownEmailIsUserNotFoundAndFindEmailIsEmpty) {
  answer_ = R"({"Users":[]})";
  const auto user = directory_.resolve_email("nobody@example.com");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::UserNotFound);
  const auto found = directory_.find_email("nobody@example.com");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(CognitoDirectoryTest, SeveralUsersWithOneEmailAreAConflictNotAGuess) {
  answer_ = std::string(R"({"Users":[)") + kAnn + "," + kAnn + "]}";
  const auto user = directory_.resolve_email("ann@example.com");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::Conflict);
}

TEST_F(CognitoDirectoryTest, FindUserFiltersBySubAndQuotesAreEscaped) {
  ASSERT_TRUE(directory_.find_user("0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"));
  EXPECT_EQ(as_view(last_body()["Filter"]), R"(sub = "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc")");
  answer_ = R"({"Users":[]})";
  ASSERT_TRUE(directory_.find_user(R"(x" or sub ^= "\)"));
  EXPECT_EQ(as_view(last_body()["Filter"]), R"(sub = "x\" or sub ^= \"\\")");
}

TEST_F(CognitoDirectoryTest, AnswersAreCachedForAMinute) {
  ASSERT_TRUE(directory_.resolve_email("ann@example.com"));
  ASSERT_TRUE(directory_.find_user("0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"));  // cached by sub too
  clock_.advance(std::chrono::seconds(59));
  ASSERT_TRUE(directory_.resolve_email("ann@example.com"));
  EXPECT_EQ(server_.requests(), 1);
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(directory_.resolve_email("ann@example.com"));
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(CognitoDirectoryTest, CognitoErrorsAreServiceUnavailable) {
  status_ = 400;
  answer_ = R"({"__type":"ResourceNotFoundException","message":"User pool does not exist."})";
  const auto user = directory_.resolve_email("ann@example.com");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::ServiceUnavailable);
  EXPECT_NE(user.error().message.find("ResourceNotFoundException"), std::string::npos);
}

}  // namespace
}  // namespace tenantd::aws
