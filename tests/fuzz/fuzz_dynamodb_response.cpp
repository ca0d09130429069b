// DynamoDB responses: each store call (GetItem, BatchGetItem, Query, PutItem, a transaction,
// the TTL purge, DescribeTable) on a scripted answer (scripted_aws.hpp: first byte the call,
// second the status, the rest the body); and the body as an item for the item codec.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "fuzz/scripted_aws.hpp"
#include "store/dynamodb/attribute_value.hpp"
#include "store/dynamodb/dynamodb_store.hpp"
#include "store/dynamodb/item_codec.hpp"

namespace {

using tenantd::store::Table;

tenantd::store::Item tenant_item() {
  tenantd::store::Item item;
  item.pk = "TENANT#t1";
  item.sk = "META";
  item.data = R"({"tenantId":"t1","version":1})";
  return item;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Never destroyed: the scripted server's threads run until exit().
  static auto& aws = *new tenantd::fuzz::ScriptedAws;
  static tenantd::SystemClock clock;
  static tenantd::store::dynamodb::DynamoDbStore store(
      std::shared_ptr<tenantd::aws::AwsJsonClient>(
          aws.client("dynamodb", "DynamoDB_20120810", "1.0")),
      "dev", clock);
  const int call = aws.script(data, size);
  if (call < 0) {
    return 0;
  }
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (auto doc = tenantd::parse_json(body); doc && doc->IsObject()) {
    (void)tenantd::store::dynamodb::parse_item(*doc);
    tenantd::JsonWriter out;
    (void)tenantd::store::dynamodb::write_plain_value(out, *doc);
  }
  switch (call % 8) {
    case 0:
      (void)store.get(Table::Tenants, {"TENANT#t1", "META"});
      break;
    case 1:
      (void)store.get_many(Table::Tenants, {{"TENANT#t1", "META"}, {"TENANT#t2", "META"}});
      break;
    case 2: {
      tenantd::store::Query query;
      query.table = Table::Tenants;
      query.index = call % 3;
      query.pk = "TENANT#t1";
      query.sk = tenantd::store::SortCondition::begins_with("MEMBER#");
      query.start_after = tenantd::store::Cursor{"a", "b", "c", "d"};
      (void)store.query(query);
      break;
    }
    case 3:
      (void)store.write({tenantd::store::Put{Table::Tenants, tenant_item(),
                                             tenantd::store::Condition::not_exists()}});
      break;
    case 4:
      (void)store.write(
          {tenantd::store::Put{Table::Tenants, tenant_item(),
                               tenantd::store::Condition::version_is(1)},
           tenantd::store::Check{
               Table::Tenants, {"TENANT#t2", "META"}, tenantd::store::Condition::exists()}});
      break;
    case 5:
      (void)store.purge_expired(Table::Tenants, 10);
      break;
    case 6:
      (void)store.ping();
      break;
    default:
      (void)store.write({tenantd::store::Delete{
          Table::Tenants, {"TENANT#t1", "META"}, tenantd::store::Condition::exists()}});
      break;
  }
  return 0;
}
