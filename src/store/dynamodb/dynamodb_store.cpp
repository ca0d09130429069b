#include "store/dynamodb/dynamodb_store.hpp"

#include <chrono>
#include <thread>
#include <unordered_set>

#include "core/crypto.hpp"
#include "core/round_trips.hpp"
#include "store/dynamodb/attribute_value.hpp"
#include "store/dynamodb/item_codec.hpp"
#include "store/dynamodb/order_key.hpp"

namespace tenantd::store::dynamodb {

namespace {

constexpr int kTransactionConflictRetries = 5;

bool is_live(const Item& item, std::int64_t now) {
  return !item.ttl || *item.ttl > now;
}

// ConditionExpression with its names and values. Expired items count as absent, as in SQLite:
// the ttl clause makes an expired item fail Exists / VersionIs and pass NotExists.
void write_condition(JsonWriter& out, const Condition& condition, std::int64_t now) {
  const std::string now_text = std::to_string(now);
  switch (condition.kind) {
    case Condition::Kind::None:
      return;
    case Condition::Kind::NotExists:
      out.field("ConditionExpression", "attribute_not_exists(#pk) OR #ttl <= :now");
      out.key("ExpressionAttributeNames")
          .begin_object()
          .field("#pk", "PK")
          .field("#ttl", "ttl")
          .end_object();
      break;
    case Condition::Kind::Exists:
      out.field("ConditionExpression",
                "attribute_exists(#pk) AND (attribute_not_exists(#ttl) OR #ttl > :now)");
      out.key("ExpressionAttributeNames")
          .begin_object()
          .field("#pk", "PK")
          .field("#ttl", "ttl")
          .end_object();
      break;
    case Condition::Kind::VersionIs:
      out.field("ConditionExpression",
                "#version = :version AND (attribute_not_exists(#ttl) OR #ttl > :now)");
      out.key("ExpressionAttributeNames")
          .begin_object()
          .field("#version", "version")
          .field("#ttl", "ttl")
          .end_object();
      break;
  }
  out.key("ExpressionAttributeValues").begin_object();
  write_number_value(out, ":now", now);
  if (condition.kind == Condition::Kind::VersionIs) {
    write_number_value(out, ":version", condition.version);
  }
  out.end_object();
}

const Key& key_of(const WriteOp& op, Key& scratch) {
  if (const auto* put = std::get_if<Put>(&op)) {
    scratch = put->item.key();
    return scratch;
  }
  if (const auto* del = std::get_if<Delete>(&op)) {
    return del->key;
  }
  return std::get<Check>(op).key;
}

Table table_of(const WriteOp& op) {
  return std::visit([](const auto& o) { return o.table; }, op);
}

const Condition& condition_of(const WriteOp& op) {
  return std::visit([](const auto& o) -> const Condition& { return o.condition; }, op);
}

WriteResult failed(std::string message) {
  return WriteResult{WriteResult::Status::Failed, 0, std::move(message)};
}

// The rules the SQLite backend checks too, so that code passing on one runs on the other; plus
// DynamoDB's own: data is an object and does not reuse a key attribute name.
WriteResult validate(const std::vector<WriteOp>& ops, std::vector<JsonDoc>& data) {
  if (ops.size() > kMaxWriteOps) {
    return failed("a write has at most " + std::to_string(kMaxWriteOps) + " ops");
  }
  std::unordered_set<std::string> seen;
  data.resize(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    Key scratch;
    const Key& key = key_of(ops[i], scratch);
    if (key.pk.empty() || key.sk.empty()) {
      return failed("op " + std::to_string(i) + " has an empty key");
    }
    std::string identity = std::to_string(static_cast<int>(table_of(ops[i])));
    identity.append(1, '\0').append(key.pk).append(1, '\0').append(key.sk);
    if (!seen.insert(std::move(identity)).second) {
      return failed("op " + std::to_string(i) + " touches an item an earlier op touches");
    }
    const auto* put = std::get_if<Put>(&ops[i]);
    if (put == nullptr) {
      continue;
    }
    for (const auto& ik : put->item.indexes) {
      if (ik && (ik->pk.empty() || ik->sk.empty())) {
        return failed("op " + std::to_string(i) + " has an empty index key");
      }
    }
    auto doc = parse_json(put->item.data);
    if (!doc || !doc->IsObject()) {
      return failed("op " + std::to_string(i) + ": item data is not a JSON object");
    }
    const JsonValue& object = *doc;
    for (const auto& m : object.GetObject()) {
      if (is_reserved_attribute(as_view(m.name))) {
        return failed("op " + std::to_string(i) + ": data attribute " +
                      std::string(as_view(m.name)) + " is a key attribute name");
      }
    }
    data[i] = std::move(*doc);
  }
  return {};
}

std::string attribute_definitions_and_keys() {
  JsonWriter out;
  out.begin_array();
  auto definition = [&out](const std::string& name, const char* type) {
    out.begin_object().field("AttributeName", name).field("AttributeType", type).end_object();
  };
  definition("PK", "S");
  definition("SK", "S");
  for (int i = 1; i <= kIndexCount; ++i) {
    definition(index_pk(i), "S");
    definition(index_order(i), "S");
  }
  definition(kTtlShardAttribute, "S");
  definition("ttl", "N");
  out.end_array();
  return out.str();
}

void write_key_schema(JsonWriter& out, const std::string& hash, const std::string& range) {
  out.key("KeySchema")
      .begin_array()
      .begin_object()
      .field("AttributeName", hash)
      .field("KeyType", "HASH")
      .end_object()
      .begin_object()
      .field("AttributeName", range)
      .field("KeyType", "RANGE")
      .end_object()
      .end_array();
}

}  // namespace

DynamoDbStore::DynamoDbStore(std::shared_ptr<aws::AwsJsonClient> client, std::string environment,
                             const Clock& clock)
    : client_(std::move(client)), environment_(std::move(environment)), clock_(clock) {}

Result<std::unique_ptr<DynamoDbStore>> DynamoDbStore::open(const aws::EnvLookup& env,
                                                           std::string environment,
                                                           const Clock& clock) {
  TENANTD_TRY_ASSIGN(auto client, aws::open_json_client(
                                      env, {"DYNAMODB", "dynamodb", "DynamoDB_20120810", "1.0"}));
  return std::make_unique<DynamoDbStore>(std::shared_ptr<aws::AwsJsonClient>(std::move(client)),
                                         std::move(environment), clock);
}

std::string DynamoDbStore::physical_name(Table table) const {
  return table_name(table, environment_);
}

std::int64_t DynamoDbStore::now_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
}

Result<aws::AwsResponse> DynamoDbStore::send(std::string_view operation, std::string_view body) {
  round_trips::count();
  return client_->call(operation, body);
}

Result<JsonDoc> DynamoDbStore::call(std::string_view operation, const std::string& body) {
  TENANTD_TRY_ASSIGN(auto response, send(operation, body));
  if (!response.ok()) {
    return aws::aws_error("DynamoDB " + std::string(operation), response)
        .with("awsErrorType", response.error_type);
  }
  auto doc = parse_json(response.body);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::ServiceUnavailable, "DynamoDB " + std::string(operation) +
                                                          " answered with a body that is not "
                                                          "a JSON object");
  }
  return std::move(*doc);
}

Result<std::optional<Item>> DynamoDbStore::get(Table table, const Key& key) {
  if (key.pk.empty() || key.sk.empty()) {
    return std::optional<Item>();
  }
  JsonWriter body;
  body.begin_object().field("TableName", physical_name(table)).key("Key");
  write_key(body, key);
  body.field("ConsistentRead", true).end_object();
  TENANTD_TRY_ASSIGN(auto doc, call("GetItem", body.str()));
  if (!doc.HasMember("Item")) {
    return std::optional<Item>();
  }
  auto item = parse_item(doc["Item"]);
  if (!item || !is_live(*item, now_seconds())) {
    return std::optional<Item>();
  }
  return item;
}

// TransactGetItems rather than BatchGetItem: its reads form one serializable snapshot, which
// get_many promises (a tenant and the caller's membership read together).
Result<std::vector<std::optional<Item>>> DynamoDbStore::get_many(Table table,
                                                                 const std::vector<Key>& keys) {
  std::vector<std::optional<Item>> out(keys.size());
  if (keys.size() > kMaxGetMany) {
    return Error::make(ErrorCode::InternalError,
                       "get_many reads at most " + std::to_string(kMaxGetMany) + " keys");
  }
  // A transaction may name an item once: read each distinct key once and fan the answers out.
  std::vector<std::size_t> first_of(keys.size());
  std::vector<std::size_t> distinct;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    first_of[i] = i;
    for (const std::size_t d : distinct) {
      if (keys[d].pk == keys[i].pk && keys[d].sk == keys[i].sk) {
        first_of[i] = d;
        break;
      }
    }
    if (first_of[i] == i && !keys[i].pk.empty() && !keys[i].sk.empty()) {
      distinct.push_back(i);
    }
  }
  if (distinct.empty()) {
    return out;
  }
  const std::string name = physical_name(table);
  JsonWriter body;
  body.begin_object().key("TransactItems").begin_array();
  for (const std::size_t d : distinct) {
    body.begin_object().key("Get").begin_object().field("TableName", name).key("Key");
    write_key(body, keys[d]);
    body.end_object().end_object();
  }
  body.end_array().end_object();
  TENANTD_TRY_ASSIGN(auto doc, call("TransactGetItems", body.str()));
  if (!doc.HasMember("Responses") || !doc["Responses"].IsArray() ||
      doc["Responses"].Size() != distinct.size()) {
    return Error::make(ErrorCode::ServiceUnavailable,
                       "DynamoDB TransactGetItems answered without one response per key");
  }
  const std::int64_t now = now_seconds();
  const auto& responses = doc["Responses"];
  for (std::size_t r = 0; r < distinct.size(); ++r) {
    const JsonValue& response = responses[static_cast<rapidjson::SizeType>(r)];
    if (response.IsObject() && response.HasMember("Item")) {
      auto item = parse_item(response["Item"]);
      if (item && is_live(*item, now)) {
        out[distinct[r]] = std::move(item);
      }
    }
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (first_of[i] != i) {
      out[i] = out[first_of[i]];
    }
  }
  return out;
}

Result<std::vector<Item>> DynamoDbStore::run_query(const std::string& table, int index,
                                                   const std::string& key_condition,
                                                   const std::string& names,
                                                   const std::string& values, bool forward,
                                                   int limit, std::string start_key) {
  std::vector<Item> out;
  const std::int64_t now = now_seconds();
  // DynamoDB applies Limit before dropping expired items (here) and stops at 1 MB, so a page may
  // take several round trips; each asks only for what is still missing.
  while (static_cast<int>(out.size()) < limit) {
    JsonWriter body;
    body.begin_object().field("TableName", table);
    if (index > 0) {
      body.field("IndexName", index_name(index));
    } else {
      body.field("ConsistentRead", true);
    }
    body.field("KeyConditionExpression", key_condition)
        .key("ExpressionAttributeNames")
        .raw(names)
        .key("ExpressionAttributeValues")
        .raw(values)
        .field("ScanIndexForward", forward)
        .field("Limit", limit - static_cast<int>(out.size()));
    if (!start_key.empty()) {
      body.key("ExclusiveStartKey").raw(start_key);
    }
    body.end_object();
    TENANTD_TRY_ASSIGN(auto doc, call("Query", body.str()));
    if (doc.HasMember("Items") && doc["Items"].IsArray()) {
      for (const auto& attributes : doc["Items"].GetArray()) {
        auto item = parse_item(attributes);
        if (item && is_live(*item, now)) {
          out.push_back(std::move(*item));
        }
      }
    }
    if (!doc.HasMember("LastEvaluatedKey") || !doc["LastEvaluatedKey"].IsObject()) {
      break;
    }
    start_key = to_json(doc["LastEvaluatedKey"]);
  }
  return out;
}

namespace {

// The sort condition of a query on the physical sort attribute: SK, or GSI<n>ORDER for an index.
struct SortRange {
  std::optional<std::string> prefix;
  std::optional<std::string> low;
  std::optional<std::string> high;
  bool empty = false;  // no sort key can meet the condition
};

SortRange sort_range(const Query& q) {
  const bool on_index = q.index > 0;
  auto low_of = [&](const std::string& v) { return on_index ? escape_order(v) : v; };
  auto high_of = [&](const std::string& v) { return on_index ? order_upper_bound(v) : v; };
  SortRange r;
  switch (q.sk.kind) {
    case SortCondition::Kind::Any:
      break;
    case SortCondition::Kind::BeginsWith:
      if (!q.sk.low.empty()) {
        r.prefix = low_of(q.sk.low);
      }
      break;
    case SortCondition::Kind::Between:
      if (q.sk.low > q.sk.high || q.sk.high.empty()) {
        r.empty = true;
        break;
      }
      if (!q.sk.low.empty()) {
        r.low = low_of(q.sk.low);
      }
      r.high = high_of(q.sk.high);
      break;
    case SortCondition::Kind::AtLeast:
      if (!q.sk.low.empty()) {
        r.low = low_of(q.sk.low);
      }
      break;
    case SortCondition::Kind::AtMost:
      if (q.sk.high.empty()) {
        r.empty = true;
        break;
      }
      r.high = high_of(q.sk.high);
      break;
  }
  return r;
}

// Where a query resumes after its cursor. A cursor outside the range either ends the query
// (`past_end`) or is not needed: DynamoDB only gets an ExclusiveStartKey that lies inside the key
// condition.
struct Resume {
  bool past_end = false;
  std::string start_key;  // empty: from the start of the range
};

Resume resume_after(const Query& q, const SortRange& r) {
  Resume out;
  if (!q.start_after) {
    return out;
  }
  const bool on_index = q.index > 0;
  const Cursor& c = *q.start_after;
  const std::string at = on_index ? order_key(c.index_sk, c.pk, c.sk) : c.sk;
  bool use = true;
  if (r.prefix) {
    const bool inside = at.compare(0, r.prefix->size(), *r.prefix) == 0;
    out.past_end = q.forward ? (!inside && at > *r.prefix) : at <= *r.prefix;
    use = inside;
  } else if (q.forward) {
    out.past_end = r.high && at >= *r.high;
    use = !(r.low && at < *r.low);
  } else {
    out.past_end = r.low && at <= *r.low;
    use = !(r.high && at > *r.high);
  }
  if (use && !out.past_end) {
    JsonWriter key;
    key.begin_object();
    write_string_value(key, "PK", c.pk);
    write_string_value(key, "SK", c.sk);
    if (on_index) {
      write_string_value(key, index_pk(q.index), q.pk);
      write_string_value(key, index_order(q.index), at);
    }
    key.end_object();
    out.start_key = key.str();
  }
  return out;
}

// KeyConditionExpression with its ExpressionAttributeNames and ExpressionAttributeValues.
struct KeyCondition {
  std::string expression;
  std::string names;
  std::string values;
};

KeyCondition key_condition(const Query& q, const SortRange& r) {
  const bool on_index = q.index > 0;
  KeyCondition out{"#h = :h", {}, {}};
  JsonWriter values;
  values.begin_object();
  write_string_value(values, ":h", q.pk);
  if (r.prefix) {
    out.expression += " AND begins_with(#s, :p)";
    write_string_value(values, ":p", *r.prefix);
  } else if (r.low && r.high) {
    out.expression += " AND #s BETWEEN :lo AND :hi";
    write_string_value(values, ":lo", *r.low);
    write_string_value(values, ":hi", *r.high);
  } else if (r.low) {
    out.expression += " AND #s >= :lo";
    write_string_value(values, ":lo", *r.low);
  } else if (r.high) {
    out.expression += " AND #s <= :hi";
    write_string_value(values, ":hi", *r.high);
  }
  values.end_object();
  out.values = values.str();
  JsonWriter names;
  names.begin_object().field("#h", on_index ? index_pk(q.index) : std::string("PK"));
  if (out.expression != "#h = :h") {  // #s unused: DynamoDB rejects unused names
    names.field("#s", on_index ? index_order(q.index) : std::string("SK"));
  }
  names.end_object();
  out.names = names.str();
  return out;
}

}  // namespace

Result<std::vector<Item>> DynamoDbStore::query(const Query& q) {
  if (q.index < 0 || q.index > kIndexCount) {
    return Error::make(ErrorCode::InternalError, "no index " + std::to_string(q.index));
  }
  if (q.limit <= 0 || q.pk.empty()) {
    return std::vector<Item>{};
  }
  const SortRange range = sort_range(q);
  if (range.empty) {
    return std::vector<Item>{};
  }
  Resume resume = resume_after(q, range);
  if (resume.past_end) {
    return std::vector<Item>{};
  }
  const KeyCondition condition = key_condition(q, range);
  return run_query(physical_name(q.table), q.index, condition.expression, condition.names,
                   condition.values, q.forward, q.limit, std::move(resume.start_key));
}

WriteResult DynamoDbStore::write(std::vector<WriteOp> ops) {
  std::vector<JsonDoc> data;
  WriteResult invalid = validate(ops, data);
  if (!invalid.ok()) {
    return invalid;
  }
  if (ops.empty()) {
    return {};
  }
  if (ops.size() == 1 && !std::holds_alternative<Check>(ops[0])) {
    return write_single(ops[0]);
  }
  return write_transaction(ops);
}

WriteResult DynamoDbStore::write_single(const WriteOp& op) {
  const std::int64_t now = now_seconds();
  JsonWriter body;
  body.begin_object().field("TableName", physical_name(table_of(op)));
  std::string_view operation;
  if (const auto* put = std::get_if<Put>(&op)) {
    operation = "PutItem";
    auto doc = parse_json(put->item.data);  // validated as an object already
    body.key("Item");
    write_item(body, put->item, *doc);
  } else {
    operation = "DeleteItem";
    body.key("Key");
    write_key(body, std::get<Delete>(op).key);
  }
  write_condition(body, condition_of(op), now);
  body.end_object();
  auto response = send(operation, body.str());
  if (!response) {
    return failed(response.error().message);
  }
  if (response->ok()) {
    return {};
  }
  if (response->error_type == "ConditionalCheckFailedException") {
    return WriteResult{WriteResult::Status::ConditionFailed, 0, {}};
  }
  return failed("DynamoDB " + std::string(operation) + ": " + response->failure());
}

WriteResult DynamoDbStore::write_transaction(const std::vector<WriteOp>& ops) {
  // Checks without a condition always pass: they are left out, so `sent` maps positions in
  // the request back to op indexes.
  std::vector<std::size_t> sent;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!(std::holds_alternative<Check>(ops[i]) &&
          condition_of(ops[i]).kind == Condition::Kind::None)) {
      sent.push_back(i);
    }
  }
  if (sent.empty()) {
    return {};
  }
  for (int attempt = 0;; ++attempt) {
    const std::int64_t now = now_seconds();
    JsonWriter body;
    body.begin_object().key("TransactItems").begin_array();
    for (const std::size_t i : sent) {
      const WriteOp& op = ops[i];
      body.begin_object();
      if (const auto* put = std::get_if<Put>(&op)) {
        auto doc = parse_json(put->item.data);
        body.key("Put").begin_object().field("TableName", physical_name(put->table)).key("Item");
        write_item(body, put->item, *doc);
      } else {
        Key scratch;
        body.key(std::holds_alternative<Delete>(op) ? "Delete" : "ConditionCheck")
            .begin_object()
            .field("TableName", physical_name(table_of(op)))
            .key("Key");
        write_key(body, key_of(op, scratch));
      }
      write_condition(body, condition_of(op), now);
      body.end_object().end_object();
    }
    // The token makes the SDK-level retries of this call idempotent for ten minutes; a new
    // attempt after a conflict is a new transaction and gets a new token.
    body.end_array().field("ClientRequestToken", hex(random_bytes(16))).end_object();

    auto response = send("TransactWriteItems", body.str());
    if (!response) {
      return failed(response.error().message);
    }
    if (response->ok()) {
      return {};
    }
    if (response->error_type != "TransactionCanceledException") {
      return failed("DynamoDB TransactWriteItems: " + response->failure());
    }
    auto doc = parse_json(response->body);
    bool conflict = false;
    if (doc && doc->IsObject() && doc->HasMember("CancellationReasons") &&
        (*doc)["CancellationReasons"].IsArray()) {
      const auto& reasons = (*doc)["CancellationReasons"];
      for (rapidjson::SizeType r = 0; r < reasons.Size() && r < sent.size(); ++r) {
        if (!reasons[r].IsObject() || !reasons[r].HasMember("Code") ||
            !reasons[r]["Code"].IsString()) {
          continue;
        }
        const std::string_view code = as_view(reasons[r]["Code"]);
        if (code == "ConditionalCheckFailed") {
          return WriteResult{WriteResult::Status::ConditionFailed, sent[r], {}};
        }
        conflict = conflict || code == "TransactionConflict";
      }
    }
    if (!conflict || attempt >= kTransactionConflictRetries) {
      return failed("DynamoDB TransactWriteItems cancelled: " + response->error_message);
    }
    // Another transaction held one of the items; nothing was written, so trying again is safe.
    std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));
  }
}

Result<std::size_t> DynamoDbStore::purge_expired(Table table, std::size_t max_items) {
  const std::string name = physical_name(table);
  const std::int64_t now = now_seconds();
  std::size_t purged = 0;
  for (int shard = 0; shard < kTtlShards && purged < max_items; ++shard) {
    JsonWriter names;
    names.begin_object().field("#s", kTtlShardAttribute).field("#ttl", "ttl").end_object();
    JsonWriter values;
    values.begin_object();
    write_string_value(values, ":s", std::to_string(shard));
    write_number_value(values, ":now", now);
    values.end_object();
    std::string start_key;
    while (purged < max_items) {
      JsonWriter body;
      body.begin_object()
          .field("TableName", name)
          .field("IndexName", kTtlIndex)
          .field("KeyConditionExpression", "#s = :s AND #ttl <= :now")
          .key("ExpressionAttributeNames")
          .raw(names.view())
          .key("ExpressionAttributeValues")
          .raw(values.view())
          .field("Limit", static_cast<std::int64_t>(max_items - purged));
      if (!start_key.empty()) {
        body.key("ExclusiveStartKey").raw(start_key);
      }
      body.end_object();
      TENANTD_TRY_ASSIGN(auto doc, call("Query", body.str()));
      if (doc.HasMember("Items") && doc["Items"].IsArray()) {
        for (const auto& attributes : doc["Items"].GetArray()) {
          auto item = parse_item(attributes);
          if (!item || purged >= max_items) {
            continue;
          }
          // Conditional: an item put again since (with a later ttl or none) stays.
          JsonWriter del;
          del.begin_object().field("TableName", name).key("Key");
          write_key(del, item->key());
          del.field("ConditionExpression", "#ttl <= :now")
              .key("ExpressionAttributeNames")
              .begin_object()
              .field("#ttl", "ttl")
              .end_object()
              .key("ExpressionAttributeValues")
              .begin_object();
          write_number_value(del, ":now", now);
          del.end_object().end_object();
          TENANTD_TRY_ASSIGN(auto response, send("DeleteItem", del.str()));
          if (response.ok()) {
            ++purged;
          } else if (response.error_type != "ConditionalCheckFailedException") {
            return aws::aws_error("DynamoDB DeleteItem", response);
          }
        }
      }
      if (!doc.HasMember("LastEvaluatedKey") || !doc["LastEvaluatedKey"].IsObject()) {
        break;
      }
      start_key = to_json(doc["LastEvaluatedKey"]);
    }
  }
  return purged;
}

Status DynamoDbStore::create_table(Table table) {
  const std::string name = physical_name(table);
  JsonWriter body;
  body.begin_object()
      .field("TableName", name)
      .key("AttributeDefinitions")
      .raw(attribute_definitions_and_keys());
  write_key_schema(body, "PK", "SK");
  body.key("GlobalSecondaryIndexes").begin_array();
  for (int i = 1; i <= kIndexCount + 1; ++i) {
    const bool ttl_index = i > kIndexCount;
    body.begin_object().field("IndexName", ttl_index ? std::string(kTtlIndex) : index_name(i));
    write_key_schema(body, ttl_index ? std::string(kTtlShardAttribute) : index_pk(i),
                     ttl_index ? std::string("ttl") : index_order(i));
    body.key("Projection").begin_object().field("ProjectionType", "ALL").end_object();
    body.end_object();
  }
  body.end_array().field("BillingMode", "PAY_PER_REQUEST").end_object();
  TENANTD_TRY_ASSIGN(auto response, send("CreateTable", body.str()));
  if (!response.ok() && response.error_type != "ResourceInUseException") {
    return aws::aws_error("DynamoDB CreateTable " + name, response);
  }
  return {};
}

Status DynamoDbStore::migrate() {
  for (const Table table : kAllTables) {
    const std::string name = physical_name(table);
    JsonWriter describe;
    describe.begin_object().field("TableName", name).end_object();
    TENANTD_TRY_ASSIGN(auto response, send("DescribeTable", describe.str()));
    if (!response.ok()) {
      if (response.error_type != "ResourceNotFoundException") {
        return aws::aws_error("DynamoDB DescribeTable " + name, response);
      }
      auto created = create_table(table);
      if (!created) {
        return created;
      }
    }
    // Wait for ACTIVE (AWS takes seconds; moto and DynamoDB Local are immediate).
    for (int poll = 0;; ++poll) {
      TENANTD_TRY_ASSIGN(auto doc, call("DescribeTable", describe.str()));
      const JsonValue& t = doc["Table"];
      if (t.IsObject() && t.HasMember("TableStatus") && t["TableStatus"].IsString() &&
          as_view(t["TableStatus"]) == "ACTIVE") {
        break;
      }
      if (poll >= 300) {
        return Error::make(ErrorCode::ServiceUnavailable,
                           "DynamoDB table " + name + " did not become ACTIVE in 5 minutes");
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    // DynamoDB's own expiry deletes items some time after their ttl; reads filter them anyway.
    TENANTD_TRY_ASSIGN(auto ttl, call("DescribeTimeToLive", describe.str()));
    const JsonValue& d = ttl["TimeToLiveDescription"];
    const bool enabled = d.IsObject() && d.HasMember("TimeToLiveStatus") &&
                         d["TimeToLiveStatus"].IsString() &&
                         (as_view(d["TimeToLiveStatus"]) == "ENABLED" ||
                          as_view(d["TimeToLiveStatus"]) == "ENABLING");
    if (!enabled) {
      JsonWriter update;
      update.begin_object()
          .field("TableName", name)
          .key("TimeToLiveSpecification")
          .begin_object()
          .field("Enabled", true)
          .field("AttributeName", "ttl")
          .end_object()
          .end_object();
      TENANTD_TRY(call("UpdateTimeToLive", update.str()));
    }
  }
  return {};
}

Status DynamoDbStore::ping() {
  JsonWriter body;
  body.begin_object().field("TableName", physical_name(Table::Tenants)).end_object();
  TENANTD_TRY(call("DescribeTable", body.str()));
  return {};
}

}  // namespace tenantd::store::dynamodb
