#include "service/retry.hpp"

#include <gtest/gtest.h>

namespace tenantd::service {
namespace {

Error exhausted() {
  return Error::make(ErrorCode::VersionConflict, "kept changing");
}

TEST(RetryOnConflict, RunsAgainUntilTheAttemptSettles) {
  int calls = 0;
  auto result = retry_on_conflict<int>(
      5,
      [&]() -> Attempt<int> {
        ++calls;
        return calls < 3 ? std::optional<int>{} : std::optional<int>{42};
      },
      exhausted);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(calls, 3);
}

TEST(RetryOnConflict, AnErrorSettlesAtOnce) {
  int calls = 0;
  auto result = retry_on_conflict<int>(
      5,
      [&]() -> Attempt<int> {
        ++calls;
        return Error::make(ErrorCode::NotFound, "gone");
      },
      exhausted);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
  EXPECT_EQ(calls, 1);
}

TEST(RetryOnConflict, GivesUpAfterTheLastAttempt) {
  int calls = 0;
  auto result = retry_on_conflict<int>(
      4,
      [&]() -> Attempt<int> {
        ++calls;
        return std::optional<int>{};
      },
      exhausted);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::VersionConflict);
  EXPECT_EQ(calls, 4);
}

}  // namespace
}  // namespace tenantd::service
