// The console's door: what it serves itself, what it hands to the API, and the one-time codes.
#include <gtest/gtest.h>

#include "console/console_assets.hpp"
#include "console/console_front.hpp"
#include "console/sign_in_codes.hpp"
#include "core/json.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::console {
namespace {

class RecordingApi final : public RequestHandler {
 public:
  Response handle(Request& request) override {
    seen.push_back(request.path);
    Response r;
    r.status = 299;
    return r;
  }
  std::vector<std::string> seen;
};

class ConsoleFrontTest : public ::testing::Test {
 protected:
  ConsoleFrontTest()
      : store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        front_(api_, *store_, clock_, ids_, ConsoleSettings{"local", "", "", "test-secret"}) {}

  Response send(std::string method, std::string path, std::string body = {}) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.headers.push_back({"Content-Type", "application/json"});
    return front_.handle(request);
  }

  ManualClock clock_{*parse_time("2026-01-25T10:30:00.000Z")};
  TimeOrderedIds ids_{clock_};
  std::unique_ptr<store::ItemStore> store_;
  RecordingApi api_;
  ConsoleFront front_;
};

TEST_F(ConsoleFrontTest, PathsOutsideTheConsoleGoToTheApiUnchanged) {
  EXPECT_EQ(send("GET", "/v1.0/tenants").status, 299);
  EXPECT_EQ(send("GET", "/consoles").status, 299);
  EXPECT_EQ(api_.seen, (std::vector<std::string>{"/v1.0/tenants", "/consoles"}));
}

TEST_F(ConsoleFrontTest, IndexCarriesTheSettingsAndEveryResponseTheSecurityHeaders) {
  const Response index = send("GET", "/console/");
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("&quot;signIn&quot;:&quot;code&quot;"), std::string::npos);
  EXPECT_EQ(index.body.find("{{"), std::string::npos);  // every placeholder filled
  for (const Response& r : {index, send("GET", "/console/nope"), send("DELETE", "/console/")}) {
    ASSERT_NE(r.header("Content-Security-Policy"), nullptr);
    EXPECT_NE(r.header("Content-Security-Policy")->find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(*r.header("X-Frame-Options"), "DENY");
  }
  EXPECT_TRUE(api_.seen.empty());
}

TEST_F(ConsoleFrontTest, AssetsAreServedOnlyUnderTheCurrentBuild) {
  const std::string path = "/console/assets/" + std::string(build_id()) + "/js/main.js";
  const Response asset = send("GET", path);
  ASSERT_EQ(asset.status, 200);
  EXPECT_EQ(*asset.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(send("GET", "/console/assets/0123456789abcdef/js/main.js").status, 404);
  EXPECT_EQ(send("GET", "/console/js/main.js").status, 404);
}

TEST_F(ConsoleFrontTest, ACodeIsExchangedOnceForAToken) {
  SignInCodes codes(*store_, clock_);
  const std::string code =
      codes.issue({"user-1", "a@example.com", {"platform-admins"}, 60}).value();
  const Response first = send("POST", "/console/session", R"({"code":")" + code + R"("})");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto doc = parse_json(first.body);
  ASSERT_TRUE(doc && (*doc)["token"].IsString());
  EXPECT_EQ(send("POST", "/console/session", R"({"code":")" + code + R"("})").status, 401);
}

TEST_F(ConsoleFrontTest, ACodeExpiresWithItsLink) {
  SignInCodes codes(*store_, clock_);
  const std::string code = codes.issue({"user-1", "a@example.com", {}, 60}).value();
  clock_.advance(std::chrono::duration_cast<Millis>(kCodeLifetime) + Millis(1000));
  EXPECT_FALSE(codes.redeem(code).ok());
}

TEST(ConsoleFrontModes, CodesAreRefusedOutsideLocalAuth) {
  ManualClock clock{*parse_time("2026-01-25T10:30:00.000Z")};
  TimeOrderedIds ids(clock);
  auto store = store::sqlite::SqliteStore::open(":memory:", "dev", clock).value();
  RecordingApi api;
  ConsoleFront front(api, *store, clock, ids,
                     ConsoleSettings{"cognito", "https://auth.example.com", "client-1", ""});
  Request request;
  request.method = "POST";
  request.path = "/console/session";
  request.body = R"({"code":"x"})";
  EXPECT_EQ(front.handle(request).status, 404);
  EXPECT_NE(front.content_security_policy().find("connect-src 'self' https://auth.example.com"),
            std::string::npos);
}

}  // namespace
}  // namespace tenantd::console
