#include "store/dynamodb/item_codec.hpp"

#include "store/dynamodb/attribute_value.hpp"
#include "store/dynamodb/dynamodb_store.hpp"
#include "store/dynamodb/order_key.hpp"

namespace tenantd::store::dynamodb {

namespace {

std::optional<std::string> string_attribute(const JsonValue& item, const char* name) {
  if (!item.HasMember(name)) {
    return std::nullopt;
  }
  const JsonValue& v = item[name];
  if (!v.IsObject() || !v.HasMember("S") || !v["S"].IsString()) {
    return std::nullopt;
  }
  return std::string(as_view(v["S"]));
}

}  // namespace

std::string index_name(int index) {
  return "GSI" + std::to_string(index);
}
std::string index_pk(int index) {
  return "GSI" + std::to_string(index) + "PK";
}
std::string index_sk(int index) {
  return "GSI" + std::to_string(index) + "SK";
}
std::string index_order(int index) {
  return "GSI" + std::to_string(index) + "ORDER";
}

bool is_reserved_attribute(std::string_view name) {
  if (name == "PK" || name == "SK" || name == "ttl" || name == kTtlShardAttribute) {
    return true;
  }
  if (name.size() < 6 || name.substr(0, 3) != "GSI" || name[3] < '1' ||
      name[3] > static_cast<char>('0' + kIndexCount)) {
    return false;
  }
  const std::string_view rest = name.substr(4);
  return rest == "PK" || rest == "SK" || rest == "ORDER";
}

int ttl_shard(const Item& item) {
  // FNV-1a over the key: a stable spread of expiring items over the TTL index partitions.
  std::uint32_t h = 2166136261U;
  for (const std::string* part : {&item.pk, &item.sk}) {
    for (const char c : *part) {
      h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
    }
    h = (h ^ 0xFFU) * 16777619U;
  }
  return static_cast<int>(h % kTtlShards);
}

void write_string_value(JsonWriter& out, std::string_view key, std::string_view value) {
  out.key(key).begin_object().field("S", value).end_object();
}

void write_number_value(JsonWriter& out, std::string_view key, std::int64_t value) {
  out.key(key).begin_object().field("N", std::to_string(value)).end_object();
}

void write_key(JsonWriter& out, const Key& key) {
  out.begin_object();
  write_string_value(out, "PK", key.pk);
  write_string_value(out, "SK", key.sk);
  out.end_object();
}

void write_item(JsonWriter& out, const Item& item, const JsonValue& data) {
  out.begin_object();
  write_string_value(out, "PK", item.pk);
  write_string_value(out, "SK", item.sk);
  for (int i = 1; i <= kIndexCount; ++i) {
    const auto& ik = item.indexes[static_cast<std::size_t>(i - 1)];
    if (ik) {
      write_string_value(out, index_pk(i), ik->pk);
      write_string_value(out, index_sk(i), ik->sk);
      write_string_value(out, index_order(i), order_key(ik->sk, item.pk, item.sk));
    }
  }
  if (item.ttl) {
    write_number_value(out, "ttl", *item.ttl);
    write_string_value(out, kTtlShardAttribute, std::to_string(ttl_shard(item)));
  }
  for (const auto& m : data.GetObject()) {
    out.key(as_view(m.name));
    write_attribute_value(out, m.value);
  }
  out.end_object();
}

std::optional<Item> parse_item(const JsonValue& attributes) {
  if (!attributes.IsObject()) {
    return std::nullopt;
  }
  Item item;
  auto pk = string_attribute(attributes, "PK");
  auto sk = string_attribute(attributes, "SK");
  if (!pk || !sk) {
    return std::nullopt;
  }
  item.pk = std::move(*pk);
  item.sk = std::move(*sk);
  for (int i = 1; i <= kIndexCount; ++i) {
    auto ipk = string_attribute(attributes, index_pk(i).c_str());
    auto isk = string_attribute(attributes, index_sk(i).c_str());
    if (ipk && isk) {
      item.indexes[static_cast<std::size_t>(i - 1)] = IndexKey{std::move(*ipk), std::move(*isk)};
    }
  }
  if (attributes.HasMember("ttl") && attributes["ttl"].IsObject() &&
      attributes["ttl"].HasMember("N") && attributes["ttl"]["N"].IsString()) {
    const std::string_view n = as_view(attributes["ttl"]["N"]);
    std::int64_t ttl = 0;
    bool digits = !n.empty() && n.size() <= 18;  // 18 digits cannot overflow an int64
    for (const char c : n) {
      digits = digits && c >= '0' && c <= '9';
      if (!digits) {
        break;
      }
      ttl = ttl * 10 + (c - '0');
    }
    if (digits) {
      item.ttl = ttl;
    }
  }
  JsonWriter data;
  data.begin_object();
  for (const auto& m : attributes.GetObject()) {
    if (is_reserved_attribute(as_view(m.name))) {
      continue;
    }
    data.key(as_view(m.name));
    // Each value is written apart first: a failure deep inside a list or map leaves its writer
    // half-way through, which must not end up in the item's data.
    JsonWriter value;
    if (write_plain_value(value, m.value)) {
      data.raw(value.view());
    } else {
      data.null();
    }
  }
  data.end_object();
  item.data = data.str();
  return item;
}

}  // namespace tenantd::store::dynamodb
