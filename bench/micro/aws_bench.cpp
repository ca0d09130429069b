// Per-request overhead of the DynamoDB backend without the network: SigV4 signing of a typical
// call and marshalling an item to and from DynamoDB JSON. With TENANTD_BENCH_DYNAMODB_ENDPOINT
// (a moto or DynamoDB Local URL) it also times the conformance-style operations on DynamoDB and
// on SQLite in the same run:
//   TENANTD_BENCH_DYNAMODB_ENDPOINT=http://127.0.0.1:PORT micro_bench --benchmark_filter=Backend
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "aws/aws_json_client.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "store/dynamodb/dynamodb_store.hpp"
#include "store/dynamodb/item_codec.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace tenantd;

const char* kTenantData =
    R"({"tenantId":"tenant-0f8fad5b-d9cb-469f-a165-70867728950e","organizationName":"Acme Ltd",)"
    R"("contactEmail":"ops@acme.example","environment":"prod","status":"ACTIVE",)"
    R"("metadata":{"plan":"gold","seats":25},"createdAt":"2026-01-25T10:30:00.000Z",)"
    R"("updatedAt":"2026-01-25T10:30:00.000Z","createdBy":"a@b.c","updatedBy":"a@b.c","version":3})";

store::Item tenant_item() {
  store::Item item;
  item.pk = "TENANT#tenant-0f8fad5b-d9cb-469f-a165-70867728950e";
  item.sk = "METADATA";
  item.indexes[0] = store::IndexKey{"TENANTS", "1769337000000#tenant-0f8fad5b"};
  item.indexes[1] = store::IndexKey{"TENANTS#STATUS#ACTIVE", "1769337000000#tenant-0f8fad5b"};
  item.data = kTenantData;
  return item;
}

void BM_SigV4_SignDynamoDbPutItem(benchmark::State& state) {
  const aws::ServiceEndpoint endpoint{"dynamodb", "af-south-1",
                                      *Url::parse("https://dynamodb.af-south-1.amazonaws.com")};
  const aws::Credentials credentials{"ASIAEXAMPLE", "secret", "session-token-of-some-length"};
  const store::Item item = tenant_item();
  auto data = parse_json(item.data);
  JsonWriter body;
  body.begin_object().field("TableName", "bbws-tenants-prod").key("Item");
  store::dynamodb::write_item(body, item, *data);
  body.end_object();
  const std::string payload = body.str();
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    auto request = aws::signed_json_request(endpoint, "application/x-amz-json-1.0",
                                            "DynamoDB_20120810.PutItem", payload, credentials, now);
    benchmark::DoNotOptimize(request);
  }
  state.SetLabel(std::to_string(payload.size()) + "-byte body");
}
BENCHMARK(BM_SigV4_SignDynamoDbPutItem);

void BM_DynamoDb_MarshalPutItem(benchmark::State& state) {
  const store::Item item = tenant_item();
  for (auto _ : state) {
    auto data = parse_json(item.data);
    JsonWriter body;
    body.begin_object().field("TableName", "bbws-tenants-prod").key("Item");
    store::dynamodb::write_item(body, item, *data);
    body.end_object();
    benchmark::DoNotOptimize(body.view().data());
  }
}
BENCHMARK(BM_DynamoDb_MarshalPutItem);

void BM_DynamoDb_UnmarshalGetItemResponse(benchmark::State& state) {
  const store::Item item = tenant_item();
  auto data = parse_json(item.data);
  JsonWriter response;
  response.begin_object().key("Item");
  store::dynamodb::write_item(response, item, *data);
  response.end_object();
  const std::string text = response.str();
  for (auto _ : state) {
    auto doc = parse_json(text);
    auto parsed = store::dynamodb::parse_item((*doc)["Item"]);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_DynamoDb_UnmarshalGetItemResponse);

// ---- the same operations on both backends (only with an endpoint) ----

struct Backends {
  SystemClock clock;
  std::string sqlite_path;
  std::unique_ptr<store::ItemStore> sqlite;
  std::unique_ptr<store::ItemStore> dynamodb;

  explicit Backends(const std::string& endpoint) {
    const std::string suffix = std::to_string(::getpid());
    sqlite_path =
        (std::filesystem::temp_directory_path() / ("tenantd-bench-aws-" + suffix + ".db")).string();
    auto opened_sqlite = store::sqlite::SqliteStore::open(sqlite_path, "bench", clock);
    if (!opened_sqlite) {
      std::abort();
    }
    sqlite = std::move(opened_sqlite.value());
    std::map<std::string, std::string> vars = {{"AWS_REGION", "us-east-1"},
                                               {"AWS_ENDPOINT_URL_DYNAMODB", endpoint},
                                               {"AWS_ACCESS_KEY_ID", "bench"},
                                               {"AWS_SECRET_ACCESS_KEY", "bench"}};
    auto env = [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto opened = store::dynamodb::DynamoDbStore::open(env, "bench" + suffix, clock);
    if (!opened || !(*opened)->migrate()) {
      std::fprintf(stderr, "cannot open DynamoDB at %s\n", endpoint.c_str());
      std::abort();
    }
    dynamodb = std::move(*opened);
    for (store::ItemStore* s : {sqlite.get(), dynamodb.get()}) {
      for (int i = 0; i < 200; ++i) {
        store::Item item = tenant_item();
        item.pk = "TENANT#t" + std::to_string(i);
        item.indexes[0] = store::IndexKey{"TENANTS", "17693370" + std::to_string(10000 + i)};
        item.indexes[1].reset();
        s->write({store::Put{store::Table::Tenants, item, store::Condition::none()}});
      }
    }
  }
  ~Backends() { std::filesystem::remove(sqlite_path); }
};

Backends& backends(const std::string& endpoint) {
  static Backends b(endpoint);
  return b;
}

void register_backend_benchmarks(const std::string& endpoint) {
  for (const char* name : {"sqlite", "dynamodb"}) {
    const bool dynamo = std::string(name) == "dynamodb";
    auto store_of = [endpoint, dynamo]() -> store::ItemStore& {
      Backends& b = backends(endpoint);
      return dynamo ? *b.dynamodb : *b.sqlite;
    };
    benchmark::RegisterBenchmark(
        (std::string("BM_Backend_Get/") + name).c_str(),
        [store_of](benchmark::State& state) {
          store::ItemStore& s = store_of();
          for (auto _ : state) {
            auto got = s.get(store::Table::Tenants, {"TENANT#t7", "METADATA"});
            benchmark::DoNotOptimize(got);
          }
        })
        ->UseRealTime();
    benchmark::RegisterBenchmark(
        (std::string("BM_Backend_VersionedPut/") + name).c_str(),
        [store_of](benchmark::State& state) {
          store::ItemStore& s = store_of();
          std::int64_t version = 0;
          store::Item item = tenant_item();
          item.pk = "TENANT#counter";
          item.data = R"({"version":0})";
          s.write({store::Put{store::Table::Tenants, item, store::Condition::none()}});
          for (auto _ : state) {
            item.data = R"({"version":)" + std::to_string(version + 1) + "}";
            auto r = s.write(
                {store::Put{store::Table::Tenants, item, store::Condition::version_is(version)}});
            version += r.ok() ? 1 : 0;
          }
        })
        ->UseRealTime();
    benchmark::RegisterBenchmark(
        (std::string("BM_Backend_TwoOpTransaction/") + name).c_str(),
        [store_of](benchmark::State& state) {
          store::ItemStore& s = store_of();
          store::Item a = tenant_item();
          store::Item b = tenant_item();
          a.pk = "TENANT#tx";
          b.pk = "TENANT#tx";
          b.sk = "EVENT#x";
          for (auto _ : state) {
            auto r = s.write({store::Put{store::Table::Tenants, a, store::Condition::none()},
                              store::Put{store::Table::Tenants, b, store::Condition::none()}});
            benchmark::DoNotOptimize(r);
          }
        })
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("BM_Backend_IndexPageOf20/") + name).c_str(),
                                 [store_of](benchmark::State& state) {
                                   store::ItemStore& s = store_of();
                                   store::Query q;
                                   q.index = 1;
                                   q.pk = "TENANTS";
                                   q.forward = false;
                                   for (auto _ : state) {
                                     auto page = s.query(q);
                                     benchmark::DoNotOptimize(page);
                                   }
                                 })
        ->UseRealTime();
  }
}

const bool registered = [] {
  if (const char* endpoint = std::getenv("TENANTD_BENCH_DYNAMODB_ENDPOINT")) {  // NOLINT
    register_backend_benchmarks(endpoint);
  }
  return true;
}();

}  // namespace
