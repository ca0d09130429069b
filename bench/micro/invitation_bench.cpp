// Invitation use cases on a SQLite file (as `serve` runs them): creating an invitation against
// assigning a member (the reference: the same tenant reads and one transaction), and an Admin's
// list across the tenants it administers against one tenant's list (the reference: one range).
// Run e.g.: micro_bench --benchmark_filter='Invitation|MemberAssign'
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "service/invitation_service.hpp"
#include "service/local_directory.hpp"
#include "service/member_service.hpp"
#include "service/tenant_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace tenantd;           // NOLINT(google-build-using-namespace): a benchmark file
using namespace tenantd::service;  // NOLINT(google-build-using-namespace)

constexpr int kInvitationsPerTenant = 40;

Context platform(const Clock& clock) {
  return Context{Principal{"user-platform", "root@example.com", {"platform-admins"}}, "bench",
                 clock.now(), std::nullopt};
}

struct Fixture {
  SystemClock clock;
  TimeOrderedIds ids{clock};
  std::string path;
  std::unique_ptr<store::sqlite::SqliteStore> store;
  std::unique_ptr<LocalDirectory> directory;
  std::unique_ptr<TenantService> tenants;
  std::unique_ptr<MemberService> members;
  std::unique_ptr<InvitationService> invitations;
  std::atomic<int> next{0};
  std::map<int, Context> admins;  // an Admin of that many tenants, each with invitations

  Fixture() {
    path = (std::filesystem::temp_directory_path() /
            ("tenantd-invitation-bench-" + std::to_string(::getpid()) + ".db"))
               .string();
    store = store::sqlite::SqliteStore::open(path, "bench", clock).value();
    directory = std::make_unique<LocalDirectory>(*store, ids, clock);
    tenants = std::make_unique<TenantService>(*store, ids, ChangeLogOptions{}, TenantEvents{});
    members = std::make_unique<MemberService>(*store, *directory, ids, ChangeLogOptions{},
                                              MemberEvents{});
    InvitationOptions options;
    options.accept_url_template = "https://app.example.com/{invitationId}?token={token}";
    options.seal_key = DerivedKey(std::string(32, 'k'));
    invitations = std::make_unique<InvitationService>(*store, *directory, *members, ids, options,
                                                      InvitationEvents{});
  }
  ~Fixture() {
    invitations.reset();
    members.reset();
    tenants.reset();
    directory.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path + suffix);
    }
  }

  std::string email() { return "person" + std::to_string(next++) + "@example.com"; }

  std::string tenant() {
    CreateTenantInput in;
    in.organization_name = "Bench Org " + std::to_string(next++);
    in.contact_email = "owner@example.com";
    return tenants->create(platform(clock), in).value().tenant_id;
  }

  void invite(const std::string& tenant_id) {
    CreateInvitationInput in;
    in.email = email();
    (void)invitations->create(platform(clock), tenant_id, in).value();
  }

  // The Admin of `count` tenants with kInvitationsPerTenant invitations each (built once).
  const Context& admin_of(int count) {
    auto it = admins.find(count);
    if (it != admins.end()) {
      return it->second;
    }
    const std::string address = "admin-of-" + std::to_string(count) + "@example.com";
    std::string user_id;
    for (int t = 0; t < count; ++t) {
      const std::string tid = tenant();
      AssignMemberInput in;
      in.email = address;
      in.role = TenantRole::Admin;
      user_id = members->assign(platform(clock), tid, in).value().user_id;
      for (int i = 0; i < kInvitationsPerTenant; ++i) {
        invite(tid);
      }
    }
    Context ctx{Principal{user_id, address, {}}, "bench", clock.now(), std::nullopt};
    return admins.emplace(count, ctx).first->second;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_MemberAssign(benchmark::State& state) {
  auto& f = fixture();
  const std::string tid = f.tenant();
  for (auto _ : state) {
    AssignMemberInput in;
    in.email = f.email();
    benchmark::DoNotOptimize(f.members->assign(platform(f.clock), tid, in));
  }
}
BENCHMARK(BM_MemberAssign);

void BM_InvitationCreate(benchmark::State& state) {
  auto& f = fixture();
  const std::string tid = f.tenant();
  for (auto _ : state) {
    CreateInvitationInput in;
    in.email = f.email();
    benchmark::DoNotOptimize(f.invitations->create(platform(f.clock), tid, in));
  }
}
BENCHMARK(BM_InvitationCreate);

// One page of 20 for an Admin of N tenants (N = 1 is the single-range reference).
void BM_InvitationListAdminOf(benchmark::State& state) {
  auto& f = fixture();
  const Context& admin = f.admin_of(static_cast<int>(state.range(0)));
  PageRequest page;
  page.limit = 20;
  for (auto _ : state) {
    auto listed = f.invitations->list(admin, InvitationFilter{}, page);
    if (!listed || listed->items.size() != 20) {
      state.SkipWithError("the page is not full");
      break;
    }
    benchmark::DoNotOptimize(listed);
  }
}
BENCHMARK(BM_InvitationListAdminOf)->Arg(1)->Arg(10)->Arg(50);

}  // namespace
