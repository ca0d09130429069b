#include "core/json.hpp"

namespace tenantd {

std::optional<JsonDoc> parse_json(std::string_view text) {
  JsonDoc doc;
  // Default flags reject trailing content after the root value.
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return std::nullopt;
  }
  return doc;
}

std::string to_json(const JsonValue& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace tenantd
