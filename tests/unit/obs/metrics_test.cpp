#include "obs/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tenantd::obs {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

// Checks the text exposition format 0.0.4 as Prometheus parses it: HELP/TYPE once per family
// and before its samples, samples of a family together, well-formed names, labels and values.
void expect_valid_exposition(const std::string& text) {
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN))");
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::set<std::string> finished;  // families whose samples are over
  std::string current;
  for (const auto& line : lines_of(text)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      EXPECT_TRUE(helped.insert(m[1]).second) << "second HELP for " << m[1];
      continue;
    }
    if (std::regex_match(line, m, type)) {
      EXPECT_TRUE(types.emplace(m[1], m[2]).second) << "second TYPE for " << m[1];
      EXPECT_EQ(helped.count(m[1]), 1u) << "HELP comes first for " << m[1];
      if (!current.empty()) {
        finished.insert(current);
      }
      current = m[1];
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << "not a sample: " << line;
    std::string family = m[1];
    if (types.count(family) == 0) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s = suffix;
        if (family.size() > s.size() && family.ends_with(s)) {
          family = family.substr(0, family.size() - s.size());
        }
      }
      ASSERT_EQ(types[family], "histogram") << line;
    }
    EXPECT_EQ(family, current) << "sample outside its family block: " << line;
    EXPECT_EQ(finished.count(family), 0u);
  }
}

// The value of the sample line that starts with `prefix` (name plus labels).
std::string value_of(const std::string& text, const std::string& prefix) {
  for (const auto& line : lines_of(text)) {
    if (line.rfind(prefix + " ", 0) == 0) {
      return line.substr(prefix.size() + 1);
    }
  }
  return "<missing>";
}

TEST(Metrics, FreshRegistryExposesTheBusinessMetricsAtZeroAndUpAtOne) {
  const MetricsRegistry registry;
  const std::string text = registry.render_prometheus();
  expect_valid_exposition(text);
  for (const char* name :
       {"tenantd_tenant_created_total", "tenantd_tenant_parked_total",
        "tenantd_tenant_unparked_total", "tenantd_tenant_deleted_total",
        "tenantd_tenant_park_failures_total", "tenantd_tenant_unpark_failures_total",
        "tenantd_tenant_status_transition_errors_total", "tenantd_outbox_failed_total",
        "tenantd_outbox_pending"}) {
    EXPECT_EQ(value_of(text, name), "0") << name;
  }
  EXPECT_EQ(value_of(text, "tenantd_up"), "1");
  EXPECT_NE(text.find("# TYPE tenantd_outbox_pending gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tenantd_tenant_created_total counter\n"), std::string::npos);
}

TEST(Metrics, BusinessCountersAndGaugesShowTheirValues) {
  MetricsRegistry registry;
  registry.tenant_created().inc();
  registry.tenant_created().inc(2);
  registry.outbox_pending().set(7);
  registry.outbox_pending().add(-2);
  const std::string text = registry.render_prometheus();
  EXPECT_EQ(value_of(text, "tenantd_tenant_created_total"), "3");
  EXPECT_EQ(value_of(text, "tenantd_outbox_pending"), "5");
}

TEST(Metrics, RequestLatencyIsACumulativeHistogramWithSumAndCount) {
  MetricsRegistry registry;
  registry.observe_request("/v1.0/tenants", "GET", 200, 0.3);
  registry.observe_request("/v1.0/tenants", "GET", 200, 1.0);  // on a bound: counts in le="1"
  registry.observe_request("/v1.0/tenants", "GET", 200, 7.5);
  registry.observe_request("/v1.0/tenants", "GET", 200, 4000);
  registry.observe_request("/v1.0/tenants", "POST", 201, 3);
  const std::string text = registry.render_prometheus();
  expect_valid_exposition(text);

  const std::string labels = R"(route="/v1.0/tenants",method="GET",status="200")";
  const std::string bucket = "tenantd_http_request_duration_ms_bucket{" + labels + ",le=";
  EXPECT_EQ(value_of(text, bucket + "\"0.5\"}"), "1");
  EXPECT_EQ(value_of(text, bucket + "\"1\"}"), "2");
  EXPECT_EQ(value_of(text, bucket + "\"5\"}"), "2");
  EXPECT_EQ(value_of(text, bucket + "\"10\"}"), "3");
  EXPECT_EQ(value_of(text, bucket + "\"2500\"}"), "3");
  EXPECT_EQ(value_of(text, bucket + "\"+Inf\"}"), "4");
  EXPECT_EQ(value_of(text, "tenantd_http_request_duration_ms_count{" + labels + "}"), "4");
  EXPECT_DOUBLE_EQ(
      std::stod(value_of(text, "tenantd_http_request_duration_ms_sum{" + labels + "}")), 4008.8);
  EXPECT_EQ(value_of(text, "tenantd_http_requests_total{" + labels + "}"), "4");
  EXPECT_EQ(
      value_of(text,
               R"(tenantd_http_requests_total{route="/v1.0/tenants",method="POST",status="201"})"),
      "1");

  // Buckets never decrease.
  std::uint64_t previous = 0;
  for (const auto& line : lines_of(text)) {
    if (line.rfind(bucket, 0) == 0) {
      const std::uint64_t v = std::stoull(line.substr(line.rfind(' ') + 1));
      EXPECT_GE(v, previous);
      previous = v;
    }
  }
}

TEST(Metrics, LabelledCountersAreSeparateSeriesWithEscapedValues) {
  MetricsRegistry registry;
  Counter& a = registry.counter("tenantd_sink_errors_total", "Sink errors.", {{"sink", "file"}});
  Counter& b =
      registry.counter("tenantd_sink_errors_total", "ignored", {{"sink", "we\"ird\\one\n"}});
  EXPECT_NE(&a, &b);
  EXPECT_EQ(&a, &registry.counter("tenantd_sink_errors_total", "", {{"sink", "file"}}));
  a.inc();
  b.inc(4);
  const std::string text = registry.render_prometheus();
  expect_valid_exposition(text);
  EXPECT_EQ(value_of(text, R"(tenantd_sink_errors_total{sink="file"})"), "1");
  EXPECT_EQ(value_of(text, R"(tenantd_sink_errors_total{sink="we\"ird\\one\n"})"), "4");
  EXPECT_NE(text.find("# HELP tenantd_sink_errors_total Sink errors.\n"), std::string::npos);
}

TEST(Metrics, ConcurrentObservationsAreAllCounted) {
  MetricsRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kPerThread; ++i) {
        registry.observe_request(i % 2 == 0 ? "/health" : "/v1.0/tenants/{id}", "GET",
                                 200 + (t % 2), 2.0);
      }
      registry.tenant_parked().inc();
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const std::string text = registry.render_prometheus();
  expect_valid_exposition(text);
  EXPECT_EQ(
      value_of(text, R"(tenantd_http_requests_total{route="/health",method="GET",status="200"})"),
      std::to_string(kThreads / 2 * kPerThread / 2));
  EXPECT_EQ(value_of(text, "tenantd_tenant_parked_total"), std::to_string(kThreads));
}

TEST(Metrics, TwoRegistriesInOneThreadDoNotShareSeries) {
  MetricsRegistry first;
  first.observe_request("/health", "GET", 200, 1);
  {
    MetricsRegistry second;
    second.observe_request("/health", "GET", 200, 1);
    second.observe_request("/health", "GET", 200, 1);
    EXPECT_EQ(value_of(second.render_prometheus(),
                       R"(tenantd_http_requests_total{route="/health",method="GET",status="200"})"),
              "2");
  }
  first.observe_request("/health", "GET", 200, 1);
  EXPECT_EQ(value_of(first.render_prometheus(),
                     R"(tenantd_http_requests_total{route="/health",method="GET",status="200"})"),
            "2");
}

TEST(Metrics, ReusingANameWithAnotherTypeIsAProgrammerError) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.gauge("tenantd_tenant_created_total", "x"), std::logic_error);
}

}  // namespace
}  // namespace tenantd::obs
