#include "store/postgres/pg_text.hpp"

#include <cstdint>

namespace tenantd::store::postgres {

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

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
    append_utf8(head, cp);
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
