#include "app/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tenantd {
namespace {

const char* const kVariables[] = {
    "HOST",
    "PORT",
    "DATA_DIR",
    "ENVIRONMENT",
    "STORE",
    "AUTH_MODE",
    "JWT_SECRET",
    "DIRECTORY",
    "EVENT_SINKS",
    "PROVISIONER",
    "THREADS",
    "WRITE_THREADS",
    "OUTBOX_MAX_ATTEMPTS",
    "INVITATION_TTL",
    "MAX_INSTANCES_PER_TENANT",
    "RATE_LIMIT_RPS",
    "RATE_LIMIT_BURST",
    "LOG_LEVEL",
    "AUDIT_RETENTION",
    "SERVICE_SECRET",
    "SERVICE_SECRET_ARN",
    "MAX_CONNECTIONS",
    "MAX_CONNECTIONS_PER_CLIENT",
};
// The event sinks' targets and the outbox backoff.
const char* const kSinkVariables[] = {"EVENT_BUS_NAME", "SNS_TOPIC_ARN", "WEBHOOK_URL",
                                      "WEBHOOK_SECRET", "OUTBOX_BASE_BACKOFF_MS"};

// STORE=postgres.
const char* const kPostgresVariables[] = {"DATABASE_URL", "DATABASE_POOL_SIZE",
                                          "OUTBOX_CLAIM_LEASE"};

std::vector<const char*> all_variables() {
  std::vector<const char*> names(std::begin(kVariables), std::end(kVariables));
  names.insert(names.end(), std::begin(kSinkVariables), std::end(kSinkVariables));
  names.insert(names.end(), std::begin(kPostgresVariables), std::end(kPostgresVariables));
  return names;
}

// Clears every setting variable for the test and restores the caller's environment afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : all_variables()) {
      if (const char* v = std::getenv(name)) {
        saved_[name] = v;
      }
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : all_variables()) {
      ::unsetenv(name);
    }
    for (const auto& [name, value] : saved_) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  static void set_env(const char* name, const char* value) { ::setenv(name, value, 1); }

  static std::vector<std::string> fields_of(const Error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.errors) {
      out.push_back(f.field);
    }
    return out;
  }

 private:
  std::map<std::string, std::string> saved_;
};

TEST_F(ConfigTest, DefaultsWhenNothingIsSet) {
  const auto c = load_config({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->data_dir, "./var");
  EXPECT_EQ(c->environment, "dev");
  EXPECT_EQ(c->store, "sqlite");
  EXPECT_EQ(c->auth_mode, "local");
  EXPECT_EQ(c->event_sinks, std::vector<std::string>{"file"});
  EXPECT_EQ(c->invitation_ttl, std::chrono::hours(24 * 7));
  EXPECT_EQ(c->outbox_max_attempts, 10);
  EXPECT_EQ(c->write_threads, 16);
}

TEST_F(ConfigTest, EventLoopsAreTheThreadsSettingOrOnePerCore) {
  Config config;
  config.threads = 3;
  EXPECT_EQ(config.event_loops(), 3);
  config.threads = 0;
  const unsigned cores = std::thread::hardware_concurrency();
  EXPECT_EQ(config.event_loops(), cores == 0 ? 1 : static_cast<int>(cores));
}

TEST_F(ConfigTest, PostgresStoreNeedsADatabaseUrlAndTakesItsSettings) {
  set_env("STORE", "postgres");
  const auto missing = load_config({});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(fields_of(missing.error()), std::vector<std::string>{"DATABASE_URL"});

  set_env("DATABASE_URL", "postgresql://tenantd@db.example.com/tenantd?sslmode=verify-full");
  set_env("DATABASE_POOL_SIZE", "12");
  set_env("OUTBOX_CLAIM_LEASE", "2m");
  const auto c = load_config({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store, "postgres");
  EXPECT_EQ(c->database_url, "postgresql://tenantd@db.example.com/tenantd?sslmode=verify-full");
  EXPECT_EQ(c->database_pool_size, 12);
  EXPECT_EQ(c->outbox_claim_lease, std::chrono::minutes(2));

  set_env("DATABASE_POOL_SIZE", "0");
  const auto bad = load_config({});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(fields_of(bad.error()), std::vector<std::string>{"DATABASE_POOL_SIZE"});
}

TEST_F(ConfigTest, TheLambdaStartsFromTheAwsDefaultsOfSpecSectionOne) {
  set_env("SERVICE_SECRET", "shared-service-secret-0123456789abcdef");
  set_env("SNS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-dev");
  const auto c = load_config({}, Profile::Lambda);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->lambda);
  EXPECT_EQ(c->store, "dynamodb");
  EXPECT_EQ(c->auth_mode, "cognito");
  EXPECT_EQ(c->directory, "cognito");
  EXPECT_EQ(c->event_sinks, (std::vector<std::string>{"eventbridge", "sns"}));
  EXPECT_EQ(c->provisioner, "events");
  EXPECT_EQ(c->data_dir, "/tmp/tenantd");
  EXPECT_EQ(c->service_secret, "shared-service-secret-0123456789abcdef");
  EXPECT_EQ(c->host, "127.0.0.1");  // settings without a Lambda default keep serve's
}

TEST_F(ConfigTest, VariablesAndFlagsOverrideTheLambdaDefaults) {
  set_env("SERVICE_SECRET", "shared-service-secret-0123456789abcdef");
  set_env("EVENT_SINKS", "file");
  set_env("STORE", "sqlite");
  const auto c = load_config({"--auth-mode=apigw"}, Profile::Lambda);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->store, "sqlite");
  EXPECT_EQ(c->auth_mode, "apigw");
  EXPECT_EQ(c->directory, "cognito");
}

TEST_F(ConfigTest, ALambdaWithoutASharedSecretIsRefused) {
  // Each instance would otherwise make its own key: page tokens and sealed outbox events of one
  // would be unreadable to the next.
  set_env("SNS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-dev");
  const auto c = load_config({}, Profile::Lambda);
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.error().errors.size(), 1U);
  EXPECT_EQ(c.error().errors[0].field, "SERVICE_SECRET");
  EXPECT_EQ(c.error().errors[0].code, "REQUIRED");
  set_env("JWT_SECRET", "also-shared-0123456789abcdef0123456");
  EXPECT_TRUE(load_config({}, Profile::Lambda).ok());
  EXPECT_TRUE(load_config({}).ok());  // serve keeps its key file
}

TEST_F(ConfigTest, EnvironmentVariablesAreRead) {
  set_env("HOST", "0.0.0.0");
  set_env("PORT", "9000");
  set_env("DATA_DIR", "/tmp/x");
  set_env("ENVIRONMENT", "prod");
  set_env("STORE", "dynamodb");
  set_env("AUTH_MODE", "cognito");
  set_env("JWT_SECRET", "jwt-secret-of-the-test-0123456789abcdef");
  set_env("DIRECTORY", "cognito");
  set_env("EVENT_SINKS", "eventbridge, sns");
  set_env("SNS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-prod");
  set_env("PROVISIONER", "gitops+ecs");
  set_env("THREADS", "4");
  set_env("WRITE_THREADS", "0");
  set_env("OUTBOX_MAX_ATTEMPTS", "3");
  set_env("INVITATION_TTL", "48h");
  set_env("MAX_INSTANCES_PER_TENANT", "2");
  set_env("RATE_LIMIT_RPS", "12.5");
  set_env("RATE_LIMIT_BURST", "25");
  set_env("LOG_LEVEL", "debug");
  set_env("AUDIT_RETENTION", "30d");
  const auto c = load_config({});
  ASSERT_TRUE(c.ok()) << c.error().errors.size();
  EXPECT_EQ(c->host, "0.0.0.0");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->data_dir, "/tmp/x");
  EXPECT_EQ(c->environment, "prod");
  EXPECT_EQ(c->store, "dynamodb");
  EXPECT_EQ(c->auth_mode, "cognito");
  EXPECT_EQ(c->jwt_secret, "jwt-secret-of-the-test-0123456789abcdef");
  EXPECT_EQ(c->directory, "cognito");
  EXPECT_EQ(c->event_sinks, (std::vector<std::string>{"eventbridge", "sns"}));
  EXPECT_EQ(c->provisioner, "gitops+ecs");
  EXPECT_EQ(c->threads, 4);
  EXPECT_EQ(c->write_threads, 0);  // writes on the event loops
  EXPECT_EQ(c->outbox_max_attempts, 3);
  EXPECT_EQ(c->invitation_ttl, std::chrono::hours(48));
  EXPECT_EQ(c->max_instances_per_tenant, 2);
  EXPECT_DOUBLE_EQ(c->rate_limit_rps, 12.5);
  EXPECT_DOUBLE_EQ(c->rate_limit_burst, 25);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->audit_retention, std::chrono::hours(24 * 30));
}

TEST_F(ConfigTest, FlagsOverrideEnvironmentInBothSpellings) {
  set_env("PORT", "9000");
  set_env("DATA_DIR", "/from/env");
  set_env("LOG_LEVEL", "warn");
  const auto c = load_config({"--port", "0", "--data-dir=/from/flag", "--invitation-ttl", "90s"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->data_dir, "/from/flag");
  EXPECT_EQ(c->log_level, "warn");  // not overridden: the environment still applies
  EXPECT_EQ(c->invitation_ttl, std::chrono::seconds(90));
}

TEST_F(ConfigTest, LastFlagWins) {
  const auto c = load_config({"--port=1", "--port=2"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 2);
}

TEST_F(ConfigTest, BadEnvironmentValueOverriddenByAFlagIsNotAnError) {
  set_env("PORT", "not-a-port");
  const auto c = load_config({"--port", "81"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 81);
}

TEST_F(ConfigTest, EmptyEnvironmentVariableCountsAsUnset) {
  set_env("PORT", "");
  const auto c = load_config({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 8080);
}

TEST_F(ConfigTest, EveryProblemIsReportedAtOnceNamingTheFlagOrVariable) {
  set_env("ENVIRONMENT", "staging");
  set_env("INVITATION_TTL", "soon");
  const auto c =
      load_config({"--port", "65536", "--bogus", "1", "--store=mongo", "stray", "--auth-mode=basic",
                   "--event-sinks", "file,kafka", "--threads=-1", "--outbox-max-attempts=0",
                   "--max-instances-per-tenant=x", "--rate-limit-rps=0", "--rate-limit-burst=abc",
                   "--log-level=trace", "--audit-retention=0d", "--directory=ldap",
                   "--provisioner=k8s", "--host="});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::ValidationError);
  const std::vector<std::string> expected = {
      "stray",
      "--bogus",
      "--host",
      "--port",
      "ENVIRONMENT",
      "--store",
      "--auth-mode",
      "--directory",
      "--event-sinks",
      "--provisioner",
      "--threads",
      "--outbox-max-attempts",
      "INVITATION_TTL",
      "--max-instances-per-tenant",
      "--rate-limit-rps",
      "--rate-limit-burst",
      "--log-level",
      "--audit-retention",
  };
  auto fields = fields_of(c.error());
  std::sort(fields.begin(), fields.end());
  auto want = expected;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(fields, want);
}

TEST_F(ConfigTest, PortBoundsAreInclusive) {
  EXPECT_TRUE(load_config({"--port=0"}).ok());
  EXPECT_TRUE(load_config({"--port=65535"}).ok());
  EXPECT_FALSE(load_config({"--port=-1"}).ok());
  EXPECT_FALSE(load_config({"--port=8080x"}).ok());
}

TEST_F(ConfigTest, FlagWithoutValueIsReported) {
  const auto c = load_config({"--data-dir"});
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.error().errors.size(), 1u);
  EXPECT_EQ(c.error().errors[0].field, "--data-dir");
  EXPECT_EQ(c.error().errors[0].code, "MISSING_VALUE");
}

TEST_F(ConfigTest, DurationsAcceptEveryUnit) {
  EXPECT_EQ(load_config({"--invitation-ttl=15m"})->invitation_ttl, std::chrono::minutes(15));
  EXPECT_EQ(load_config({"--invitation-ttl=2d"})->invitation_ttl, std::chrono::hours(48));
  EXPECT_EQ(load_config({"--audit-retention=3600"})->audit_retention, std::chrono::hours(1));
}

TEST_F(ConfigTest, EventSinksAreTrimmedAndDeduplicated) {
  const auto c = load_config({"--event-sinks= file ,webhook,file,", "--webhook-url",
                              "http://127.0.0.1:9/hook", "--webhook-secret", "s"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->event_sinks, (std::vector<std::string>{"file", "webhook"}));
}

TEST_F(ConfigTest, AChosenSinkWithoutItsSettingIsReportedByName) {
  set_env("EVENT_SINKS", "sns,webhook");
  set_env("WEBHOOK_URL", "https://hooks.example.com/tenantd");
  const auto c = load_config({});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::ValidationError);
  EXPECT_EQ(fields_of(c.error()), (std::vector<std::string>{"SNS_TOPIC_ARN", "WEBHOOK_SECRET"}));
  EXPECT_EQ(c.error().errors.at(0).code, "REQUIRED");

  set_env("SNS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-dev");
  set_env("WEBHOOK_SECRET", "s3cret");
  const auto ok = load_config({});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->sns_topic_arn, "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-dev");
  EXPECT_EQ(ok->webhook_url, "https://hooks.example.com/tenantd");
  EXPECT_EQ(ok->webhook_secret, "s3cret");
  EXPECT_TRUE(ok->event_bus_name.empty()) << "empty means tenant-events-{ENVIRONMENT}";
}

TEST_F(ConfigTest, SinkTargetsAndBackoffAreChecked) {
  const auto bad = load_config({"--sns-topic-arn", "tenant-notifications-dev", "--webhook-url",
                                "ftp://example.com", "--outbox-base-backoff-ms", "0"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(fields_of(bad.error()), (std::vector<std::string>{"--sns-topic-arn", "--webhook-url",
                                                              "--outbox-base-backoff-ms"}));
  const auto good =
      load_config({"--event-bus-name", "custom-bus", "--outbox-base-backoff-ms", "50"});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->event_bus_name, "custom-bus");
  EXPECT_EQ(good->outbox_base_backoff_ms, 50);
}

TEST_F(ConfigTest, SimulatedFailTakesOnlyOperationTypes) {
  const auto good = load_config({"--simulated-fail", "SCALE,DEPROVISION"});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->simulated_fail, (std::vector<std::string>{"SCALE", "DEPROVISION"}));
  const auto bad = load_config({"--simulated-fail", "SCALE,EXPLODE"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(fields_of(bad.error()), (std::vector<std::string>{"--simulated-fail"}));
  EXPECT_TRUE(load_config({})->simulated_fail.empty());
}

TEST_F(ConfigTest, HelpListsEveryVariableAndFlag) {
  const std::string help = config_help();
  for (const char* name : all_variables()) {
    EXPECT_NE(help.find(std::string("env ") + name + ","), std::string::npos) << name;
  }
  for (const char* flag : {"--host",
                           "--port",
                           "--data-dir",
                           "--environment",
                           "--store",
                           "--auth-mode",
                           "--jwt-secret",
                           "--directory",
                           "--event-sinks",
                           "--provisioner",
                           "--threads",
                           "--outbox-max-attempts",
                           "--invitation-ttl",
                           "--max-instances-per-tenant",
                           "--rate-limit-rps",
                           "--rate-limit-burst",
                           "--log-level",
                           "--audit-retention",
                           "--event-bus-name",
                           "--sns-topic-arn",
                           "--webhook-url",
                           "--webhook-secret",
                           "--outbox-base-backoff-ms"}) {
    EXPECT_NE(help.find(std::string(flag) + " "), std::string::npos) << flag;
    // Every documented flag is also accepted.
    EXPECT_NE(load_config({std::string(flag)}).error().errors.at(0).code, "UNKNOWN_FLAG") << flag;
  }
  EXPECT_NE(help.find("default 8080"), std::string::npos);
}

TEST_F(ConfigTest, SecretsShorterThan32BytesAreRefusedNamingTheSetting) {
  set_env("JWT_SECRET", "a");
  set_env("SERVICE_SECRET", std::string(31, 's').c_str());
  auto c = load_config({});
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.error().errors.size(), 2U);
  EXPECT_EQ(c.error().errors[0].field, "JWT_SECRET");
  EXPECT_NE(c.error().errors[0].message.find("at least 32 bytes"), std::string::npos);
  EXPECT_EQ(c.error().errors[1].field, "SERVICE_SECRET");
  set_env("JWT_SECRET", std::string(32, 'j').c_str());
  set_env("SERVICE_SECRET", std::string(32, 's').c_str());
  EXPECT_TRUE(load_config({}).ok());
}

TEST_F(ConfigTest, ConnectionCapsAreSettings) {
  set_env("MAX_CONNECTIONS", "500");
  set_env("MAX_CONNECTIONS_PER_CLIENT", "20");
  auto c = load_config({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_connections, 500);
  EXPECT_EQ(c->max_connections_per_client, 20);
}

}  // namespace
}  // namespace tenantd
