#pragma once
// The item store port on DynamoDB's JSON API (docs/storage.md). The item mapping, the GSI order
// keys, the TTL handling and the consistency of each call are described in docs/storage.md
// ("DynamoDB layout").
#include <memory>
#include <string>

#include "aws/aws_json_client.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "store/item_store.hpp"

namespace tenantd::store::dynamodb {

inline constexpr std::size_t kMaxWriteOps = 100;
inline constexpr std::size_t kMaxGetMany = 100;
// Expiring items are spread over this many partitions of the TTL index (purge reads them all).
inline constexpr int kTtlShards = 8;

class DynamoDbStore final : public ItemStore {
 public:
  // Tables are "bbws-<table>-<environment>".
  DynamoDbStore(std::shared_ptr<aws::AwsJsonClient> client, std::string environment,
                const Clock& clock);

  // Region, endpoint, credentials, CA bundle and retries from the AWS environment variables.
  static Result<std::unique_ptr<DynamoDbStore>> open(const aws::EnvLookup& env,
                                                     std::string environment, const Clock& clock);

  Result<std::optional<Item>> get(Table table, const Key& key) override;
  Result<std::vector<std::optional<Item>>> get_many(Table table,
                                                    const std::vector<Key>& keys) override;
  Result<std::vector<Item>> query(const Query& query) override;
  WriteResult write(std::vector<WriteOp> ops) override;
  Result<std::size_t> purge_expired(Table table, std::size_t max_items) override;
  Status migrate() override;
  Status ping() override;

  std::string physical_name(Table table) const;

 private:
  Result<JsonDoc> call(std::string_view operation, const std::string& body);
  // Every DynamoDB request goes through here, counted (core/round_trips.hpp).
  Result<aws::AwsResponse> send(std::string_view operation, std::string_view body);
  Result<std::vector<Item>> run_query(const std::string& table, int index,
                                      const std::string& key_condition, const std::string& names,
                                      const std::string& values, bool forward, int limit,
                                      std::string start_key);
  Status create_table(Table table);
  WriteResult write_single(const WriteOp& op);
  WriteResult write_transaction(const std::vector<WriteOp>& ops);
  std::int64_t now_seconds() const;

  std::shared_ptr<aws::AwsJsonClient> client_;
  std::string environment_;
  const Clock& clock_;
};

}  // namespace tenantd::store::dynamodb
