#pragma once
// How a port Item is laid out as a DynamoDB item (docs/storage.md, "DynamoDB layout"): PK, SK,
// GSI<n>PK / GSI<n>SK / GSI<n>ORDER, ttl with TTLSHARD, and the data's members as top-level
// attributes.
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "store/item_store.hpp"

namespace tenantd::store::dynamodb {

inline constexpr const char* kTtlIndex = "TTL";
inline constexpr const char* kTtlShardAttribute = "TTLSHARD";

std::string index_name(int index);   // "GSI3"
std::string index_pk(int index);     // "GSI3PK"
std::string index_sk(int index);     // "GSI3SK"
std::string index_order(int index);  // "GSI3ORDER"

// Attributes that hold keys; an item's data may not use these names.
bool is_reserved_attribute(std::string_view name);

// Which partition of the TTL index an expiring item goes to.
int ttl_shard(const Item& item);

void write_string_value(JsonWriter& out, std::string_view key, std::string_view value);
void write_number_value(JsonWriter& out, std::string_view key, std::int64_t value);
void write_key(JsonWriter& out, const Key& key);
// The item as a DynamoDB attribute map; `data` is the parsed item.data (a JSON object).
void write_item(JsonWriter& out, const Item& item, const JsonValue& data);
// A DynamoDB item back into the port's Item; nullopt when it lacks string PK/SK.
std::optional<Item> parse_item(const JsonValue& attributes);

}  // namespace tenantd::store::dynamodb
