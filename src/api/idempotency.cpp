#include "api/idempotency.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace tenantd::api {

namespace {

constexpr std::chrono::hours kRetention{24};
// A claim whose request never finished (crash) is released after this.
constexpr std::chrono::seconds kClaimTimeout{60};
// The record's versions: a claim is released only while it is still a claim (not APPLIED).
constexpr std::int64_t kClaimVersion = 1;
constexpr std::int64_t kAppliedVersion = 2;

store::Key record_key(std::string_view principal, std::string_view key) {
  std::string pk = "IDEMPOTENCY#";
  pk += principal;
  pk += '#';
  pk += key;
  return {std::move(pk), "IDEMPOTENCY"};
}

// The key's record (claim, APPLIED marker or kept answer), read as absent once `expires` passes.
store::Item record_item(const store::Key& k, TimePoint expires, std::string data) {
  store::Item item;
  item.pk = k.pk;
  item.sk = k.sk;
  item.ttl = epoch_seconds(expires);
  item.data = std::move(data);
  return item;
}

// Headers worth replaying with the body.
constexpr std::string_view kKeptHeaders[] = {"Location", "ETag"};

}  // namespace

Idempotency::Idempotency(store::ItemStore& store, const Clock& clock)
    : store_(store), clock_(clock) {}

bool Idempotency::valid_key(std::string_view key) {
  if (key.empty() || key.size() > 255) {
    return false;
  }
  for (const char c : key) {
    if (c < 0x20 || c > 0x7E) {
      return false;
    }
  }
  return true;
}

std::string Idempotency::fingerprint(const Request& request) {
  std::string material = request.method;
  material += ' ';
  material += request.path;
  material += '\n';
  material += request.body;
  return sha256_hex(material);
}

Result<Idempotency::Claim> Idempotency::begin(std::string_view principal, std::string_view key,
                                              const std::string& fingerprint) {
  const store::Key k = record_key(principal, key);
  const TimePoint now = clock_.now();
  JsonWriter claim;
  claim.begin_object()
      .field("fingerprint", fingerprint)
      .field("state", "IN_PROGRESS")
      .field("version", kClaimVersion)
      .end_object();
  const auto claimed = store_.write(
      {store::Put{store::Table::Control, record_item(k, now + kClaimTimeout, claim.str()),
                  store::Condition::not_exists()}});
  if (claimed.ok()) {
    return Claim{};
  }
  if (!claimed.condition_failed()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store is not available");
  }
  auto existing = store_.get(store::Table::Control, k);
  if (!existing) {
    return std::move(existing).error();
  }
  if (!existing->has_value()) {
    // Expired between the claim and the read: treat as still running, the
    // caller may retry.
    return Error::make(ErrorCode::OperationInProgress,
                       "A request with this Idempotency-Key is still being processed");
  }
  const auto doc = parse_json((*existing)->data);
  if (!doc || !doc->IsObject() || !doc->HasMember("fingerprint") || !doc->HasMember("state")) {
    return Error::make(ErrorCode::InternalError, "stored idempotency record is unreadable");
  }
  if (as_view((*doc)["fingerprint"]) != fingerprint) {
    return Error::make(ErrorCode::IdempotencyKeyReused,
                       "This Idempotency-Key was used with a different request");
  }
  const std::string_view state = as_view((*doc)["state"]);
  if (state == "APPLIED" && doc->HasMember("resource")) {
    return Claim{std::nullopt, std::string(as_view((*doc)["resource"]))};
  }
  if (state != "DONE") {
    return Error::make(ErrorCode::OperationInProgress,
                       "A request with this Idempotency-Key is still being processed");
  }
  Response replay;
  replay.status = (*doc)["status"].GetInt();
  replay.body = std::string(as_view((*doc)["body"]));
  if (const auto headers = doc->FindMember("headers"); headers != doc->MemberEnd()) {
    for (const auto& h : headers->value.GetObject()) {
      replay.headers.push_back({std::string(as_view(h.name)), std::string(as_view(h.value))});
    }
  }
  replay.set_header("Idempotent-Replayed", "true");
  return Claim{std::move(replay), std::nullopt};
}

store::Item Idempotency::applied_marker(std::string_view principal, std::string_view key,
                                        const std::string& fingerprint,
                                        std::string_view resource_id) const {
  const store::Key k = record_key(principal, key);
  JsonWriter marker;
  marker.begin_object()
      .field("fingerprint", fingerprint)
      .field("state", "APPLIED")
      .field("resource", resource_id)
      .field("version", kAppliedVersion)
      .end_object();
  return record_item(k, clock_.now() + kRetention, marker.str());
}

void Idempotency::finish(std::string_view principal, std::string_view key,
                         const std::string& fingerprint, const Response& response) {
  const store::Key k = record_key(principal, key);
  if (response.status >= 500) {
    (void)store_.write(
        {store::Delete{store::Table::Control, k, store::Condition::version_is(kClaimVersion)}});
    return;
  }
  JsonWriter out;
  out.begin_object()
      .field("fingerprint", fingerprint)
      .field("state", "DONE")
      .field("status", response.status)
      .field("body", response.body)
      .key("headers")
      .begin_object();
  for (const auto& h : response.headers) {
    for (const auto kept : kKeptHeaders) {
      if (iequals(h.name, kept) || iequals(h.name, "Content-Type")) {
        out.field(h.name, h.value);
        break;
      }
    }
  }
  out.end_object().end_object();
  // Best effort: if this fails the key is released when the claim expires.
  (void)store_.write(
      {store::Put{store::Table::Control, record_item(k, clock_.now() + kRetention, out.str()),
                  store::Condition::none()}});
}

}  // namespace tenantd::api
