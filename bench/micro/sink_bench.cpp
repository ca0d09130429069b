// CPU cost of the AWS sinks per delivery, without the network: the PutEvents body of a full
// batch (10 events), the SNS Publish form of one envelope, and the webhook signature.
//   micro_bench --benchmark_filter='Sink'
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "aws/aws_query_client.hpp"
#include "events/eventbridge_sink.hpp"
#include "events/sns_sink.hpp"
#include "events/webhook_sink.hpp"

namespace {

using namespace tenantd;

// A TENANT_UPDATED event as the change log writes it (about 700 bytes of detail).
events::OutboxEvent sample_event(int n) {
  events::OutboxEvent e;
  e.event_id = "evt-0f8fad5b-d9cb-469f-a165-7086772895" + std::to_string(10 + n);
  e.source = events::kTenantSource;
  e.detail_type = "TENANT_UPDATED";
  e.time = TimePoint(Millis(1769337000000));
  e.tenant_id = "tenant-0f8fad5b-d9cb-469f-a165-70867728950e";
  const std::string tenant =
      R"({"tenantId":"tenant-0f8fad5b-d9cb-469f-a165-70867728950e","organizationName":"Acme Ltd",)"
      R"("contactEmail":"ops@acme.example","environment":"prod","status":"ACTIVE",)"
      R"("metadata":{"plan":"gold","seats":25},"createdAt":"2026-01-25T10:30:00.000Z",)"
      R"("updatedAt":"2026-01-25T10:30:00.000Z","version":3})";
  e.detail_json = R"({"eventId":")" + e.event_id +
                  R"(","tenantId":"tenant-0f8fad5b-d9cb-469f-a165-70867728950e",)"
                  R"("actor":"ops@acme.example","requestId":"req-1",)"
                  R"("occurredAt":"2026-01-25T10:30:00.000Z","before":)" +
                  tenant + R"(,"after":)" + tenant + R"(,"reason":null})";
  return e;
}

void BM_Sink_PutEventsBodyOf10(benchmark::State& state) {
  std::vector<events::OutboxEvent> batch;
  for (int i = 0; i < 10; ++i) {
    batch.push_back(sample_event(i));
  }
  const std::vector<std::size_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  for (auto _ : state) {
    benchmark::DoNotOptimize(events::put_events_body("tenant-events-prod", batch, all));
  }
}
BENCHMARK(BM_Sink_PutEventsBodyOf10);

void BM_Sink_SnsPublishForm(benchmark::State& state) {
  const auto event = sample_event(0);
  const std::string topic = "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-prod";
  for (auto _ : state) {
    const std::string envelope = events::envelope_json(event, "eu-west-1");
    benchmark::DoNotOptimize(
        aws::form_encode("Publish", "2010-03-31", events::publish_params(topic, event, envelope)));
  }
}
BENCHMARK(BM_Sink_SnsPublishForm);

void BM_Sink_WebhookSignature(benchmark::State& state) {
  const std::string envelope = events::envelope_json(sample_event(0), "eu-west-1");
  for (auto _ : state) {
    benchmark::DoNotOptimize(events::webhook_signature("whsec-0123456789", 1769337000, envelope));
  }
}
BENCHMARK(BM_Sink_WebhookSignature);

}  // namespace
