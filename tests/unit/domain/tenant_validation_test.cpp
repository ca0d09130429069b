#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/strings.hpp"
#include "domain/tenant.hpp"

namespace tenantd::domain {
namespace {

std::string repeat(const std::string& unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += unit;
  }
  return out;
}

std::vector<FieldError> org_errors(std::string_view name) {
  std::vector<FieldError> errors;
  check_organization_name(name, errors);
  return errors;
}

std::vector<FieldError> email_errors(std::string_view email) {
  std::vector<FieldError> errors;
  check_email("contactEmail", email, errors);
  return errors;
}

std::vector<FieldError> node_errors(std::string_view name) {
  std::vector<FieldError> errors;
  check_node_name("division", name, errors);
  return errors;
}

std::vector<FieldError> reason_errors(std::string_view reason) {
  std::vector<FieldError> errors;
  check_reason("reason", reason, errors);
  return errors;
}

std::vector<FieldError> placement_errors(std::optional<std::string> division,
                                         std::optional<std::string> group,
                                         std::optional<std::string> team) {
  std::vector<FieldError> errors;
  check_placement(division, group, team, errors);
  return errors;
}

std::vector<FieldError> metadata_errors(const Metadata& metadata, std::size_t size) {
  std::vector<FieldError> errors;
  check_metadata(metadata, size, errors);
  return errors;
}

// Asserts exactly one error with the given field and code.
void expect_one(const std::vector<FieldError>& errors, const std::string& field,
                const std::string& code, const std::string& context) {
  ASSERT_EQ(errors.size(), 1U) << context;
  EXPECT_EQ(errors[0].field, field) << context;
  EXPECT_EQ(errors[0].code, code) << context;
  EXPECT_FALSE(errors[0].message.empty()) << context;
}

// ---- utf8_length ----

TEST(Utf8Length, CountsCodePointsAndRejectsMalformedInput) {
  EXPECT_EQ(utf8_length(""), 0U);
  EXPECT_EQ(utf8_length("abc"), 3U);
  EXPECT_EQ(utf8_length("caf\xC3\xA9"), 4U);                  // café
  EXPECT_EQ(utf8_length("\xE6\x9D\xB1\xE4\xBA\xAC"), 2U);     // 東京
  EXPECT_EQ(utf8_length("\xF0\x9F\x9A\x80"), 1U);             // rocket emoji
  EXPECT_FALSE(utf8_length("\xFF").has_value());              // never valid
  EXPECT_FALSE(utf8_length("\xC3").has_value());              // truncated
  EXPECT_FALSE(utf8_length("\xE6\x9D").has_value());          // truncated
  EXPECT_FALSE(utf8_length("\x80").has_value());              // stray continuation
  EXPECT_FALSE(utf8_length("\xC0\xAF").has_value());          // overlong '/'
  EXPECT_FALSE(utf8_length("\xE0\x80\xAF").has_value());      // overlong '/'
  EXPECT_FALSE(utf8_length("\xED\xA0\x80").has_value());      // UTF-16 surrogate
  EXPECT_FALSE(utf8_length("\xF4\x90\x80\x80").has_value());  // past U+10FFFF
  EXPECT_FALSE(utf8_length("\xC3(").has_value());             // bad continuation
}

// ---- organizationName ----

TEST(OrganizationName, LengthBoundariesAreTwoAndOneHundred) {
  expect_one(org_errors("A"), "organizationName", "TOO_SHORT", "1 char");
  EXPECT_TRUE(org_errors("AB").empty());
  EXPECT_TRUE(org_errors(repeat("a", 100)).empty());
  const auto errors = org_errors(repeat("a", 101));
  expect_one(errors, "organizationName", "TOO_LONG", "101 chars");
  EXPECT_EQ(errors[0].message, "organizationName must be at most 100 characters");
  EXPECT_EQ(org_errors("A")[0].message, "organizationName must be at least 2 characters");
}

TEST(OrganizationName, BlankIsRequired) {
  expect_one(org_errors(""), "organizationName", "REQUIRED", "empty");
  expect_one(org_errors("   "), "organizationName", "REQUIRED", "spaces");
}

TEST(OrganizationName, LengthIsMeasuredAfterTrimming) {
  expect_one(org_errors("   A   "), "organizationName", "TOO_SHORT", "padded 1 char");
  EXPECT_TRUE(org_errors("  " + repeat("a", 100) + "  ").empty());
  EXPECT_TRUE(org_errors(trim("  Acme  ")).empty());
}

TEST(OrganizationName, AcceptsLettersDigitsSpacesAndTheListedPunctuation) {
  for (const char* name : {"Acme Corp", "Acme - O'Neil & Sons, Ltd. (SA)", "3M", "A1 B2 C3",
                           "Smith & Wesson", "(Parens)", "Dot.Com", "a,b"}) {
    EXPECT_TRUE(org_errors(name).empty()) << name;
  }
}

TEST(OrganizationName, RejectsOtherAsciiCharacters) {
  for (const char* name :
       {"Acme!", "Acme@Corp", "Acme_Corp", "a/b", "semi;colon", "<script>", "50%", "A+B",
        "quote\"d", "tab\there", "new\nline", "back\\slash", "hash#tag", "del\x7f"}) {
    expect_one(org_errors(name), "organizationName", "INVALID_FORMAT", name);
  }
}

TEST(OrganizationName, AcceptsNonAsciiLettersInAnyScript) {
  for (const char* name : {"M\xC3\xBCller GmbH",                                   // Müller GmbH
                           "Caf\xC3\xA9 de Flore",                                 // Café de Flore
                           "\xE6\x9D\xB1\xE4\xBA\xAC\xE6\xA0\xAA\xE5\xBC\x8F",     // 東京株式
                           "\xCE\xA9mega",                                         // Ωmega
                           "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"}) {  // Москва
    EXPECT_TRUE(org_errors(name).empty()) << name;
  }
}

TEST(OrganizationName, RejectsFormatCharactersSymbolsAndOtherSpaces) {
  for (const char* name : {"Acme\xE2\x80\xAE"
                           "Corp",  // U+202E RIGHT-TO-LEFT OVERRIDE
                           "Ac\xE2\x80\x8B"
                           "me",                     // U+200B ZERO WIDTH SPACE
                           "Acme\xE2\x80\x8D",       // U+200D ZERO WIDTH JOINER
                           "Acme \xF0\x9F\x98\x80",  // an emoji
                           "Acme\xC2\xA9",           // (c) sign
                           "Acme\xC2\xA0"
                           "Corp",  // NO-BREAK SPACE
                           "Acme\xE2\x80\xA8"
                           "Corp"}) {  // LINE SEPARATOR
    expect_one(org_errors(name), "organizationName", "INVALID_FORMAT", name);
  }
  // Combining marks are part of letters: "cafe" + U+0301 is the NFC name "café".
  EXPECT_TRUE(org_errors("Cafe\xCC\x81 Noir").empty());
}

TEST(NodeName, RejectsFormatCharactersAndSymbolsButAcceptsPunctuation) {
  EXPECT_FALSE(node_errors("Sales\xE2\x80\xAE").empty());
  EXPECT_FALSE(node_errors("Sales \xF0\x9F\x9A\x80").empty());
  EXPECT_TRUE(node_errors("R&D / EMEA").empty());
}

TEST(FreeText, RejectsBidiOverridesAndZeroWidthCharacters) {
  std::vector<FieldError> errors;
  check_reason("reason",
               "Unpaid invoice \xE2\x80\xAE"
               "evil",
               errors);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].code, "INVALID_FORMAT");
  errors.clear();
  check_reason("reason", "Unpaid invoice\nsee ticket 42", errors);
  EXPECT_TRUE(errors.empty());
}

TEST(OrganizationName, CountsCodePointsNotBytes) {
  // 2 code points in 6 bytes is long enough; 1 code point in 2 bytes is not.
  EXPECT_TRUE(org_errors("\xE6\x9D\xB1\xE4\xBA\xAC").empty());
  expect_one(org_errors("\xC3\xA9"), "organizationName", "TOO_SHORT", "single e-acute");
  // 100 two-byte letters (200 bytes) fit; 101 do not.
  EXPECT_TRUE(org_errors(repeat("\xC3\xA9", 100)).empty());
  expect_one(org_errors(repeat("\xC3\xA9", 101)), "organizationName", "TOO_LONG", "101 e-acute");
}

TEST(OrganizationName, RejectsMalformedUtf8AndC1Controls) {
  for (const std::string& name : {std::string("Acme\xFF"), std::string("Acme\xC3"),
                                  std::string("Acme\xC0\xAF"), std::string("Acme\xED\xA0\x80"),
                                  std::string("Acme\xC2\x85"), std::string("Acme\xC2\x9F")}) {
    expect_one(org_errors(name), "organizationName", "INVALID_FORMAT", "malformed");
  }
}

TEST(OrganizationName, ReportsLengthAndCharacterProblemsTogether) {
  const auto errors = org_errors(repeat("a", 101) + "!");
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors[0].code, "TOO_LONG");
  EXPECT_EQ(errors[1].code, "INVALID_FORMAT");
}

// ---- e-mail ----

TEST(Email, AcceptsPracticalAddresses) {
  for (const char* email :
       {"user@example.com", "first.last@example.co.uk", "user+tag@sub.example.org",
        "o'brien@example.ie", "a@b.co", "x_y-z@my-domain.io", "1234@example.com",
        "!#$%&'*+/=?^_`{|}~-@example.com", "USER@EXAMPLE.COM", "user@123.example.com",
        "user@xn--bcher-kva.example"}) {
    EXPECT_TRUE(email_errors(email).empty()) << email;
  }
}

TEST(Email, RejectsMalformedAddresses) {
  for (const char* email : {"plain",
                            "@example.com",
                            "user@",
                            "user@@example.com",
                            "a@b@example.com",
                            "user@example",
                            "user@example.c",
                            "user@example.123",
                            "user@example.c0m",
                            ".user@example.com",
                            "user.@example.com",
                            "us..er@example.com",
                            "user@-example.com",
                            "user@example-.com",
                            "user@exa_mple.com",
                            "user@example..com",
                            "user@.example.com",
                            "user@example.com.",
                            "user name@example.com",
                            "user@exam ple.com",
                            "\xC3\xBCser@example.com",
                            "user@ex\xC3\xA4mple.com",
                            "\"quoted\"@example.com",
                            "user@[127.0.0.1]",
                            " user@example.com",
                            "user@example.com ",
                            "user(comment)@example.com",
                            "user@example.com\n",
                            "user\x01@example.com"}) {
    expect_one(email_errors(email), "contactEmail", "INVALID_FORMAT", email);
  }
}

TEST(Email, EmptyIsRequired) {
  expect_one(email_errors(""), "contactEmail", "REQUIRED", "empty");
}

TEST(Email, LocalPartIsAtMostSixtyFourCharacters) {
  EXPECT_TRUE(email_errors(repeat("a", 64) + "@example.com").empty());
  expect_one(email_errors(repeat("a", 65) + "@example.com"), "contactEmail", "INVALID_FORMAT",
             "65-char local part");
}

TEST(Email, WholeAddressIsAtMostTwoHundredFiftyFourCharacters) {
  // 64 + 1 + (63 + 1 + 63 + 1 + x + 4) with every label within 63 characters.
  const std::string base = repeat("a", 64) + "@" + repeat("b", 63) + "." + repeat("c", 63) + ".";
  const std::string at_limit = base + repeat("d", 57) + ".com";
  const std::string over_limit = base + repeat("d", 58) + ".com";
  ASSERT_EQ(at_limit.size(), 254U);
  ASSERT_EQ(over_limit.size(), 255U);
  EXPECT_TRUE(email_errors(at_limit).empty());
  const auto errors = email_errors(over_limit);
  expect_one(errors, "contactEmail", "TOO_LONG", "255 chars");
  EXPECT_EQ(errors[0].message, "contactEmail must be at most 254 characters");
}

TEST(Email, DomainLabelsAreAtMostSixtyThreeCharacters) {
  EXPECT_TRUE(email_errors("u@" + repeat("a", 63) + ".com").empty());
  expect_one(email_errors("u@" + repeat("a", 64) + ".com"), "contactEmail", "INVALID_FORMAT",
             "64-char label");
}

TEST(Email, ErrorsNameTheFieldGiven) {
  std::vector<FieldError> errors;
  check_email("email", "nope", errors);
  expect_one(errors, "email", "INVALID_FORMAT", "custom field");
}

// ---- division / group / team names ----

TEST(NodeName, LengthBoundariesAreTwoAndFifty) {
  expect_one(node_errors("A"), "division", "TOO_SHORT", "1 char");
  EXPECT_TRUE(node_errors("AB").empty());
  EXPECT_TRUE(node_errors(repeat("x", 50)).empty());
  const auto errors = node_errors(repeat("x", 51));
  expect_one(errors, "division", "TOO_LONG", "51 chars");
  EXPECT_EQ(errors[0].message, "division must be at most 50 characters");
}

TEST(NodeName, IsTrimmedBeforeMeasuring) {
  expect_one(node_errors("  A  "), "division", "TOO_SHORT", "padded");
  EXPECT_TRUE(node_errors("  " + repeat("x", 50) + "  ").empty());
  expect_one(node_errors("   "), "division", "REQUIRED", "blank");
}

TEST(NodeName, AllowsAnyPrintableTextButNoControlCharacters) {
  EXPECT_TRUE(node_errors("R&D / Platform_Team #1!").empty());
  EXPECT_TRUE(node_errors("\xC3\x89quipe").empty());  // Équipe
  EXPECT_TRUE(node_errors(repeat("\xC3\xA9", 50)).empty());
  expect_one(node_errors(repeat("\xC3\xA9", 51)), "division", "TOO_LONG", "51 e-acute");
  expect_one(node_errors("Eng\tTeam"), "division", "INVALID_FORMAT", "tab");
  expect_one(node_errors("Eng\x1bTeam"), "division", "INVALID_FORMAT", "escape");
  expect_one(node_errors("Eng\xFFTeam"), "division", "INVALID_FORMAT", "bad utf-8");
}

// ---- placement ----

TEST(Placement, AcceptsEveryPrefixOfTheHierarchy) {
  EXPECT_TRUE(placement_errors(std::nullopt, std::nullopt, std::nullopt).empty());
  EXPECT_TRUE(placement_errors("Sales", std::nullopt, std::nullopt).empty());
  EXPECT_TRUE(placement_errors("Sales", "EMEA", std::nullopt).empty());
  EXPECT_TRUE(placement_errors("Sales", "EMEA", "Berlin").empty());
}

TEST(Placement, GroupNeedsDivision) {
  expect_one(placement_errors(std::nullopt, "EMEA", std::nullopt), "group", "DEPENDENCY",
             "group only");
  expect_one(placement_errors(std::nullopt, "EMEA", "Berlin"), "group", "DEPENDENCY",
             "group and team");
}

TEST(Placement, TeamNeedsGroup) {
  expect_one(placement_errors(std::nullopt, std::nullopt, "Berlin"), "team", "DEPENDENCY",
             "team only");
  expect_one(placement_errors("Sales", std::nullopt, "Berlin"), "team", "DEPENDENCY",
             "division and team");
}

// ---- park / suspend reasons ----

TEST(Reason, LengthBoundariesAreTenAndFiveHundred) {
  expect_one(reason_errors(repeat("r", 9)), "reason", "TOO_SHORT", "9 chars");
  EXPECT_EQ(reason_errors(repeat("r", 9))[0].message, "reason must be at least 10 characters");
  EXPECT_TRUE(reason_errors(repeat("r", 10)).empty());
  EXPECT_TRUE(reason_errors(repeat("r", 500)).empty());
  expect_one(reason_errors(repeat("r", 501)), "reason", "TOO_LONG", "501 chars");
  EXPECT_EQ(reason_errors(repeat("r", 501))[0].message, "reason must be at most 500 characters");
}

TEST(Reason, IsTrimmedAndCountedInCodePoints) {
  expect_one(reason_errors("    " + repeat("r", 9) + "    "), "reason", "TOO_SHORT", "padded 9");
  expect_one(reason_errors(" \n "), "reason", "REQUIRED", "blank");
  EXPECT_TRUE(reason_errors(repeat("\xC3\xA9", 10)).empty());
  expect_one(reason_errors(repeat("\xC3\xA9", 9)), "reason", "TOO_SHORT", "9 e-acute");
}

TEST(Reason, AllowsLineBreaksButNotOtherControlCharacters) {
  EXPECT_TRUE(reason_errors("Unpaid invoice,\nsee ticket 42").empty());
  expect_one(reason_errors("Unpaid invoice\x01 again"), "reason", "INVALID_FORMAT", "SOH");
  expect_one(reason_errors("Unpaid invoice \xFF again"), "reason", "INVALID_FORMAT", "bad utf-8");
}

// ---- metadata ----

Metadata metadata_with_keys(std::size_t count) {
  Metadata metadata;
  for (std::size_t i = 0; i < count; ++i) {
    metadata["key" + std::to_string(i)] = std::int64_t{1};
  }
  return metadata;
}

TEST(Metadata, AtMostFiftyKeys) {
  EXPECT_TRUE(metadata_errors(metadata_with_keys(50), 100).empty());
  const auto errors = metadata_errors(metadata_with_keys(51), 100);
  expect_one(errors, "metadata", "TOO_MANY", "51 keys");
  EXPECT_EQ(errors[0].message, "metadata must have at most 50 keys");
}

TEST(Metadata, KeysAreOneToOneHundredTwentyEightCharacters) {
  const Metadata ok = {{"a", true}, {repeat("k", 128), std::string("v")}};
  EXPECT_TRUE(metadata_errors(ok, 200).empty());
  const std::string long_key = repeat("k", 129);
  expect_one(metadata_errors({{long_key, 1.5}}, 200), "metadata." + long_key, "INVALID_VALUE",
             "129-char key");
  expect_one(metadata_errors({{"", std::string("v")}}, 20), "metadata.", "INVALID_VALUE",
             "empty key");
}

TEST(Metadata, SerialisedSizeIsAtMostEightKiB) {
  EXPECT_TRUE(metadata_errors(metadata_with_keys(1), 8192).empty());
  const auto errors = metadata_errors(metadata_with_keys(1), 8193);
  expect_one(errors, "metadata", "TOO_LARGE", "8193 bytes");
  EXPECT_EQ(errors[0].message, "metadata must be at most 8192 bytes when serialised");
}

TEST(Metadata, ReportsEveryProblemAtOnce) {
  Metadata metadata = metadata_with_keys(51);
  metadata[repeat("z", 129)] = false;
  const auto errors = metadata_errors(metadata, 9000);
  ASSERT_EQ(errors.size(), 3U);
  EXPECT_EQ(errors[0].code, "TOO_MANY");
  EXPECT_EQ(errors[1].code, "INVALID_VALUE");
  EXPECT_EQ(errors[1].field, "metadata." + repeat("z", 129));
  EXPECT_EQ(errors[2].code, "TOO_LARGE");
}

TEST(Validation, AppendsToExistingErrorsWithoutClearingThem) {
  std::vector<FieldError> errors = {{"other", "REQUIRED", "other is required"}};
  check_organization_name("A", errors);
  check_email("contactEmail", "bad", errors);
  check_placement(std::nullopt, "g", std::nullopt, errors);
  ASSERT_EQ(errors.size(), 4U);
  EXPECT_EQ(errors[0].field, "other");
  EXPECT_EQ(errors[1].field, "organizationName");
  EXPECT_EQ(errors[2].field, "contactEmail");
  EXPECT_EQ(errors[3].field, "group");
}

}  // namespace
}  // namespace tenantd::domain
