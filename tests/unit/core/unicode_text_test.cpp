#include "core/unicode_text.hpp"

#include <gtest/gtest.h>

namespace tenantd::unicode {
namespace {

TEST(UnicodeText, ClassesFollowTheGeneralCategory) {
  EXPECT_EQ(char_class(U'a'), CharClass::Letter);
  EXPECT_EQ(char_class(U'\u6771'), CharClass::Letter);  // 東
  EXPECT_EQ(char_class(U'\u0301'), CharClass::Mark);
  EXPECT_EQ(char_class(U'7'), CharClass::Digit);
  EXPECT_EQ(char_class(U'\u0663'), CharClass::Digit);  // Arabic-Indic three
  EXPECT_EQ(char_class(U' '), CharClass::Space);
  EXPECT_EQ(char_class(U'\u00A0'), CharClass::Space);
  EXPECT_EQ(char_class(U'\u202E'), CharClass::Format);  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(char_class(U'\u200B'), CharClass::Format);  // ZERO WIDTH SPACE
  EXPECT_EQ(char_class(U'\u200D'), CharClass::Format);  // ZERO WIDTH JOINER
  EXPECT_EQ(char_class(U'\x07'), CharClass::Control);
  EXPECT_EQ(char_class(U'\u2028'), CharClass::Control);    // LINE SEPARATOR
  EXPECT_EQ(char_class(U'\U0001F600'), CharClass::Other);  // an emoji
  EXPECT_EQ(char_class(U'\u00A9'), CharClass::Other);      // ©
  EXPECT_EQ(char_class(U'-'), CharClass::Punctuation);
}

TEST(UnicodeText, NfcComposesDecomposedTextAndKeepsComposedText) {
  EXPECT_EQ(nfc(std::string_view("cafe\xCC\x81")), "caf\xC3\xA9");  // e + U+0301 -> é
  EXPECT_EQ(nfc(std::string_view("caf\xC3\xA9")), "caf\xC3\xA9");
  // Hangul: U+1112 U+1161 U+11AB -> U+D55C (한)
  EXPECT_EQ(nfc(std::string_view("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB")), "\xED\x95\x9C");
  // Canonical ordering: dot below (220) before dot above (230) whatever the input order.
  EXPECT_EQ(nfc(std::u32string_view(U"q\u0307\u0323")), std::u32string(U"q\u0323\u0307"));
  // A singleton decomposition: ANGSTROM SIGN U+212B -> Å U+00C5.
  EXPECT_EQ(nfc(std::u32string_view(U"\u212B")), std::u32string(U"\u00C5"));
  // Composition exclusions stay decomposed.
  EXPECT_EQ(nfc(std::u32string_view(U"\u0958")), std::u32string(U"\u0915\u093C"));
}

TEST(UnicodeText, ComparisonKeyFoldsCaseAndNormalisation) {
  EXPECT_EQ(comparison_key("CAF\xC3\x89"), comparison_key("cafe\xCC\x81"));  // CAFÉ, café
  EXPECT_EQ(comparison_key("Stra\xC3\x9F"
                           "e"),
            comparison_key("STRASSE"));                 // ß -> ss
  EXPECT_EQ(comparison_key("Acme Corp"), "acme corp");  // ASCII: lower
  EXPECT_NE(comparison_key("acme"), comparison_key("acm\xC3\xA9"));
}

// ASCII text skips the tables; appending a precomposed non-ASCII letter (which composes with
// nothing before it) sends the same text through the full algorithm to compare.
TEST(UnicodeText, AsciiTextTakesTheShortCutWithTheFullAlgorithmsAnswer) {
  const std::string e_acute = "\xC3\xA9";          // é
  const std::string capital_e_acute = "\xC3\x89";  // É
  for (int a = 0; a < 0x80; ++a) {
    for (int b = 0; b < 0x80; ++b) {
      const std::string ascii{static_cast<char>(a), static_cast<char>(b)};
      ASSERT_EQ(nfc(std::string_view(ascii)) + e_acute, nfc(std::string_view(ascii + e_acute)))
          << a << " " << b;
      ASSERT_EQ(comparison_key(ascii) + e_acute, comparison_key(ascii + capital_e_acute))
          << a << " " << b;
      const std::u32string wide{static_cast<char32_t>(a), static_cast<char32_t>(b)};
      ASSERT_EQ(nfc(std::u32string_view(wide)) + U'\u00E9', nfc(wide + U'\u00E9')) << a << " " << b;
    }
  }
}

TEST(UnicodeText, InvalidUtf8IsRepairedForEchoing) {
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));
  EXPECT_FALSE(
      is_valid_utf8("a\xFF"
                    "b"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong '/'
  EXPECT_EQ(to_valid_utf8("a\xFF"
                          "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(to_valid_utf8("ok"), "ok");
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xC3\x28\xE2\x82")));
}

}  // namespace
}  // namespace tenantd::unicode
