// DynamoDB-only behaviour of the store, against the moto server of the test run: what the
// conformance suite cannot say because it only sees the port.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "aws/aws_json_client.hpp"
#include "core/json.hpp"
#include "moto/moto_endpoint.hpp"
#include "store/dynamodb/dynamodb_store.hpp"

namespace tenantd::store::dynamodb {
namespace {

class DynamoDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    environment_ = "unit" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
    const std::string endpoint = testing_support::moto_endpoint();
    ASSERT_FALSE(endpoint.empty());
    env_ = testing_support::moto_environment(endpoint);
    auto opened = DynamoDbStore::open(env_, environment_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    const Status migrated = store_->migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  }

  // A raw DynamoDB call, as an operator's AWS CLI would make it.
  aws::AwsResponse raw(std::string_view operation, const std::string& body) {
    auto endpoint = aws::resolve_endpoint(env_, "DYNAMODB", "dynamodb");
    aws::AwsJsonClient client(
        *endpoint, "DynamoDB_20120810", "1.0",
        std::make_shared<aws::StaticCredentials>(aws::Credentials{"a", "b", ""}),
        aws::ClientSettings{});
    auto response = client.call(operation, body);
    EXPECT_TRUE(response.ok());
    return response.ok() ? *response : aws::AwsResponse{};
  }

  static Item item(std::string pk, std::string sk, std::string data) {
    Item out;
    out.pk = std::move(pk);
    out.sk = std::move(sk);
    out.data = std::move(data);
    return out;
  }

  ManualClock clock_{TimePoint(std::chrono::seconds(1769337000))};
  std::string environment_;
  aws::EnvLookup env_;
  std::unique_ptr<DynamoDbStore> store_;
};

TEST_F(DynamoDbStoreTest, DataFieldsAreTopLevelAttributesOfTheStoredItem) {
  Item tenant = item("TENANT#t1", "METADATA",
                     R"({"tenantId":"t1","version":4,"metadata":{"plan":"gold"},"tags":["a"]})");
  tenant.indexes[0] = IndexKey{"TENANTS", "0001#t1"};
  tenant.ttl = 1769337000 + 60;
  ASSERT_TRUE(store_->write({Put{Table::Tenants, tenant, Condition::none()}}).ok());
  const auto response =
      raw("GetItem", R"({"TableName":")" + store_->physical_name(Table::Tenants) +
                         R"(","Key":{"PK":{"S":"TENANT#t1"},"SK":{"S":"METADATA"}}})");
  auto doc = parse_json(response.body);
  ASSERT_TRUE(doc.has_value()) << response.body;
  const JsonValue& stored = (*doc)["Item"];
  EXPECT_EQ(to_json(stored["tenantId"]), R"({"S":"t1"})");
  EXPECT_EQ(to_json(stored["version"]), R"({"N":"4"})");
  EXPECT_EQ(to_json(stored["metadata"]), R"({"M":{"plan":{"S":"gold"}}})");
  EXPECT_EQ(to_json(stored["tags"]), R"({"L":[{"S":"a"}]})");
  EXPECT_EQ(to_json(stored["GSI1PK"]), R"({"S":"TENANTS"})");
  EXPECT_EQ(to_json(stored["GSI1SK"]), R"({"S":"0001#t1"})");
  EXPECT_EQ(to_json(stored["ttl"]), R"({"N":"1769337060"})");
  EXPECT_FALSE(stored.HasMember("data")) << "no JSON blob";
}

TEST_F(DynamoDbStoreTest, DataUsingAKeyAttributeNameIsRefusedAndNothingIsWritten) {
  for (const char* data : {R"({"PK":"x"})", R"({"ttl":1})", R"({"GSI3ORDER":"x"})"}) {
    const WriteResult r =
        store_->write({Put{Table::Tenants, item("P", "S", data), Condition::none()},
                       Put{Table::Tenants, item("P", "T", "{}"), Condition::none()}});
    EXPECT_EQ(r.status, WriteResult::Status::Failed) << data;
    EXPECT_NE(r.message.find("key attribute name"), std::string::npos) << r.message;
  }
  EXPECT_FALSE(store_->get(Table::Tenants, {"P", "T"})->has_value());
  EXPECT_TRUE(store_
                  ->write({Put{Table::Tenants, item("P", "S", R"({"GSI8PK":"fine","pk":1})"),
                               Condition::none()}})
                  .ok())
      << "only the real key attribute names are reserved";
}

TEST_F(DynamoDbStoreTest, IndexOrderHoldsForKeysWithControlBytes) {
  const std::string a("A\x00z", 3);
  const std::string b("A\x01", 2);
  const std::string c("A", 1);
  for (const auto& [pk, isk] : {std::pair{std::string("P1"), a}, std::pair{std::string("P2"), b},
                                std::pair{std::string("P3"), c}}) {
    Item it = item(pk, "S", "{}");
    it.indexes[2] = IndexKey{"G", isk};
    ASSERT_TRUE(store_->write({Put{Table::Tenants, it, Condition::none()}}).ok());
  }
  Query q;
  q.index = 3;
  q.pk = "G";
  auto all = store_->query(q);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0].pk, "P3");  // "A" < "A\0z" < "A\1"
  EXPECT_EQ((*all)[1].pk, "P1");
  EXPECT_EQ((*all)[2].pk, "P2");
  q.sk = SortCondition::begins_with(std::string("A\x00", 2));
  auto prefixed = store_->query(q);
  ASSERT_TRUE(prefixed.ok());
  ASSERT_EQ(prefixed->size(), 1U);
  EXPECT_EQ((*prefixed)[0].pk, "P1");
}

TEST_F(DynamoDbStoreTest, ItemsWrittenByOtherToolsReadBack) {
  const auto response =
      raw("PutItem", R"({"TableName":")" + store_->physical_name(Table::Control) +
                         R"(","Item":{"PK":{"S":"OPS#1"},"SK":{"S":"NOTE"},"who":{"SS":["a","b"]},)"
                         R"("n":{"NS":["1.5"]},"blob":{"B":"AAE="}}})");
  ASSERT_TRUE(response.ok()) << response.body;
  auto got = store_->get(Table::Control, {"OPS#1", "NOTE"});
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  auto data = parse_json((*got)->data);
  ASSERT_TRUE(data.has_value());
  EXPECT_TRUE(*data == *parse_json(R"({"who":["a","b"],"n":[1.5],"blob":"AAE="})")) << (*got)->data;
}

TEST_F(DynamoDbStoreTest, MissingTablesAreAClearErrorNotAnEmptyRead) {
  auto other = DynamoDbStore::open(env_, environment_ + "missing", clock_);
  ASSERT_TRUE(other.ok());
  auto got = (*other)->get(Table::Tenants, {"P", "S"});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message.find("ResourceNotFoundException"), std::string::npos)
      << got.error().message;
  EXPECT_FALSE((*other)->ping().ok());
}

}  // namespace
}  // namespace tenantd::store::dynamodb
