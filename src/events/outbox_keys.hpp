#pragma once
// Where the outbox lives in the Control table:
//   pending  pk=OUTBOX#PENDING  sk=<13-digit epoch ms of time>#<eventId>
//            GSI1 pk=OUTBOX#DUE sk=<13-digit epoch ms of nextAttemptAt>#<eventId>
//   failed   pk=OUTBOX#FAILED   sk=<same as pending>
//            GSI2 pk=OUTBOX#FAILED sk=<eventId>   (retry of one dead letter by id)
// The dispatcher reads only GSI1 up to "now", so events waiting out a backoff cost nothing.
// data: {eventId, source, detailType, time, tenantId, detail (embedded object), attempts,
//        status, nextAttemptAt, lastError?, deliveredTo?}
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace tenantd::events {

inline constexpr const char* kPendingPk = "OUTBOX#PENDING";
inline constexpr const char* kFailedPk = "OUTBOX#FAILED";
inline constexpr const char* kDuePk = "OUTBOX#DUE";
inline constexpr int kDueIndex = 1;       // GSI1
inline constexpr int kFailedIdIndex = 2;  // GSI2
inline constexpr const char* kStatusPending = "PENDING";
inline constexpr const char* kStatusFailed = "FAILED";

// "0001769337000123": epoch milliseconds, zero-padded to 13 digits so that text order is
// time order (until the year 2286).
std::string padded_epoch_ms(TimePoint t);
// "<padded ms>#<eventId>"
std::string outbox_sort_key(TimePoint t, std::string_view event_id);

}  // namespace tenantd::events
