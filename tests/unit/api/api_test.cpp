// The API application in-process: the same Request/Response every door uses.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include "api/page_token.hpp"
#include "api/rate_limiter.hpp"
#include "auth/jwt.hpp"
#include "core/json.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"
#include "provision/simulated_provisioner.hpp"
#include "service/hierarchy_service.hpp"
#include "service/instance_service.hpp"
#include "service/invitation_service.hpp"
#include "service/local_directory.hpp"
#include "service/member_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/interleaving_store.hpp"

namespace tenantd::api {
namespace {

constexpr const char* kSecret = "unit-test-secret";

class ApiTest : public ::testing::Test {
 protected:
  ApiTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        faults_(*store_),
        verifier_(kSecret),
        page_tokens_(DerivedKey("page-key")),
        rate_limiter_(1000, 1000, clock_),
        logger_(obs::LoggerOptions{"dev", obs::LogLevel::Error, [](std::string_view) {}, &clock_}),
        tenants_(faults_, ids_, service::ChangeLogOptions{}, service::TenantEvents{}),
        hierarchy_(faults_, ids_, service::ChangeLogOptions{}, {}),
        directory_(faults_, ids_, clock_),
        members_(faults_, directory_, ids_, service::ChangeLogOptions{}, service::MemberEvents{}),
        invitations_(faults_, directory_, members_, ids_, invitation_options(),
                     service::InvitationEvents{}),
        instances_(faults_, ids_, service::InstanceOptions{}, service::InstanceEvents{}),
        api_(ApiDeps{faults_, clock_,
                     auth::bearer_authenticator([this](std::string_view token, TimePoint now) {
                       return verifier_.verify(token, now);
                     }),
                     page_tokens_, rate_limiter_, logger_, metrics_, services()},
             ApiOptions{}) {}

  static service::InvitationOptions invitation_options() {
    service::InvitationOptions options;
    options.seal_key =
        DerivedKey(std::string(32, 'k'));  // seals the accept link in the outbox event
    return options;
  }

  Services services() {
    return Services{.tenants = tenants_,
                    .hierarchy = hierarchy_,
                    .members = members_,
                    .invitations = invitations_,
                    .instances = instances_};
  }

  std::string token(std::vector<std::string> groups) {
    auth::JwtClaims claims;
    claims.sub = "user-00000000-0000-4000-8000-0000000000aa";
    claims.email = "admin@example.com";
    claims.groups = std::move(groups);
    claims.iat = epoch_seconds(clock_.now());
    claims.exp = claims.iat + 3600;
    return auth::mint_hs256(kSecret, claims).value();
  }

  Response call(std::string method, std::string path, std::string body = {},
                std::vector<Header> headers = {}) {
    Request r;
    r.method = std::move(method);
    const auto q = path.find('?');
    r.path = path.substr(0, q);
    r.query = q == std::string::npos ? "" : path.substr(q + 1);
    r.body = std::move(body);
    r.headers = std::move(headers);
    if (!r.body.empty() && r.header("Content-Type") == nullptr) {
      r.headers.push_back({"Content-Type", "application/json"});
    }
    if (r.header("Authorization") == nullptr) {
      r.headers.push_back({"Authorization", "Bearer " + admin_});
    }
    return api_.handle(r);
  }

  static std::string code_of(const Response& r) {
    const auto doc = parse_json(r.body);
    return std::string(as_view((*doc)["error"]["code"]));
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  test_support::InterleavingStore faults_;  // what the API and its services use
  auth::Hs256Verifier verifier_;
  PageTokens page_tokens_;
  RateLimiter rate_limiter_;
  obs::Logger logger_;
  obs::MetricsRegistry metrics_;
  service::TenantService tenants_;
  service::HierarchyService hierarchy_;
  service::LocalDirectory directory_;
  service::MemberService members_;
  service::InvitationService invitations_;
  service::InstanceService instances_;
  Api api_;
  std::string admin_ = token({"platform-admins"});
};

TEST_F(ApiTest, HealthIsOpenAndHealthy) {
  const Response r = call("GET", "/health", {}, {{"Authorization", "none"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"status\":\"healthy\""), std::string::npos);
  EXPECT_NE(r.header("X-Request-Id"), nullptr);
}

// Request ids only correlate: they come from correlation_uuid(), which costs no system call,
// not from the stored ids' generator (a getrandom per id).
TEST_F(ApiTest, ARequestWithoutAnIdGetsACorrelationIdNotAStoredId) {
  const Response a = call("GET", "/health", {}, {{"Authorization", "none"}});
  const Response b = call("GET", "/health", {}, {{"Authorization", "none"}});
  ASSERT_NE(a.header("X-Request-Id"), nullptr);
  ASSERT_NE(b.header("X-Request-Id"), nullptr);
  EXPECT_TRUE(is_id("r-" + *a.header("X-Request-Id"), "r")) << *a.header("X-Request-Id");
  EXPECT_NE(*a.header("X-Request-Id"), *b.header("X-Request-Id"));
  EXPECT_EQ(ids_.uuid(), "00000000-0000-4000-8000-000000000001");  // none taken by the requests
}

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(code_of(call("GET", "/nope")), "NOT_FOUND");
  const Response r = call("PATCH", "/v1.0/tenants");
  EXPECT_EQ(r.status, 405);
  ASSERT_NE(r.header("Allow"), nullptr);
  EXPECT_EQ(*r.header("Allow"), "POST, GET, HEAD");  // HEAD goes wherever GET does
}

TEST_F(ApiTest, HeadIsAnsweredWhereGetIs) {
  EXPECT_EQ(call("HEAD", "/health").status, 200);
  EXPECT_EQ(call("HEAD", "/v1.0/health").status, 200);
  EXPECT_EQ(code_of(call("HEAD", "/nope")), "NOT_FOUND");
}

TEST_F(ApiTest, MissingAndBadTokensAre401) {
  Request r;
  r.method = "GET";
  r.path = "/tenants";
  EXPECT_EQ(code_of(api_.handle(r)), "UNAUTHORIZED");
  EXPECT_EQ(code_of(call("GET", "/tenants", {}, {{"Authorization", "Bearer abc.def.ghi"}})),
            "TOKEN_INVALID");
}

TEST_F(ApiTest, CreateThenGetAtBothRoots) {
  const Response created = call(
      "POST", "/tenants",
      R"({"organizationName":"  Acme Ltd ","contactEmail":"Owner@Example.com","environment":"dev"})");
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_NE(created.header("Location"), nullptr);
  EXPECT_EQ(*created.header("ETag"), "\"1\"");
  const auto doc = parse_json(created.body);
  EXPECT_EQ(as_view((*doc)["organizationName"]), "Acme Ltd");
  EXPECT_EQ(as_view((*doc)["contactEmail"]), "owner@example.com");
  const Response got = call("GET", *created.header("Location"));
  EXPECT_EQ(got.status, 200);
  const std::string id(as_view((*doc)["tenantId"]));
  EXPECT_EQ(call("GET", "/tenants/" + id).status, 200);
  EXPECT_EQ(code_of(call("GET", "/tenants/123")), "TENANT_NOT_FOUND");
}

TEST_F(ApiTest, EveryValidationProblemIsReportedAtOnce) {
  const Response r =
      call("POST", "/tenants",
           R"({"organizationName":"A","contactEmail":"nope","environment":"qa","x":1})");
  ASSERT_EQ(r.status, 400);
  const auto doc = parse_json(r.body);
  const auto& errors = (*doc)["error"]["details"]["errors"];
  std::vector<std::string> fields;
  for (const auto& e : errors.GetArray()) {
    fields.emplace_back(as_view(e["field"]));
  }
  EXPECT_EQ(fields,
            (std::vector<std::string>{"organizationName", "contactEmail", "environment", "x"}));
}

TEST_F(ApiTest, BodyRulesGive400And415) {
  EXPECT_EQ(code_of(call("POST", "/tenants", "{not json")), "INVALID_JSON");
  EXPECT_EQ(call("POST", "/tenants", "{}", {{"Content-Type", "text/plain"}}).status, 415);
}

TEST_F(ApiTest, IdempotencyKeyReplaysTheFirstResponse) {
  const std::string body =
      R"({"organizationName":"Acme","contactEmail":"a@b.co","environment":"dev"})";
  const Response first = call("POST", "/tenants", body, {{"Idempotency-Key", "k1"}});
  ASSERT_EQ(first.status, 201);
  const Response again = call("POST", "/tenants", body, {{"Idempotency-Key", "k1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  ASSERT_NE(again.header("Idempotent-Replayed"), nullptr);
  const Response other =
      call("POST", "/tenants",
           R"({"organizationName":"Other","contactEmail":"a@b.co","environment":"dev"})",
           {{"Idempotency-Key", "k1"}});
  EXPECT_EQ(code_of(other), "IDEMPOTENCY_KEY_REUSED");
}

// The effect's transaction is applied but its answer is lost (a 5xx): the marker committed with
// it keeps the key, and the retry answers with what the first run made instead of running again.
class LostAnswerTest : public ApiTest {
 protected:
  static constexpr std::chrono::milliseconds kStep{100};
  static constexpr std::string_view kTenantBody =
      R"({"organizationName":"Acme","contactEmail":"a@b.co","environment":"dev"})";

  // The next effect (a transaction that puts outside the control table) fails, after it is
  // applied or before; the key's records and the directory's users live in the control table.
  void lose_next_effect_answer(bool applied = true) {
    faults_.failed_write_applies = applied;
    faults_.fail_next_write = [](const std::vector<store::WriteOp>& ops) {
      for (const auto& op : ops) {
        const auto* put = std::get_if<store::Put>(&op);
        if (put != nullptr && put->table != store::Table::Control) {
          return true;
        }
      }
      return false;
    };
  }

  // POSTs `body` with an Idempotency-Key whose effect is applied but answered 503, then retries.
  Response retry_after_lost_answer(const std::string& path, const std::string& body) {
    lose_next_effect_answer();
    EXPECT_EQ(call("POST", path, body, {{"Idempotency-Key", "lost"}}).status, 503);
    Response retry = call("POST", path, body, {{"Idempotency-Key", "lost"}});
    EXPECT_NE(retry.header("Idempotent-Replayed"), nullptr);
    return retry;
  }

  std::string create_tenant() {
    const Response r = call("POST", "/tenants", std::string(kTenantBody));
    return std::string(as_view((*parse_json(r.body))["tenantId"]));
  }

  // An instance of a new tenant, provisioned by the simulated driver.
  std::string active_instance() {
    const Response r =
        call("POST", "/tenants/" + create_tenant() + "/instances", R"({"tier":"STANDARD"})");
    const std::string id(as_view((*parse_json(r.body))["instanceId"]));
    provision::SimulatedProvisioner driver(instances_, faults_, clock_, kStep, nullptr);
    for (int i = 0; i < 20 && state(id) != "ACTIVE"; ++i) {
      clock_.advance(kStep);
      EXPECT_TRUE(driver.step_due().ok());
    }
    EXPECT_EQ(state(id), "ACTIVE");
    return id;
  }

  std::string state(const std::string& instance_id) {
    return std::string(
        as_view((*parse_json(call("GET", "/instances/" + instance_id).body))["state"]));
  }

  // A Viewer's membership or invitation for `email`, POSTed to `collection` with its answer lost:
  // the retry answers 201 with it, and the collection holds that one.
  void expect_one_made_for(const std::string& email, const std::string& collection) {
    const Response retry =
        retry_after_lost_answer(collection, R"({"email":")" + email + R"(","role":"Viewer"})");
    ASSERT_EQ(retry.status, 201) << retry.body;
    EXPECT_EQ(as_view((*parse_json(retry.body))["email"]), email);
    EXPECT_EQ(count(collection), 1U);
  }

  std::size_t count(const std::string& path) {
    const auto doc = parse_json(call("GET", path).body);
    return (*doc)["items"].Size();
  }
};

TEST_F(LostAnswerTest, CreateTenantRetryGetsTheTenantTheFirstRunMade) {
  const std::string body(kTenantBody);
  const Response retry = retry_after_lost_answer("/tenants", body);
  ASSERT_EQ(retry.status, 201) << retry.body;
  const std::string id(as_view((*parse_json(retry.body))["tenantId"]));
  ASSERT_NE(retry.header("Location"), nullptr);
  EXPECT_EQ(*retry.header("Location"), "/v1.0/tenants/" + id);
  EXPECT_EQ(count("/tenants"), 1U);
  // From now on the retry's answer is the one kept.
  EXPECT_EQ(call("POST", "/tenants", body, {{"Idempotency-Key", "lost"}}).body, retry.body);
}

TEST_F(LostAnswerTest, ServerErrorOfAWriteNotAppliedReleasesTheKey) {
  const std::string body(kTenantBody);
  lose_next_effect_answer(false);
  EXPECT_EQ(call("POST", "/tenants", body, {{"Idempotency-Key", "k1"}}).status, 503);

  const Response retry = call("POST", "/tenants", body, {{"Idempotency-Key", "k1"}});
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.header("Idempotent-Replayed"), nullptr);
  EXPECT_EQ(count("/tenants"), 1U);
}

TEST_F(LostAnswerTest, AssignMemberRetryGetsTheMembershipTheFirstRunMade) {
  expect_one_made_for("new@example.com", "/tenants/" + create_tenant() + "/users");
}

TEST_F(LostAnswerTest, CreateInvitationRetryGetsTheInvitationTheFirstRunMade) {
  expect_one_made_for("guest@example.com", "/tenants/" + create_tenant() + "/invitations");
}

TEST_F(LostAnswerTest, BackupRetryDoesNotStartASecondBackup) {
  const std::string instance = "/instances/" + active_instance();
  const Response retry = retry_after_lost_answer(instance + "/backup", "{}");
  ASSERT_EQ(retry.status, 202) << retry.body;
  const std::string backup(as_view((*parse_json(retry.body))["backupId"]));
  EXPECT_EQ(call("GET", instance + "/backups/" + backup).status, 200);
  EXPECT_EQ(count(instance + "/backups"), 1U);
}

TEST_F(LostAnswerTest, SuspendTenantRetryGetsTheSuspendedTenantNotAnInvalidTransition) {
  const std::string tenant = "/tenants/" + create_tenant();
  ASSERT_EQ(call("PATCH", tenant + "/status", R"({"status":"ACTIVE"})").status, 200);
  const Response retry =
      retry_after_lost_answer(tenant + "/suspend", R"({"reason":"Unpaid invoices since March"})");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(as_view((*parse_json(retry.body))["status"]), "SUSPENDED");
}

TEST_F(LostAnswerTest, CreateInstanceRetryGetsTheOperationTheFirstRunStarted) {
  const std::string instances = "/tenants/" + create_tenant() + "/instances";
  const Response retry = retry_after_lost_answer(instances, R"({"tier":"STANDARD"})");
  ASSERT_EQ(retry.status, 202) << retry.body;
  const auto doc = parse_json(retry.body);
  EXPECT_EQ(as_view((*doc)["type"]), "PROVISION");
  const std::string operation(as_view((*doc)["operationId"]));
  EXPECT_EQ(call("GET", "/operations/" + operation).status, 200);
  EXPECT_EQ(count(instances), 1U);
}

TEST_F(ApiTest, PaginationTokensAreBoundToTheirFilters) {
  for (int i = 0; i < 3; ++i) {
    clock_.advance(std::chrono::milliseconds(1));
    ASSERT_EQ(call("POST", "/tenants",
                   R"({"organizationName":"Org )" + std::to_string(i) +
                       R"(","contactEmail":"a@b.co","environment":"dev"})")
                  .status,
              201);
  }
  const Response page = call("GET", "/tenants?limit=2");
  ASSERT_EQ(page.status, 200);
  const auto doc = parse_json(page.body);
  ASSERT_TRUE((*doc)["nextToken"].IsString());
  const std::string next(as_view((*doc)["nextToken"]));
  EXPECT_EQ(call("GET", "/tenants?limit=2&nextToken=" + next).status, 200);
  EXPECT_EQ(code_of(call("GET", "/tenants?status=ACTIVE&nextToken=" + next)),
            "INVALID_PAGINATION_TOKEN");
  EXPECT_EQ(code_of(call("GET", "/tenants?limit=101")), "VALIDATION_ERROR");
}

}  // namespace
}  // namespace tenantd::api
