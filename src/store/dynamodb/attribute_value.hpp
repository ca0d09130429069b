#pragma once
// JSON <-> DynamoDB AttributeValue: the item's data attributes become real DynamoDB attributes
// (strings S, numbers N, booleans BOOL, null NULL, objects M, arrays L), so operators read them
// with the AWS CLI under the API's field names.
#include "core/json.hpp"

namespace tenantd::store::dynamodb {

// {"S":"x"}, {"N":"12"}, {"M":{...}}, ...
void write_attribute_value(JsonWriter& out, const JsonValue& value);

// The plain JSON of an AttributeValue. Sets become arrays and binary a base64 string (items
// written by other tools); false when `attribute` is not an AttributeValue, and then `out`
// may hold a partial value: discard it.
bool write_plain_value(JsonWriter& out, const JsonValue& attribute);

}  // namespace tenantd::store::dynamodb
