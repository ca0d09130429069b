#pragma once
// The tenant entity, its state machine and its validation rules (docs/tenants.md).
// Pure: no I/O, no JSON, no HTTP.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/result.hpp"

namespace tenantd::domain {

enum class TenantStatus { Pending, Active, Suspended, Parked, Failed, Deprovisioned };
inline constexpr std::array<TenantStatus, 6> kAllTenantStatuses = {
    TenantStatus::Pending, TenantStatus::Active, TenantStatus::Suspended,
    TenantStatus::Parked,  TenantStatus::Failed, TenantStatus::Deprovisioned};

std::string_view to_string(TenantStatus status);  // "PENDING", ...
std::optional<TenantStatus> parse_tenant_status(std::string_view text);

// What asks for a transition; each has exactly the (from -> to) pairs of docs/tenants.md.
enum class TenantAction { Activate, Fail, Retry, Suspend, Resume, Park, Unpark, Deprovision };
std::string_view to_string(TenantAction action);  // "activate", "suspend", ...
inline constexpr std::array<TenantAction, 8> kAllTenantActions = {
    TenantAction::Activate, TenantAction::Fail, TenantAction::Retry,  TenantAction::Suspend,
    TenantAction::Resume,   TenantAction::Park, TenantAction::Unpark, TenantAction::Deprovision};
// Exact lower-case names only ("suspend"), as to_string writes them.
std::optional<TenantAction> parse_tenant_action(std::string_view text);

// The transition table: the target status when `action` is allowed from `from`.
std::optional<TenantStatus> tenant_transition(TenantStatus from, TenantAction action);
// Statuses reachable from `from` by any action, in table order.
std::vector<TenantStatus> allowed_tenant_targets(TenantStatus from);
// The action that moves `from` to `to` (for PATCH /status), if that pair is allowed.
std::optional<TenantAction> tenant_action_for(TenantStatus from, TenantStatus to);
// 422 INVALID_STATUS_TRANSITION with details currentStatus, requestedStatus, allowedTransitions.
Error invalid_transition(TenantStatus from, TenantStatus requested);

enum class Environment { Dev, Sit, Prod };
std::string_view to_string(Environment env);
std::optional<Environment> parse_environment(std::string_view text);
inline constexpr std::array<Environment, 3> kAllEnvironments = {Environment::Dev, Environment::Sit,
                                                                Environment::Prod};

// Metadata values are strings, numbers or booleans.
using MetadataValue = std::variant<std::string, double, std::int64_t, bool>;
using Metadata = std::map<std::string, MetadataValue>;

struct Tenant {
  std::string tenant_id;
  std::string organization_name;
  std::string contact_email;
  Environment environment = Environment::Dev;
  TenantStatus status = TenantStatus::Pending;
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;
  Metadata metadata;
  TimePoint created_at;
  std::string created_by;
  TimePoint updated_at;
  std::string updated_by;
  std::optional<TimePoint> parked_at;
  std::optional<std::string> parked_by;
  std::optional<std::string> park_reason;
  std::optional<TimePoint> suspended_at;
  std::optional<std::string> suspended_by;
  std::optional<std::string> suspend_reason;
  std::optional<TimePoint> deprovisioned_at;
  std::optional<std::string> deprovisioned_by;
  std::int64_t member_count = 0;
  std::int64_t instance_count = 0;
  std::int64_t version = 1;
};

// ---- Validation: every rule returns all problems at once as FieldErrors. ----
// Field error codes used: REQUIRED, INVALID_TYPE, INVALID_FORMAT, TOO_SHORT, TOO_LONG,
// INVALID_VALUE, UNKNOWN_FIELD, DEPENDENCY (group without division, team without group),
// TOO_MANY (metadata keys), TOO_LARGE (metadata size).

// Number of Unicode code points when `text` is valid UTF-8 (no overlongs, no surrogates),
// otherwise nullopt. Length limits in this API count code points, not bytes.
std::optional<std::size_t> utf8_length(std::string_view text);

// organizationName after trimming: 2..100 chars of letters, digits, spaces and -'.&,()
void check_organization_name(std::string_view trimmed, std::vector<FieldError>& errors);
// A valid e-mail address (local@domain.tld, max 254 chars).
void check_email(std::string_view field, std::string_view email, std::vector<FieldError>& errors);
// division/group/team: 2..50 chars after trimming.
void check_node_name(std::string_view field, std::string_view name,
                     std::vector<FieldError>& errors);
// group needs division, team needs group.
void check_placement(const std::optional<std::string>& division,
                     const std::optional<std::string>& group,
                     const std::optional<std::string>& team, std::vector<FieldError>& errors);
// Park / suspend reasons: 10..500 chars after trimming.
void check_reason(std::string_view field, std::string_view reason, std::vector<FieldError>& errors);
// Free text shown to people (reasons, an invitation's message): min..max chars after trimming,
// valid UTF-8, no control characters but line breaks and tabs.
void check_free_text(std::string_view field, std::string_view text, std::size_t min,
                     std::size_t max, std::vector<FieldError>& errors);
// At most 50 keys, keys 1..128 chars, serialised size at most 8 KiB.
void check_metadata(const Metadata& metadata, std::size_t serialised_size,
                    std::vector<FieldError>& errors);

}  // namespace tenantd::domain
