#include <gtest/gtest.h>

#include <string>

#include "core/json.hpp"

namespace tenantd {
namespace {

TEST(JsonScratch, EachParseReplacesThePreviousDocument) {
  JsonScratch scratch;
  const JsonValue* first = scratch.parse(R"({"name":"acme","seats":3})");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(as_view((*first)["name"]), "acme");
  const JsonValue* second = scratch.parse(R"({"name":"globex"})");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(as_view((*second)["name"]), "globex");
  EXPECT_FALSE(second->HasMember("seats"));
}

TEST(JsonScratch, ATextLargerThanItsBufferParsesAndTheNextStillFits) {
  JsonScratch scratch;
  std::string big = "[";
  for (int i = 0; i < 2000; ++i) {
    big += (i == 0 ? "" : ",") + std::string(R"({"k":"value-)") + std::to_string(i) + "\"}";
  }
  big += "]";
  const JsonValue* doc = scratch.parse(big);
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->Size(), 2000u);
  EXPECT_EQ(as_view((*doc)[1999]["k"]), "value-1999");
  const JsonValue* small = scratch.parse(R"({"k":"v"})");
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(as_view((*small)["k"]), "v");
}

TEST(JsonScratch, RefusesWhatParseJsonRefuses) {
  JsonScratch scratch;
  EXPECT_EQ(scratch.parse("{\"a\":"), nullptr);
  EXPECT_EQ(scratch.parse("{} trailing"), nullptr);
  EXPECT_EQ(scratch.parse(std::string(300, '[') + std::string(300, ']')), nullptr);  // too deep
  EXPECT_NE(scratch.parse("{}"), nullptr);
}

}  // namespace
}  // namespace tenantd
