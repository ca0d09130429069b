#include "core/result.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tenantd {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) {
    return Error::make(ErrorCode::ValidationError, "not positive");
  }
  return n;
}

Result<std::string> describe(int n) {
  TENANTD_TRY_ASSIGN(int value, parse_positive(n));
  return std::to_string(value * 2);
}

Status check_both(int a, int b) {
  TENANTD_TRY(parse_positive(a));
  TENANTD_TRY(parse_positive(b));
  return {};
}

TEST(ResultTryMacros, TryAssignDeclaresTheValueWhenPresent) {
  auto described = describe(21);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(*described, "42");
}

TEST(ResultTryMacros, TryAssignReturnsTheErrorUnchanged) {
  auto described = describe(-1);
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.error().code, ErrorCode::ValidationError);
  EXPECT_EQ(described.error().message, "not positive");
}

TEST(ResultTryMacros, TryStopsAtTheFirstError) {
  EXPECT_TRUE(check_both(1, 2).ok());
  EXPECT_FALSE(check_both(1, 0).ok());
  EXPECT_FALSE(check_both(0, 1).ok());
}

}  // namespace
}  // namespace tenantd
