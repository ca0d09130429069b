#include "store/dynamodb/attribute_value.hpp"

#include <charconv>

namespace tenantd::store::dynamodb {

namespace {

// A DynamoDB number string as a JSON number: integers exactly, anything else through the JSON
// parser (DynamoDB numbers are always valid JSON numbers, e.g. "1.5", "-2E+3").
bool write_number(JsonWriter& out, std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size()) {
    out.value(n);
    return true;
  }
  auto doc = parse_json(text);
  if (!doc || !doc->IsNumber()) {
    return false;
  }
  out.value(static_cast<const JsonValue&>(*doc));
  return true;
}

}  // namespace

void write_attribute_value(JsonWriter& out, const JsonValue& value) {
  out.begin_object();
  switch (value.GetType()) {
    case rapidjson::kNullType:
      out.field("NULL", true);
      break;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      out.field("BOOL", value.GetBool());
      break;
    case rapidjson::kStringType:
      out.field("S", as_view(value));
      break;
    case rapidjson::kNumberType:
      out.key("N").value(to_json(value));
      break;
    case rapidjson::kObjectType:
      out.key("M").begin_object();
      for (const auto& m : value.GetObject()) {
        out.key(as_view(m.name));
        write_attribute_value(out, m.value);
      }
      out.end_object();
      break;
    case rapidjson::kArrayType:
      out.key("L").begin_array();
      for (const auto& v : value.GetArray()) {
        write_attribute_value(out, v);
      }
      out.end_array();
      break;
  }
  out.end_object();
}

bool write_plain_value(JsonWriter& out, const JsonValue& attribute) {
  if (!attribute.IsObject() || attribute.MemberCount() != 1) {
    return false;
  }
  const auto& m = *attribute.MemberBegin();
  const std::string_view type = as_view(m.name);
  const JsonValue& v = m.value;
  if ((type == "S" || type == "B") && v.IsString()) {  // binary stays base64 text
    out.value(as_view(v));
  } else if (type == "N" && v.IsString()) {
    return write_number(out, as_view(v));
  } else if (type == "BOOL" && v.IsBool()) {
    out.value(v.GetBool());
  } else if (type == "NULL") {
    out.null();
  } else if (type == "M" && v.IsObject()) {
    out.begin_object();
    for (const auto& member : v.GetObject()) {
      out.key(as_view(member.name));
      if (!write_plain_value(out, member.value)) {
        return false;
      }
    }
    out.end_object();
  } else if (type == "L" && v.IsArray()) {
    out.begin_array();
    for (const auto& element : v.GetArray()) {
      if (!write_plain_value(out, element)) {
        return false;
      }
    }
    out.end_array();
  } else if ((type == "SS" || type == "BS" || type == "NS") && v.IsArray()) {
    out.begin_array();
    for (const auto& element : v.GetArray()) {
      if (!element.IsString()) {
        return false;
      }
      if (type == "NS") {
        if (!write_number(out, as_view(element))) {
          return false;
        }
      } else {
        out.value(as_view(element));
      }
    }
    out.end_array();
  } else {
    return false;
  }
  return true;
}

}  // namespace tenantd::store::dynamodb
