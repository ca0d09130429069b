#pragma once
// JSON at the edges: rapidjson (DOM for parsing, a streaming writer for output).
// See docs/decisions/0002-json-library.md for why rapidjson.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tenantd {

using JsonDoc = rapidjson::Document;
using JsonValue = rapidjson::Value;

// Parses text into a document; nullopt when it is not well-formed JSON.
std::optional<JsonDoc> parse_json(std::string_view text);

// Parses texts one after another into a reused buffer, for decoders that do not keep the
// document past their return (a page of stored items): a document of its own allocates and frees
// a 64 KiB pool per text, and that allocation with the allocator's consolidation of small chunks
// around it was a fifth of a list page's CPU (docs/performance.md, 2026-12-05).
class JsonScratch {
 public:
  JsonScratch();
  JsonScratch(const JsonScratch&) = delete;
  JsonScratch& operator=(const JsonScratch&) = delete;
  // The document parsed from `text`, valid until the next parse on this scratch; nullptr when
  // `text` is not well-formed JSON (the rules of parse_json).
  const JsonValue* parse(std::string_view text);

 private:
  static constexpr std::size_t kBufferBytes = 8192;  // a stored item's DOM fits in it
  std::unique_ptr<char[]> buffer_;
  rapidjson::MemoryPoolAllocator<> pool_;
  JsonDoc doc_;
};

// Serialises any value (compact).
std::string to_json(const JsonValue& value);

inline std::string_view as_view(const JsonValue& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

// Streaming writer with a fluent, key/value-oriented surface.
class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}

  JsonWriter& begin_object() {
    writer_.StartObject();
    return *this;
  }
  JsonWriter& end_object() {
    writer_.EndObject();
    return *this;
  }
  JsonWriter& begin_array() {
    writer_.StartArray();
    return *this;
  }
  JsonWriter& end_array() {
    writer_.EndArray();
    return *this;
  }
  JsonWriter& key(std::string_view k) {
    writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  JsonWriter& value(std::string_view v) {
    writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
  }
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(std::int64_t v) {
    writer_.Int64(v);
    return *this;
  }
  JsonWriter& value(int v) {
    writer_.Int(v);
    return *this;
  }
  JsonWriter& value(double v) {
    writer_.Double(v);
    return *this;
  }
  JsonWriter& value(bool v) {
    writer_.Bool(v);
    return *this;
  }
  JsonWriter& null() {
    writer_.Null();
    return *this;
  }
  // Inserts an already-serialised JSON value verbatim.
  JsonWriter& raw(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  JsonWriter& value(const JsonValue& v) {
    v.Accept(writer_);
    return *this;
  }

  template <class V>
  JsonWriter& field(std::string_view k, const V& v) {
    key(k);
    return value(v);
  }
  // Writes the field only when it has a value (absent optional fields are omitted).
  template <class V>
  JsonWriter& field(std::string_view k, const std::optional<V>& v) {
    if (v) {
      key(k);
      value(*v);
    }
    return *this;
  }

  std::string str() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }
  std::string_view view() const { return std::string_view(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace tenantd
