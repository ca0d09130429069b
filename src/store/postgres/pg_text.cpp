#include "store/postgres/pg_text.hpp"

#include <cstdint>

#include "core/unicode_text.hpp"

namespace tenantd::store::postgres {

namespace {

// Where the last code point of `text` starts (continuation bytes are 10xxxxxx).
std::size_t last_code_point_start(std::string_view text) {
  std::size_t i = text.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
    --i;
  }
  return i;
}

std::uint32_t decode(std::string_view bytes) {
  const auto lead = static_cast<unsigned char>(bytes[0]);
  std::uint32_t cp = 0;
  std::size_t extra = 0;
  if (lead < 0x80) {
    return lead;
  }
  if (lead >= 0xF0) {
    cp = lead & 0x07U;
    extra = 3;
  } else if (lead >= 0xE0) {
    cp = lead & 0x0FU;
    extra = 2;
  } else {
    cp = lead & 0x1FU;
    extra = 1;
  }
  for (std::size_t i = 1; i <= extra && i < bytes.size(); ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(bytes[i]) & 0x3FU);
  }
  return cp;
}

}  // namespace

std::optional<std::string> utf8_prefix_successor(std::string_view prefix) {
  std::string head(prefix);
  while (!head.empty()) {
    const std::size_t start = last_code_point_start(head);
    std::uint32_t cp = decode(std::string_view(head).substr(start));
    head.resize(start);
    if (cp >= 0x10FFFF) {
      continue;  // no greater code point: the one before it must grow instead
    }
    ++cp;
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xE000;  // surrogates are not characters
    }
    const char32_t next = cp;
    head += unicode::encode_utf8(std::u32string_view(&next, 1));
    return head;
  }
  return std::nullopt;
}

std::string text_array_literal(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace tenantd::store::postgres
