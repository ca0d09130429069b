#include "core/strings.hpp"

#include <gtest/gtest.h>

namespace tenantd {
namespace {

TEST(Trim, RemovesSurroundingAsciiWhitespaceOnly) {
  EXPECT_EQ(trim("  acme \t\r\n"), "acme");
  EXPECT_EQ(trim("\v\facme corp\f"), "acme corp");
  EXPECT_EQ(trim("a  b"), "a  b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\n "), "");
  // A non-breaking space (U+00A0) is not ASCII whitespace and stays.
  EXPECT_EQ(trim("\xC2\xA0x"), "\xC2\xA0x");
}

TEST(ToLower, LowersAsciiLettersAndLeavesTheRest) {
  EXPECT_EQ(to_lower("User@Example.COM"), "user@example.com");
  EXPECT_EQ(to_lower("123-_."), "123-_.");
  EXPECT_EQ(to_lower("\xC3\x89"), "\xC3\x89");  // É is left alone
}

}  // namespace
}  // namespace tenantd
