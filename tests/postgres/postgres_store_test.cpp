// PostgreSQL-only behaviour of the item store: numbered migrations and the schema check that
// replicas run at start, reconnection after a server restart, and UTF-8 range bounds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "postgres/postgres_endpoint.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_schema.hpp"
#include "store/postgres/pg_text.hpp"
#include "store/postgres/postgres_store.hpp"

namespace tenantd {
namespace {

using store::Condition;
using store::Item;
using store::Put;
using store::Table;
using store::WriteOp;
using store::postgres::PgConnection;
using store::postgres::PostgresStore;

std::string fresh_environment() {
  static std::atomic<int> counter{0};
  return "pgt" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
}

std::unique_ptr<PostgresStore> open_store(const std::string& url, const std::string& environment,
                                          const Clock& clock) {
  auto opened = PostgresStore::open(url, environment, clock);
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

Item item(std::string pk, std::string sk) {
  Item out;
  out.pk = std::move(pk);
  out.sk = std::move(sk);
  out.data = "{}";
  return out;
}

store::WriteResult put(store::ItemStore& s, Item i) {
  std::vector<WriteOp> ops;
  ops.emplace_back(Put{Table::Tenants, std::move(i), Condition::none()});
  return s.write(std::move(ops));
}

TEST(PostgresSchema, UnmigratedDatabaseAsksForTenantdMigrate) {
  ManualClock clock{TimePoint(std::chrono::seconds(1769337000))};
  auto s = open_store(testing_support::postgres_url(), fresh_environment(), clock);
  ASSERT_NE(s, nullptr);
  const Status checked = s->check_schema();
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("run `tenantd migrate`"), std::string::npos)
      << checked.error().message;
  ASSERT_TRUE(s->migrate().ok());
  EXPECT_TRUE(s->check_schema().ok());
}

TEST(PostgresSchema, EveryMigrationIsRecordedOnceEvenWhenReplicasMigrateAtOnce) {
  ManualClock clock{TimePoint(std::chrono::seconds(1769337000))};
  const std::string environment = fresh_environment();
  const std::string url = testing_support::postgres_url();
  std::vector<std::thread> replicas;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      auto s = open_store(url, environment, clock);
      if (s == nullptr || !s->migrate().ok()) {
        ++failures;
      }
    });
  }
  for (auto& r : replicas) {
    r.join();
  }
  EXPECT_EQ(failures.load(), 0);
  auto connection = PgConnection::connect(url);
  ASSERT_TRUE(connection.ok());
  store::postgres::PgResult rows =
      (*connection)
          ->exec("SELECT count(*), count(DISTINCT version), min(version), max(version) FROM " +
                 store::postgres::quoted_identifier("bbws-migrations-" + environment));
  ASSERT_TRUE(rows.ok()) << rows.message();
  const auto known = store::postgres::known_schema_version();
  EXPECT_EQ(rows.integer(0, 0), known);
  EXPECT_EQ(rows.integer(0, 1), known);
  EXPECT_EQ(rows.integer(0, 2), 1);
  EXPECT_EQ(rows.integer(0, 3), known);
}

TEST(PostgresSchema, ReplicaRefusesASchemaNewerThanItKnows) {
  ManualClock clock{TimePoint(std::chrono::seconds(1769337000))};
  const std::string environment = fresh_environment();
  const std::string url = testing_support::postgres_url();
  auto s = open_store(url, environment, clock);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->migrate().ok());
  auto connection = PgConnection::connect(url);
  ASSERT_TRUE(connection.ok());
  const int newer = store::postgres::known_schema_version() + 1;
  ASSERT_TRUE((*connection)
                  ->exec("INSERT INTO " +
                         store::postgres::quoted_identifier("bbws-migrations-" + environment) +
                         " (version, description) VALUES (" + std::to_string(newer) +
                         ", 'from a newer release')")
                  .ok());
  const Status checked = s->check_schema();
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("newer than this tenantd knows"), std::string::npos)
      << checked.error().message;
  const Status migrated = s->migrate();
  ASSERT_FALSE(migrated.ok()) << "an older tenantd must not touch a newer schema";
  EXPECT_NE(migrated.error().message.find("upgrade tenantd"), std::string::npos);
}

TEST(PostgresRestart, RequestsWhileTheServerIsDownFailWith503AndTheStoreReconnectsAfter) {
  testing_support::PrivatePostgres server;
  ASSERT_FALSE(server.url().empty()) << "could not start a private PostgreSQL";
  ManualClock clock{TimePoint(std::chrono::seconds(1769337000))};
  auto s = open_store(server.url(), "restart", clock);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->migrate().ok());
  ASSERT_TRUE(put(*s, item("P", "before")).ok());

  ASSERT_TRUE(server.stop());
  auto read = s->get(Table::Tenants, {"P", "before"});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::ServiceUnavailable) << read.error().message;
  const store::WriteResult written = put(*s, item("P", "during"));
  EXPECT_EQ(written.status, store::WriteResult::Status::Failed);
  EXPECT_FALSE(s->ping().ok());

  ASSERT_TRUE(server.start());
  auto again = s->get(Table::Tenants, {"P", "before"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->has_value()) << "an acknowledged write survives the restart";
  EXPECT_TRUE(put(*s, item("P", "after")).ok());
  auto during = s->get(Table::Tenants, {"P", "during"});
  ASSERT_TRUE(during.ok());
  EXPECT_FALSE(during->has_value()) << "the write answered with a failure did not apply";
}

TEST(PostgresText, PrefixSuccessorIsTheNextCodePointAndStaysValidUtf8) {
  using store::postgres::utf8_prefix_successor;
  EXPECT_EQ(utf8_prefix_successor("USER#"), std::optional<std::string>("USER$"));
  EXPECT_EQ(utf8_prefix_successor("Zo\xC3\xAB"), std::optional<std::string>("Zo\xC3\xAC"));
  EXPECT_EQ(utf8_prefix_successor("a\xC2\xBF"), std::optional<std::string>("a\xC3\x80"))
      << "U+00BF -> U+00C0, not the bytewise a\\xC2\\xC0";
  EXPECT_EQ(utf8_prefix_successor("\xED\x9F\xBF"), std::optional<std::string>("\xEE\x80\x80"))
      << "U+D7FF skips the surrogates to U+E000";
  EXPECT_EQ(utf8_prefix_successor("a\xF4\x8F\xBF\xBF"), std::optional<std::string>("b"));
  EXPECT_EQ(utf8_prefix_successor("\xF4\x8F\xBF\xBF"), std::nullopt);
  EXPECT_EQ(utf8_prefix_successor(""), std::nullopt);
}

TEST(PostgresText, BeginsWithAPrefixEndingInAMultibyteCharacterFindsExactlyItsItems) {
  ManualClock clock{TimePoint(std::chrono::seconds(1769337000))};
  auto s = open_store(testing_support::postgres_url(), fresh_environment(), clock);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->migrate().ok());
  for (const char* sk : {"USER#\xC2\xBF",
                         "USER#\xC2\xBF"
                         "a",
                         "USER#\xC3\x80", "USER#\xC2\xBE"}) {
    ASSERT_TRUE(put(*s, item("P", sk)).ok());
  }
  store::Query q;
  q.pk = "P";
  q.sk = store::SortCondition::begins_with("USER#\xC2\xBF");
  auto found = s->query(q);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 2U);
  EXPECT_EQ((*found)[0].sk, "USER#\xC2\xBF");
  EXPECT_EQ((*found)[1].sk,
            "USER#\xC2\xBF"
            "a");
}

}  // namespace
}  // namespace tenantd
