#include "core/json.hpp"

#include <limits>

#include "core/json_input.hpp"

namespace tenantd {

namespace {
// Every parse is bounded in depth: the DOM parser and writer recurse once per level, so a
// deeply nested text (from any peer) would otherwise exhaust the stack.
constexpr JsonLimits kAnyJson{std::numeric_limits<std::size_t>::max(), 256, false};
}  // namespace

JsonScratch::JsonScratch()
    : buffer_(new char[kBufferBytes]), pool_(buffer_.get(), kBufferBytes), doc_(&pool_) {}

const JsonValue* JsonScratch::parse(std::string_view text) {
  if (scan_json_text(text, kAnyJson)) {
    return nullptr;
  }
  doc_.SetNull();
  pool_.Clear();  // keeps the buffer, frees what a larger text added
  doc_.Parse(text.data(), text.size());
  return doc_.HasParseError() ? nullptr : &doc_;
}

std::optional<JsonDoc> parse_json(std::string_view text) {
  if (scan_json_text(text, kAnyJson)) {
    return std::nullopt;
  }
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
