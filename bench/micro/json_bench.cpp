// JSON library comparison on a typical tenant document (docs/decisions/0002-json-library.md).
//
// Every parse benchmark does the same work the service does with a body: text -> a plain struct
// with every field read (simdjson's On Demand API is lazy, so "parse" alone would measure nothing).
// Serialise benchmarks go struct -> compact text (what a handler does) and DOM -> text.
// Each benchmark checks its last result against the expected struct and fails loudly on a mismatch,
// so a fast-but-wrong variant cannot win.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/json.hpp"

namespace {

// A GET /tenants/{id} response: every tenant field, metadata of mixed types, links. ~700 bytes.
constexpr std::string_view kTenantJson =
    R"({"tenantId":"tenant-3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d",)"
    R"("organizationName":"Acme Widgets (Europe) Ltd.","contactEmail":"ops@acme-widgets.example",)"
    R"("environment":"prod","status":"ACTIVE","division":"Retail","group":"Online Stores",)"
    R"("team":"Checkout","metadata":{"costCentre":"CC-1042","plan":"business","seats":25,)"
    R"("trial":false,"region":"eu-west-1","discount":0.125,"owner":"Jane O'Neil"},)"
    R"("createdAt":"2026-01-25T10:30:00.000Z","createdBy":"admin@example.com",)"
    R"("updatedAt":"2026-02-01T08:15:42.123Z","updatedBy":"platform-ops@example.com",)"
    R"("version":3,"memberCount":4,"instanceCount":1,"_links":{)"
    R"("self":{"href":"/v1.0/tenants/tenant-3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d"},)"
    R"("park":{"href":"/v1.0/tenants/tenant-3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d/park"},)"
    R"("suspend":{"href":"/v1.0/tenants/tenant-3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d/suspend"}}})";

using MetaValue = std::variant<std::string, std::int64_t, double, bool>;

struct TenantWire {
  std::string tenant_id;
  std::string organization_name;
  std::string contact_email;
  std::string environment;
  std::string status;
  std::string division;
  std::string group;
  std::string team;
  std::string created_at;
  std::string created_by;
  std::string updated_at;
  std::string updated_by;
  std::int64_t version = 0;
  std::int64_t member_count = 0;
  std::int64_t instance_count = 0;
  std::vector<std::pair<std::string, MetaValue>> metadata;
  std::vector<std::pair<std::string, std::string>> links;

  bool operator==(const TenantWire&) const = default;
};

// Field tables shared by every library so each does exactly the same mapping work.
std::string* string_field(TenantWire& t, std::string_view key) {
  if (key == "tenantId") {
    return &t.tenant_id;
  }
  if (key == "organizationName") {
    return &t.organization_name;
  }
  if (key == "contactEmail") {
    return &t.contact_email;
  }
  if (key == "environment") {
    return &t.environment;
  }
  if (key == "status") {
    return &t.status;
  }
  if (key == "division") {
    return &t.division;
  }
  if (key == "group") {
    return &t.group;
  }
  if (key == "team") {
    return &t.team;
  }
  if (key == "createdAt") {
    return &t.created_at;
  }
  if (key == "createdBy") {
    return &t.created_by;
  }
  if (key == "updatedAt") {
    return &t.updated_at;
  }
  if (key == "updatedBy") {
    return &t.updated_by;
  }
  return nullptr;
}

std::int64_t* int_field(TenantWire& t, std::string_view key) {
  if (key == "version") {
    return &t.version;
  }
  if (key == "memberCount") {
    return &t.member_count;
  }
  if (key == "instanceCount") {
    return &t.instance_count;
  }
  return nullptr;
}

// ---------------------------------------------------------------- rapidjson

std::string_view view_of(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

std::optional<TenantWire> from_rapidjson(const rapidjson::Value& root) {
  if (!root.IsObject()) {
    return std::nullopt;
  }
  TenantWire t;
  for (const auto& member : root.GetObject()) {
    const std::string_view key = view_of(member.name);
    const auto& value = member.value;
    if (value.IsString()) {
      if (auto* field = string_field(t, key)) {
        field->assign(value.GetString(), value.GetStringLength());
      }
    } else if (value.IsInt64()) {
      if (auto* field = int_field(t, key)) {
        *field = value.GetInt64();
      }
    } else if (key == "metadata" && value.IsObject()) {
      for (const auto& entry : value.GetObject()) {
        const auto& v = entry.value;
        MetaValue meta;
        if (v.IsString()) {
          meta = std::string(view_of(v));
        } else if (v.IsInt64()) {
          meta = v.GetInt64();
        } else if (v.IsNumber()) {
          meta = v.GetDouble();
        } else if (v.IsBool()) {
          meta = v.GetBool();
        } else {
          return std::nullopt;
        }
        t.metadata.emplace_back(std::string(view_of(entry.name)), std::move(meta));
      }
    } else if (key == "_links" && value.IsObject()) {
      for (const auto& link : value.GetObject()) {
        const auto href = link.value.FindMember("href");
        if (href == link.value.MemberEnd() || !href->value.IsString()) {
          return std::nullopt;
        }
        t.links.emplace_back(std::string(view_of(link.name)), std::string(view_of(href->value)));
      }
    }
  }
  return t;
}

std::optional<TenantWire> parse_rapidjson(std::string_view text) {
  const auto doc = tenantd::parse_json(text);
  if (!doc) {
    return std::nullopt;
  }
  return from_rapidjson(*doc);
}

// What a handler does: the streaming writer straight from the struct (tenantd::JsonWriter).
std::string write_rapidjson(const TenantWire& t) {
  tenantd::JsonWriter w;
  w.begin_object()
      .field("tenantId", t.tenant_id)
      .field("organizationName", t.organization_name)
      .field("contactEmail", t.contact_email)
      .field("environment", t.environment)
      .field("status", t.status)
      .field("division", t.division)
      .field("group", t.group)
      .field("team", t.team);
  w.key("metadata").begin_object();
  for (const auto& [key, value] : t.metadata) {
    w.key(key);
    std::visit([&w](const auto& v) { w.value(v); }, value);
  }
  w.end_object();
  w.field("createdAt", t.created_at)
      .field("createdBy", t.created_by)
      .field("updatedAt", t.updated_at)
      .field("updatedBy", t.updated_by)
      .field("version", t.version)
      .field("memberCount", t.member_count)
      .field("instanceCount", t.instance_count);
  w.key("_links").begin_object();
  for (const auto& [name, href] : t.links) {
    w.key(name).begin_object().field("href", href).end_object();
  }
  w.end_object().end_object();
  return w.str();
}

// ---------------------------------------------------------------- nlohmann::json

std::optional<TenantWire> from_nlohmann(const nlohmann::json& root) {
  if (!root.is_object()) {
    return std::nullopt;
  }
  TenantWire t;
  for (const auto& [key, value] : root.items()) {
    if (value.is_string()) {
      if (auto* field = string_field(t, key)) {
        *field = value.get_ref<const std::string&>();
      }
    } else if (value.is_number_integer()) {
      if (auto* field = int_field(t, key)) {
        *field = value.get<std::int64_t>();
      }
    } else if (key == "metadata" && value.is_object()) {
      for (const auto& [name, v] : value.items()) {
        MetaValue meta;
        if (v.is_string()) {
          meta = v.get_ref<const std::string&>();
        } else if (v.is_number_integer()) {
          meta = v.get<std::int64_t>();
        } else if (v.is_number()) {
          meta = v.get<double>();
        } else if (v.is_boolean()) {
          meta = v.get<bool>();
        } else {
          return std::nullopt;
        }
        t.metadata.emplace_back(name, std::move(meta));
      }
    } else if (key == "_links" && value.is_object()) {
      for (const auto& [name, link] : value.items()) {
        const auto href = link.find("href");
        if (href == link.end() || !href->is_string()) {
          return std::nullopt;
        }
        t.links.emplace_back(name, href->get_ref<const std::string&>());
      }
    }
  }
  return t;
}

std::optional<TenantWire> parse_nlohmann(std::string_view text) {
  auto root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return std::nullopt;
  }
  return from_nlohmann(root);
}

nlohmann::json to_nlohmann(const TenantWire& t) {
  nlohmann::json j = {{"tenantId", t.tenant_id},
                      {"organizationName", t.organization_name},
                      {"contactEmail", t.contact_email},
                      {"environment", t.environment},
                      {"status", t.status},
                      {"division", t.division},
                      {"group", t.group},
                      {"team", t.team},
                      {"createdAt", t.created_at},
                      {"createdBy", t.created_by},
                      {"updatedAt", t.updated_at},
                      {"updatedBy", t.updated_by},
                      {"version", t.version},
                      {"memberCount", t.member_count},
                      {"instanceCount", t.instance_count}};
  auto& metadata = j["metadata"] = nlohmann::json::object();
  for (const auto& entry : t.metadata) {
    // A named reference, not a structured binding: clang 14 cannot capture bindings.
    const std::string& key = entry.first;
    std::visit([&metadata, &key](const auto& v) { metadata[key] = v; }, entry.second);
  }
  auto& links = j["_links"] = nlohmann::json::object();
  for (const auto& [name, href] : t.links) {
    links[name] = {{"href", href}};
  }
  return j;
}

// ---------------------------------------------------------------- simdjson

// simdjson reports errors as codes; this turns a failed step into "no result".
template <class T, class R>
bool take(R&& result, T& out) {
  return std::forward<R>(result).get(out) == simdjson::SUCCESS;
}

std::optional<TenantWire> parse_simdjson_ondemand(simdjson::ondemand::parser& parser,
                                                  const simdjson::padded_string& text) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  if (!take(parser.iterate(text), doc) || !take(doc.get_object(), root)) {
    return std::nullopt;
  }
  TenantWire t;
  for (auto field_result : root) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (!take(std::move(field_result), field) || !take(field.unescaped_key(), key)) {
      return std::nullopt;
    }
    simdjson::ondemand::value value = field.value();
    simdjson::ondemand::json_type type;
    if (!take(value.type(), type)) {
      return std::nullopt;
    }
    if (type == simdjson::ondemand::json_type::string) {
      if (auto* target = string_field(t, key)) {
        std::string_view s;
        if (!take(value.get_string(), s)) {
          return std::nullopt;
        }
        target->assign(s);
      }
    } else if (type == simdjson::ondemand::json_type::number) {
      if (auto* target = int_field(t, key)) {
        if (!take(value.get_int64(), *target)) {
          return std::nullopt;
        }
      }
    } else if (key == "metadata" && type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object metadata;
      if (!take(value.get_object(), metadata)) {
        return std::nullopt;
      }
      for (auto entry_result : metadata) {
        simdjson::ondemand::field entry;
        std::string_view name;
        if (!take(std::move(entry_result), entry) || !take(entry.unescaped_key(), name)) {
          return std::nullopt;
        }
        std::string name_copy(name);  // the key view is invalidated by reading the value
        simdjson::ondemand::value v = entry.value();
        simdjson::ondemand::json_type vt;
        if (!take(v.type(), vt)) {
          return std::nullopt;
        }
        MetaValue meta;
        if (vt == simdjson::ondemand::json_type::string) {
          std::string_view s;
          if (!take(v.get_string(), s)) {
            return std::nullopt;
          }
          meta = std::string(s);
        } else if (vt == simdjson::ondemand::json_type::number) {
          simdjson::ondemand::number_type nt;
          if (!take(v.get_number_type(), nt)) {
            return std::nullopt;
          }
          if (nt == simdjson::ondemand::number_type::signed_integer) {
            std::int64_t i = 0;
            if (!take(v.get_int64(), i)) {
              return std::nullopt;
            }
            meta = i;
          } else {
            double d = 0;
            if (!take(v.get_double(), d)) {
              return std::nullopt;
            }
            meta = d;
          }
        } else if (vt == simdjson::ondemand::json_type::boolean) {
          bool b = false;
          if (!take(v.get_bool(), b)) {
            return std::nullopt;
          }
          meta = b;
        } else {
          return std::nullopt;
        }
        t.metadata.emplace_back(std::move(name_copy), std::move(meta));
      }
    } else if (key == "_links" && type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object links;
      if (!take(value.get_object(), links)) {
        return std::nullopt;
      }
      for (auto link_result : links) {
        simdjson::ondemand::field link;
        std::string_view name;
        if (!take(std::move(link_result), link) || !take(link.unescaped_key(), name)) {
          return std::nullopt;
        }
        std::string name_copy(name);
        std::string_view href;
        if (!take(link.value().find_field("href").get_string(), href)) {
          return std::nullopt;
        }
        t.links.emplace_back(std::move(name_copy), std::string(href));
      }
    }
  }
  return t;
}

std::optional<TenantWire> parse_simdjson_dom(simdjson::dom::parser& parser,
                                             const simdjson::padded_string& text) {
  simdjson::dom::object root;
  if (!take(parser.parse(text), root)) {
    return std::nullopt;
  }
  TenantWire t;
  for (const auto [key, value] : root) {
    if (value.is_string()) {
      if (auto* target = string_field(t, key)) {
        target->assign(std::string_view(value));
      }
    } else if (value.is_int64()) {
      if (auto* target = int_field(t, key)) {
        *target = std::int64_t(value);
      }
    } else if (key == "metadata" && value.is_object()) {
      for (const auto [name, v] : simdjson::dom::object(value)) {
        MetaValue meta;
        if (v.is_string()) {
          meta = std::string(std::string_view(v));
        } else if (v.is_int64()) {
          meta = std::int64_t(v);
        } else if (v.is_number()) {
          meta = double(v);
        } else if (v.is_bool()) {
          meta = bool(v);
        } else {
          return std::nullopt;
        }
        t.metadata.emplace_back(std::string(name), std::move(meta));
      }
    } else if (key == "_links" && value.is_object()) {
      for (const auto [name, link] : simdjson::dom::object(value)) {
        std::string_view href;
        if (!take(link["href"], href)) {
          return std::nullopt;
        }
        t.links.emplace_back(std::string(name), std::string(href));
      }
    }
  }
  return t;
}

// ---------------------------------------------------------------- benchmarks

const TenantWire& expected() {
  static const TenantWire t = [] {
    auto parsed = parse_rapidjson(kTenantJson);
    if (!parsed || parsed->metadata.size() != 7 || parsed->links.size() != 3) {
      std::abort();  // the fixture itself is broken: no figure would mean anything
    }
    return *parsed;
  }();
  return t;
}

// nlohmann::json keeps object members sorted by key, so results are compared independent of
// member order.
TenantWire normalised(TenantWire t) {
  std::sort(t.metadata.begin(), t.metadata.end());
  std::sort(t.links.begin(), t.links.end());
  return t;
}

void check(benchmark::State& state, const std::optional<TenantWire>& got) {
  if (!got || !(normalised(*got) == normalised(expected()))) {
    state.SkipWithError("result differs from the expected tenant");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTenantJson.size()));
}

// Serialisers are checked by reading their output back.
void check_text(benchmark::State& state, const std::string& text) {
  check(state, parse_rapidjson(text));
}

// Parse: text -> struct with every field read.

void BM_Parse_Rapidjson(benchmark::State& state) {
  std::optional<TenantWire> result;
  for (auto _ : state) {
    result = parse_rapidjson(kTenantJson);
    benchmark::DoNotOptimize(result);
  }
  check(state, result);
}
BENCHMARK(BM_Parse_Rapidjson);

void BM_Parse_Nlohmann(benchmark::State& state) {
  std::optional<TenantWire> result;
  for (auto _ : state) {
    result = parse_nlohmann(kTenantJson);
    benchmark::DoNotOptimize(result);
  }
  check(state, result);
}
BENCHMARK(BM_Parse_Nlohmann);

// simdjson needs padded input; a server would read bodies into a padded buffer, so the copy is
// counted here to keep the comparison honest.
void BM_Parse_SimdjsonOndemand(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  std::optional<TenantWire> result;
  for (auto _ : state) {
    const simdjson::padded_string text(kTenantJson);
    result = parse_simdjson_ondemand(parser, text);
    benchmark::DoNotOptimize(result);
  }
  check(state, result);
}
BENCHMARK(BM_Parse_SimdjsonOndemand);

void BM_Parse_SimdjsonDom(benchmark::State& state) {
  simdjson::dom::parser parser;
  std::optional<TenantWire> result;
  for (auto _ : state) {
    const simdjson::padded_string text(kTenantJson);
    result = parse_simdjson_dom(parser, text);
    benchmark::DoNotOptimize(result);
  }
  check(state, result);
}
BENCHMARK(BM_Parse_SimdjsonDom);

// Parse to a DOM only (no struct): the raw parser cost.

void BM_ParseDom_Rapidjson(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = tenantd::parse_json(kTenantJson);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTenantJson.size()));
}
BENCHMARK(BM_ParseDom_Rapidjson);

// The same parse with the document's allocator on a reused buffer: what rapidjson costs when a
// server keeps one arena per connection instead of letting each Document malloc its own 64 KiB
// chunk.
void BM_ParseDom_RapidjsonReusedArena(benchmark::State& state) {
  std::vector<char> arena(16 * 1024);
  std::vector<char> stack(4 * 1024);
  for (auto _ : state) {
    rapidjson::MemoryPoolAllocator<> value_allocator(arena.data(), arena.size());
    rapidjson::MemoryPoolAllocator<> stack_allocator(stack.data(), stack.size());
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                               rapidjson::MemoryPoolAllocator<>>
        doc(&value_allocator, stack.size(), &stack_allocator);
    doc.Parse(kTenantJson.data(), kTenantJson.size());
    benchmark::DoNotOptimize(doc.HasParseError());
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTenantJson.size()));
}
BENCHMARK(BM_ParseDom_RapidjsonReusedArena);

void BM_ParseDom_Nlohmann(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = nlohmann::json::parse(kTenantJson, nullptr, false);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTenantJson.size()));
}
BENCHMARK(BM_ParseDom_Nlohmann);

void BM_ParseDom_SimdjsonDom(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    const simdjson::padded_string text(kTenantJson);
    simdjson::dom::element root;
    auto error = parser.parse(text).get(root);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(root);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTenantJson.size()));
}
BENCHMARK(BM_ParseDom_SimdjsonDom);

// Serialise: struct -> compact text.

void BM_Serialise_Rapidjson(benchmark::State& state) {
  const TenantWire& t = expected();
  std::string text;
  for (auto _ : state) {
    text = write_rapidjson(t);
    benchmark::DoNotOptimize(text);
  }
  check_text(state, text);
}
BENCHMARK(BM_Serialise_Rapidjson);

void BM_Serialise_Nlohmann(benchmark::State& state) {
  const TenantWire& t = expected();
  std::string text;
  for (auto _ : state) {
    text = to_nlohmann(t).dump();
    benchmark::DoNotOptimize(text);
  }
  check_text(state, text);
}
BENCHMARK(BM_Serialise_Nlohmann);

// Serialise an existing DOM (e.g. re-emitting a stored document).

void BM_SerialiseDom_Rapidjson(benchmark::State& state) {
  const auto doc = tenantd::parse_json(kTenantJson);
  std::string text;
  for (auto _ : state) {
    text = tenantd::to_json(*doc);
    benchmark::DoNotOptimize(text);
  }
  check_text(state, text);
}
BENCHMARK(BM_SerialiseDom_Rapidjson);

void BM_SerialiseDom_Nlohmann(benchmark::State& state) {
  const auto doc = nlohmann::json::parse(kTenantJson);
  std::string text;
  for (auto _ : state) {
    text = doc.dump();
    benchmark::DoNotOptimize(text);
  }
  check_text(state, text);
}
BENCHMARK(BM_SerialiseDom_Nlohmann);

}  // namespace
