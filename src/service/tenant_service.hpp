#pragma once
// Tenant use cases (docs/tenants.md): each is one atomic store transaction that writes the
// tenant, its audit entry and its outbox event together.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "domain/tenant.hpp"
#include "records/change_log.hpp"
#include "service/context.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

// Already validated and normalised by the API's request decoding.
struct CreateTenantInput {
  std::string organization_name;
  std::string contact_email;
  domain::Environment environment = domain::Environment::Dev;
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;
  domain::Metadata metadata;
};

// A field that an update may set, clear (null) or leave alone (absent).
template <class T>
struct Patch {
  bool present = false;
  std::optional<T> value;  // nullopt with present == true clears the field
};

struct UpdateTenantInput {
  std::optional<std::string> organization_name;
  std::optional<std::string> contact_email;
  Patch<std::string> division;
  Patch<std::string> group;
  Patch<std::string> team;
  // key -> new value, or nullopt to remove the key
  std::vector<std::pair<std::string, std::optional<domain::MetadataValue>>> metadata;
};

enum class TenantSort { CreatedAt, OrganizationName };

struct TenantFilter {
  std::optional<domain::TenantStatus> status;
  std::optional<domain::Environment> environment;
  std::optional<std::string> name_prefix;  // case-insensitive
  // The original API's organizationName search: any word of the name starts with the term
  // (case-insensitive), rather than the whole name (name_prefix).
  std::optional<std::string> name_word_prefix;
  TenantSort sort = TenantSort::CreatedAt;
  bool ascending = false;  // newest first / Z..A unless asked otherwise
};

// Another part of the product that changes in the same transaction as a tenant (the hierarchy
// seeded on create, instances suspended by park, ...): returns the extra writes, or an error that
// refuses the change. `before` is null on create.
using TenantChangeHook = std::function<Result<std::vector<store::WriteOp>>(
    const Context& ctx, const domain::Tenant* before, const domain::Tenant& after)>;

struct TenantEvents {
  std::function<void()> committed;                // wakes the outbox dispatcher; may be empty
  std::function<void(std::string_view)> counted;  // business metric by event type; may be empty
  std::vector<TenantChangeHook> hooks;
};

class TenantService {
 public:
  TenantService(store::ItemStore& store, Ids& ids, ChangeLogOptions options, TenantEvents events);

  Result<domain::Tenant> create(const Context& ctx, const CreateTenantInput& input);
  Result<domain::Tenant> get(const Context& ctx, std::string_view tenant_id);
  Result<Page<domain::Tenant>> list(const Context& ctx, const TenantFilter& filter,
                                    const PageRequest& page);
  Result<domain::Tenant> update(const Context& ctx, std::string_view tenant_id,
                                const UpdateTenantInput& input);
  // park / unpark / suspend / resume / activate / fail / retry.
  Result<domain::Tenant> apply(const Context& ctx, std::string_view tenant_id,
                               domain::TenantAction action, std::optional<std::string> reason);
  // PATCH /tenants/{id}/status: the action is derived from (current, target).
  Result<domain::Tenant> set_status(const Context& ctx, std::string_view tenant_id,
                                    domain::TenantStatus target, std::optional<std::string> reason);
  Result<domain::Tenant> deprovision(const Context& ctx, std::string_view tenant_id, bool force);
  Result<Page<std::string>> audit(const Context& ctx, std::string_view tenant_id,
                                  const PageRequest& page);

 private:
  Result<domain::Tenant> apply_once(const Context& ctx, std::string_view tenant_id,
                                    domain::TenantAction action, std::optional<std::string> reason);
  Result<domain::Tenant> commit(const Context& ctx, const domain::Tenant& before,
                                domain::Tenant after, std::vector<store::WriteOp> extra_ops,
                                records::Change change);
  Result<std::vector<store::WriteOp>> run_hooks(const Context& ctx, const domain::Tenant* before,
                                                const domain::Tenant& after);
  // Turns one index item into its tenant; nullopt skips the item.
  using TenantLoader =
      std::function<Result<std::optional<domain::Tenant>>(const store::Item& index_item)>;
  // One page of `filter`'s tenants read through `q`, examining a bounded number of index items.
  Result<Page<domain::Tenant>> list_own_by_name(const Context& ctx, const TenantFilter& filter,
                                                const PageRequest& page);
  Result<Page<domain::Tenant>> collect_page(store::Query q, const TenantFilter& filter,
                                            const PageRequest& page, const TenantLoader& load);

  store::ItemStore& store_;
  Ids& ids_;
  ChangeLogOptions options_;
  TenantEvents events_;
};

}  // namespace tenantd::service
