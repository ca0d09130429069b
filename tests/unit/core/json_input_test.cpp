#include "core/json_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tenantd {
namespace {

JsonInputError parse_error(std::string_view text, const JsonLimits& limits = JsonLimits{}) {
  JsonInputError error;
  EXPECT_FALSE(parse_untrusted_json(text, limits, &error).has_value()) << text;
  return error;
}

TEST(JsonInputTest, NestingBeyondTheLimitIsRefusedWithoutRecursing) {
  const std::string deep = std::string(150'000, '{') + std::string(150'000, '}');
  EXPECT_EQ(parse_error(deep, JsonLimits{1U << 20, 64, true}).problem, JsonProblem::TooDeep);
  std::string at_limit = std::string(64, '[') + std::string(64, ']');
  JsonInputError none;
  EXPECT_TRUE(parse_untrusted_json(at_limit, JsonLimits{}, &none).has_value());
  EXPECT_EQ(parse_error("[" + at_limit + "]").problem, JsonProblem::TooDeep);
}

TEST(JsonInputTest, BracketsInsideStringsDoNotCountAsNesting) {
  const std::string text = R"({"a":")" + std::string(1000, '[') + R"(\"[["})";
  JsonInputError none;
  EXPECT_TRUE(parse_untrusted_json(text, JsonLimits{}, &none).has_value()) << none.message;
}

TEST(JsonInputTest, AQuoteAfterAnEvenRunOfBackslashesClosesTheString) {
  const std::string brackets = std::string(65, '[') + std::string(65, ']');
  // "x\\" ends at its quote: the brackets after it nest, beyond the limit of 64.
  EXPECT_EQ(parse_error(R"({"a":"x\\","b":)" + brackets + "}").problem, JsonProblem::TooDeep);
  // "x\\\"..." does not end there: the brackets are text.
  const std::string escaped = R"({"a":"x\\\")" + std::string(65, '[') + R"("})";
  JsonInputError none;
  EXPECT_TRUE(parse_untrusted_json(escaped, JsonLimits{}, &none).has_value()) << none.message;
}

TEST(JsonInputTest, TextOverTheSizeLimitIsTooLarge) {
  const auto error = parse_error(R"({"a":"0123456789"})", JsonLimits{10, 64, true});
  EXPECT_EQ(error.problem, JsonProblem::TooLarge);
  EXPECT_EQ(json_input_error_to_error(error, "The body").code, ErrorCode::PayloadTooLarge);
}

TEST(JsonInputTest, ADuplicateKeyIsAValidationErrorNamingItsPath) {
  const auto error = parse_error(R"({"metadata":{"a":1,"b":{"c":1,"c":2}}})");
  EXPECT_EQ(error.problem, JsonProblem::DuplicateKey);
  EXPECT_EQ(error.path, "metadata.b.c");
  const Error mapped = json_input_error_to_error(error, "The request body");
  EXPECT_EQ(mapped.code, ErrorCode::ValidationError);
  ASSERT_EQ(mapped.errors.size(), 1U);
  EXPECT_EQ(mapped.errors[0].code, "DUPLICATE_KEY");
  EXPECT_EQ(parse_error(R"({"name":"a","name":"b"})").path, "name");
}

TEST(JsonInputTest, IntegersBeyondSixtyFourBitsAreRefusedNotRounded) {
  EXPECT_EQ(parse_error(R"({"n":9223372036854775808})").problem, JsonProblem::IntegerTooLarge);
  EXPECT_EQ(parse_error(R"({"n":-9223372036854775809})").problem, JsonProblem::IntegerTooLarge);
  EXPECT_EQ(parse_error(R"([123456789012345678901234567890])").problem,
            JsonProblem::IntegerTooLarge);
  JsonInputError none;
  auto ok = parse_untrusted_json(
      R"({"a":9223372036854775807,"b":-9223372036854775808,"c":1e300,"d":1.5})", JsonLimits{},
      &none);
  ASSERT_TRUE(ok.has_value()) << none.message;
  EXPECT_EQ((*ok)["a"].GetInt64(), INT64_MAX);
  EXPECT_EQ(to_json((*ok)["a"]), "9223372036854775807");  // kept exactly
  EXPECT_EQ((*ok)["b"].GetInt64(), INT64_MIN);
}

TEST(JsonInputTest, InvalidUtf8IsMalformed) {
  EXPECT_EQ(parse_error("{\"a\":\"\xff\xfe\"}").problem, JsonProblem::Malformed);
  EXPECT_EQ(parse_error("{\"\xc3\":1}").problem, JsonProblem::Malformed);
}

TEST(JsonInputTest, ParseJsonItselfRefusesPathologicalNesting) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  EXPECT_FALSE(parse_json(deep).has_value());
  EXPECT_TRUE(parse_json(std::string(200, '[') + std::string(200, ']')).has_value());
}

}  // namespace
}  // namespace tenantd
