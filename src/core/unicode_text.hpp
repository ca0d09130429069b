#pragma once
// The Unicode that human-readable names need: character classes by general category, NFC
// normalisation, case folding for comparison, and a UTF-8 repair for echoing untrusted bytes.
// Tables are generated from the Unicode database (scripts/gen_unicode_tables.py); the choice over
// ICU is in docs/decisions/0019-names-unicode.md. Plain functions, so fuzz targets can call them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tenantd::unicode {

// Letter: L*; Mark: M*; Digit: Nd; Space: Zs; Punctuation: P*; Format: Cf (bidi controls,
// zero-width characters); Control: Cc, Zl, Zp; Other: symbols (emoji), other numbers,
// unassigned, private use.
enum class CharClass : std::uint8_t {
  Letter,
  Mark,
  Digit,
  Space,
  Punctuation,
  Format,
  Control,
  Other
};

CharClass char_class(char32_t cp);

// The code points of valid UTF-8 (no overlongs, surrogates or values past U+10FFFF).
std::optional<std::u32string> decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);

// Canonical composition (Unicode normalisation form C).
std::u32string nfc(std::u32string_view text);
// NFC of valid UTF-8; invalid input is returned unchanged.
std::string nfc(std::string_view utf8);

// The form names are compared in: NFC, full case folding, NFC again. Two names with the same
// key look the same to a reader ("Ａcme" and "acme" do not: width is not folded).
std::string comparison_key(std::string_view utf8);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, for echoing untrusted bytes
// (a request path) into a JSON body or a log line. Valid text is returned unchanged.
std::string to_valid_utf8(std::string_view text);
bool is_valid_utf8(std::string_view text);

}  // namespace tenantd::unicode
