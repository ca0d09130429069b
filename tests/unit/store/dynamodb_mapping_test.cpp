// The pieces of the DynamoDB item mapping that conformance against moto cannot pin down alone:
// the GSI order key keeps tuple order for any bytes, and JSON survives the AttributeValue trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

#include "core/json.hpp"
#include "store/dynamodb/attribute_value.hpp"
#include "store/dynamodb/item_codec.hpp"
#include "store/dynamodb/order_key.hpp"

namespace tenantd::store::dynamodb {
namespace {

TEST(OrderKey, ByteOrderOfOrderKeysIsTheTupleOrder) {
  std::mt19937 rng(7);
  const std::string alphabet("\x00\x01\x02#AZaz\xc3\xa9", 10);
  auto random_text = [&] {
    std::string s(rng() % 4, ' ');
    for (char& c : s) {
      c = alphabet[rng() % alphabet.size()];
    }
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    const auto a = std::make_tuple(random_text(), random_text(), random_text());
    const auto b = std::make_tuple(random_text(), random_text(), random_text());
    const std::string ka = order_key(std::get<0>(a), std::get<1>(a), std::get<2>(a));
    const std::string kb = order_key(std::get<0>(b), std::get<1>(b), std::get<2>(b));
    ASSERT_EQ(a < b, ka < kb) << i;
    ASSERT_EQ(a == b, ka == kb) << i;
  }
}

TEST(OrderKey, SortConditionBoundsSelectExactlyTheMatchingIndexSortKeys) {
  std::mt19937 rng(11);
  const std::string alphabet("\x00\x01\x02#Aa", 6);
  auto random_text = [&] {
    std::string s(rng() % 4, ' ');
    for (char& c : s) {
      c = alphabet[rng() % alphabet.size()];
    }
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string isk = random_text();
    const std::string bound = random_text();
    const std::string key = order_key(isk, "P" + random_text(), "S" + random_text());
    ASSERT_EQ(isk >= bound, key >= escape_order(bound)) << i;                          // at_least
    ASSERT_EQ(isk <= bound, key <= order_upper_bound(bound)) << i;                     // at_most
    ASSERT_EQ(isk.rfind(bound, 0) == 0, key.rfind(escape_order(bound), 0) == 0) << i;  // prefix
  }
}

std::string round_trip(const std::string& json) {
  auto doc = parse_json(json);
  EXPECT_TRUE(doc.has_value());
  JsonWriter attribute;
  write_attribute_value(attribute, *doc);
  auto wire = parse_json(attribute.str());
  EXPECT_TRUE(wire.has_value());
  JsonWriter plain;
  EXPECT_TRUE(write_plain_value(plain, *wire));
  return plain.str();
}

TEST(AttributeValue, JsonSurvivesTheRoundTrip) {
  for (const char* json :
       {R"({"a":"x","n":-12,"big":9007199254740993,"f":1.5,"t":true,"z":null,"e":"",)"
        R"("m":{"k":[1,"two",{"3":false}]},"l":[]})",
        R"("Zoë 日本")", "0", "[]", "{}"}) {
    const std::string back = round_trip(json);
    EXPECT_TRUE(*parse_json(back) == *parse_json(json)) << json << " -> " << back;
  }
}

TEST(AttributeValue, WritesTheDynamoDbTypes) {
  auto doc = parse_json(R"({"s":"x","n":5,"b":true,"z":null,"l":[1],"m":{}})");
  JsonWriter out;
  write_attribute_value(out, *doc);
  EXPECT_EQ(out.str(), R"({"M":{"s":{"S":"x"},"n":{"N":"5"},"b":{"BOOL":true},"z":{"NULL":true},)"
                       R"("l":{"L":[{"N":"1"}]},"m":{"M":{}}}})");
}

TEST(AttributeValue, SetsAndBinaryFromOtherToolsReadAsArraysAndStrings) {
  auto wire =
      parse_json(R"({"M":{"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"b":{"B":"AAE="}}})");
  JsonWriter out;
  ASSERT_TRUE(write_plain_value(out, *wire));
  EXPECT_EQ(out.str(), R"({"ss":["a","b"],"ns":[1,2.5],"b":"AAE="})");
  auto bad = parse_json(R"({"X":1})");
  JsonWriter ignored;
  EXPECT_FALSE(write_plain_value(ignored, *bad));
}

// Found by tests/fuzz/fuzz_dynamodb_response: a bad AttributeValue inside a list left the item's
// JSON writer inside the list, so the item's data was not JSON (an assertion in debug builds).
TEST(ItemCodec, AnUnreadableValueInsideAListBecomesNullAndTheDataStaysJson) {
  const auto attributes = parse_json(
      R"({"PK":{"S":"TENANT#t1"},"SK":{"S":"META"},"tags":{"L":[{"S":"a"},{"BOO^L":true}]},)"
      R"("meta":{"M":{"n":{"N":"1.5"},"bad":{"X":1}}},"name":{"S":"kept"}})");
  ASSERT_TRUE(attributes);
  const auto item = parse_item(*attributes);
  ASSERT_TRUE(item);
  const auto data = parse_json(item->data);
  ASSERT_TRUE(data) << item->data;
  EXPECT_TRUE((*data)["tags"].IsNull());
  EXPECT_TRUE((*data)["meta"].IsNull());
  EXPECT_EQ(as_view((*data)["name"]), "kept");
}

TEST(ItemCodec, ATtlTooLongForAnInt64IsIgnoredNotOverflowed) {
  const auto attributes =
      parse_json(R"({"PK":{"S":"p"},"SK":{"S":"s"},"ttl":{"N":"99999999999999999999999"}})");
  ASSERT_TRUE(attributes);
  const auto item = parse_item(*attributes);
  ASSERT_TRUE(item);
  EXPECT_FALSE(item->ttl.has_value());
}

}  // namespace
}  // namespace tenantd::store::dynamodb
