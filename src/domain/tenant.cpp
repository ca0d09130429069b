#include "domain/tenant.hpp"

#include <cstddef>
#include <string>
#include <utility>

#include "core/strings.hpp"
#include "core/unicode_text.hpp"

namespace tenantd::domain {

namespace {

// ---- Names ----

struct StatusName {
  TenantStatus status;
  std::string_view name;
};
constexpr std::array<StatusName, 6> kStatusNames = {{
    {TenantStatus::Pending, "PENDING"},
    {TenantStatus::Active, "ACTIVE"},
    {TenantStatus::Suspended, "SUSPENDED"},
    {TenantStatus::Parked, "PARKED"},
    {TenantStatus::Failed, "FAILED"},
    {TenantStatus::Deprovisioned, "DEPROVISIONED"},
}};

struct ActionName {
  TenantAction action;
  std::string_view name;
};
constexpr std::array<ActionName, 8> kActionNames = {{
    {TenantAction::Activate, "activate"},
    {TenantAction::Fail, "fail"},
    {TenantAction::Retry, "retry"},
    {TenantAction::Suspend, "suspend"},
    {TenantAction::Resume, "resume"},
    {TenantAction::Park, "park"},
    {TenantAction::Unpark, "unpark"},
    {TenantAction::Deprovision, "deprovision"},
}};

struct EnvironmentName {
  Environment env;
  std::string_view name;
};
constexpr std::array<EnvironmentName, 3> kEnvironmentNames = {{
    {Environment::Dev, "dev"},
    {Environment::Sit, "sit"},
    {Environment::Prod, "prod"},
}};

// ---- The state machine: the single source of truth (docs/tenants.md). ----

struct Transition {
  TenantStatus from;
  TenantAction action;
  TenantStatus to;
};
constexpr std::array<Transition, 12> kTransitions = {{
    {TenantStatus::Pending, TenantAction::Activate, TenantStatus::Active},
    {TenantStatus::Pending, TenantAction::Fail, TenantStatus::Failed},
    {TenantStatus::Failed, TenantAction::Retry, TenantStatus::Pending},
    {TenantStatus::Active, TenantAction::Suspend, TenantStatus::Suspended},
    {TenantStatus::Suspended, TenantAction::Resume, TenantStatus::Active},
    {TenantStatus::Active, TenantAction::Park, TenantStatus::Parked},
    {TenantStatus::Parked, TenantAction::Unpark, TenantStatus::Active},
    {TenantStatus::Active, TenantAction::Deprovision, TenantStatus::Deprovisioned},
    {TenantStatus::Suspended, TenantAction::Deprovision, TenantStatus::Deprovisioned},
    {TenantStatus::Parked, TenantAction::Deprovision, TenantStatus::Deprovisioned},
    {TenantStatus::Pending, TenantAction::Deprovision, TenantStatus::Deprovisioned},
    {TenantStatus::Failed, TenantAction::Deprovision, TenantStatus::Deprovisioned},
}};

// PATCH /status maps a target back to one action, so no two rows may share (from, to).
constexpr bool from_to_pairs_are_unique() {
  for (std::size_t i = 0; i < kTransitions.size(); ++i) {
    for (std::size_t j = i + 1; j < kTransitions.size(); ++j) {
      const bool same_pair =
          kTransitions[i].from == kTransitions[j].from && kTransitions[i].to == kTransitions[j].to;
      const bool same_action = kTransitions[i].from == kTransitions[j].from &&
                               kTransitions[i].action == kTransitions[j].action;
      if (same_pair || same_action) {
        return false;
      }
    }
  }
  return true;
}
static_assert(from_to_pairs_are_unique(), "tenant transition table has a duplicate row");

// ---- UTF-8 ----

// Decodes one code point at `pos`; on malformed input returns nullopt and `len` is 1 so that
// callers can skip the offending byte and keep counting.
std::optional<char32_t> decode_utf8(std::string_view text, std::size_t pos, std::size_t& len) {
  len = 1;
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    return static_cast<char32_t>(lead);
  }
  std::size_t need = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    need = 1;
    cp = lead & 0x1F;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    need = 2;
    cp = lead & 0x0F;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    need = 3;
    cp = lead & 0x07;
    min = 0x10000;
  } else {
    return std::nullopt;  // stray continuation byte or 0xF8..0xFF
  }
  if (pos + need >= text.size()) {
    return std::nullopt;  // truncated sequence
  }
  for (std::size_t i = 1; i <= need; ++i) {
    const auto cont = static_cast<unsigned char>(text[pos + i]);
    if ((cont & 0xC0) != 0x80) {
      return std::nullopt;
    }
    cp = (cp << 6) | (cont & 0x3F);
  }
  // Overlong encodings, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return std::nullopt;
  }
  len = need + 1;
  return cp;
}

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

struct TextScan {
  std::size_t length = 0;  // code points; each malformed byte counts as one
  bool valid_utf8 = true;
  bool has_control = false;
};

TextScan scan(std::string_view text) {
  TextScan result;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t len = 1;
    const auto cp = decode_utf8(text, pos, len);
    if (!cp) {
      result.valid_utf8 = false;
    } else if (is_control(*cp)) {
      result.has_control = true;
    }
    ++result.length;
    pos += len;
  }
  return result;
}

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

void add(std::vector<FieldError>& errors, std::string field, std::string code,
         std::string message) {
  errors.push_back(FieldError{std::move(field), std::move(code), std::move(message)});
}

// Shared length rule: blank is REQUIRED, then the code-point bounds.
bool check_length(std::string_view field, std::size_t length, std::size_t min, std::size_t max,
                  std::vector<FieldError>& errors) {
  const std::string name(field);
  if (length == 0) {
    add(errors, name, "REQUIRED", name + " is required and must not be blank");
    return false;
  }
  if (length < min) {
    add(errors, name, "TOO_SHORT",
        name + " must be at least " + std::to_string(min) + " characters");
    return false;
  }
  if (length > max) {
    add(errors, name, "TOO_LONG", name + " must be at most " + std::to_string(max) + " characters");
    return false;
  }
  return true;
}

// ---- E-mail ----

bool is_local_char(char c) {
  if (is_ascii_alpha(c) || is_ascii_digit(c)) {
    return true;
  }
  constexpr std::string_view kSpecials = ".!#$%&'*+/=?^_`{|}~-";
  return kSpecials.find(c) != std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64) {
    return false;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char c : local) {
    if (!is_local_char(c)) {
      return false;
    }
  }
  return true;
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  for (const char c : label) {
    if (!is_ascii_alpha(c) && !is_ascii_digit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) {
    return false;
  }
  const auto last_dot = domain.rfind('.');
  if (last_dot == std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) {
      end = domain.size();
    }
    if (!valid_label(domain.substr(start, end - start))) {
      return false;
    }
    start = end + 1;
  }
  const auto tld = domain.substr(last_dot + 1);
  if (tld.size() < 2) {
    return false;
  }
  for (const char c : tld) {
    if (!is_ascii_alpha(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

// ---- Names ----

std::string_view to_string(TenantStatus status) {
  for (const auto& entry : kStatusNames) {
    if (entry.status == status) {
      return entry.name;
    }
  }
  return "UNKNOWN";
}

std::optional<TenantStatus> parse_tenant_status(std::string_view text) {
  for (const auto& entry : kStatusNames) {
    if (entry.name == text) {
      return entry.status;
    }
  }
  return std::nullopt;
}

std::string_view to_string(TenantAction action) {
  for (const auto& entry : kActionNames) {
    if (entry.action == action) {
      return entry.name;
    }
  }
  return "unknown";
}

std::optional<TenantAction> parse_tenant_action(std::string_view text) {
  for (const auto& entry : kActionNames) {
    if (entry.name == text) {
      return entry.action;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Environment env) {
  for (const auto& entry : kEnvironmentNames) {
    if (entry.env == env) {
      return entry.name;
    }
  }
  return "unknown";
}

std::optional<Environment> parse_environment(std::string_view text) {
  for (const auto& entry : kEnvironmentNames) {
    if (entry.name == text) {
      return entry.env;
    }
  }
  return std::nullopt;
}

// ---- State machine ----

std::optional<TenantStatus> tenant_transition(TenantStatus from, TenantAction action) {
  for (const auto& row : kTransitions) {
    if (row.from == from && row.action == action) {
      return row.to;
    }
  }
  return std::nullopt;
}

std::vector<TenantStatus> allowed_tenant_targets(TenantStatus from) {
  std::vector<TenantStatus> targets;
  for (const auto& row : kTransitions) {
    if (row.from != from) {
      continue;
    }
    bool seen = false;
    for (const auto target : targets) {
      seen = seen || target == row.to;
    }
    if (!seen) {
      targets.push_back(row.to);
    }
  }
  return targets;
}

std::optional<TenantAction> tenant_action_for(TenantStatus from, TenantStatus to) {
  for (const auto& row : kTransitions) {
    if (row.from == from && row.to == to) {
      return row.action;
    }
  }
  return std::nullopt;
}

Error invalid_transition(TenantStatus from, TenantStatus requested) {
  std::vector<std::string> allowed;
  for (const auto target : allowed_tenant_targets(from)) {
    allowed.emplace_back(to_string(target));
  }
  std::string message = "Cannot change tenant status from ";
  message += to_string(from);
  message += " to ";
  message += to_string(requested);
  return Error::make(ErrorCode::InvalidStatusTransition, std::move(message))
      .with("currentStatus", std::string(to_string(from)))
      .with("requestedStatus", std::string(to_string(requested)))
      .with("allowedTransitions", std::move(allowed));
}

// ---- Validation ----

std::optional<std::size_t> utf8_length(std::string_view text) {
  const auto result = scan(text);
  if (!result.valid_utf8) {
    return std::nullopt;
  }
  return result.length;
}

void check_organization_name(std::string_view trimmed, std::vector<FieldError>& errors) {
  constexpr std::string_view kField = "organizationName";
  // Callers pass the trimmed value; trimming again is harmless and keeps the rule self-contained.
  const std::string name = trim(trimmed);
  const auto text = scan(name);
  if (!check_length(kField, text.length, 2, 100, errors)) {
    // A blank name has no characters to judge; otherwise still report bad characters below.
    if (text.length == 0) {
      return;
    }
  }
  if (!text.valid_utf8) {
    add(errors, std::string(kField), "INVALID_FORMAT", "organizationName must be valid UTF-8 text");
    return;
  }
  // Judged in NFC, the form it is stored in: letters, marks and digits of every script, the
  // ASCII space and the listed punctuation. Symbols (emoji), other spaces and invisible format
  // characters (bidi overrides, zero-width joiners) would let two names look the same.
  constexpr std::string_view kPunctuation = " -'.&,()";
  const auto code_points = unicode::decode_utf8(name);
  if (!code_points) {
    add(errors, std::string(kField), "INVALID_FORMAT", "organizationName must be valid UTF-8 text");
    return;
  }
  for (const char32_t cp : unicode::nfc(*code_points)) {
    const auto cls = unicode::char_class(cp);
    if (cls == unicode::CharClass::Format || cls == unicode::CharClass::Control) {
      add(errors, std::string(kField), "INVALID_FORMAT",
          "organizationName must not contain control or invisible formatting characters "
          "(such as bidirectional overrides or zero-width characters)");
      return;
    }
    const bool ok = cp < 0x80
                        ? is_ascii_alpha(static_cast<char>(cp)) ||
                              is_ascii_digit(static_cast<char>(cp)) ||
                              kPunctuation.find(static_cast<char>(cp)) != std::string_view::npos
                        : cls == unicode::CharClass::Letter || cls == unicode::CharClass::Mark ||
                              cls == unicode::CharClass::Digit;
    if (!ok) {
      add(errors, std::string(kField), "INVALID_FORMAT",
          "organizationName may contain only letters, digits, spaces and the characters "
          "- ' . & , ( )");
      return;
    }
  }
}

void check_email(std::string_view field, std::string_view email, std::vector<FieldError>& errors) {
  const std::string name(field);
  if (email.empty()) {
    add(errors, name, "REQUIRED", name + " is required and must not be blank");
    return;
  }
  if (email.size() > 254) {
    add(errors, name, "TOO_LONG", name + " must be at most 254 characters");
    return;
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    add(errors, name, "INVALID_FORMAT",
        name + " must be a valid e-mail address with exactly one @");
    return;
  }
  const auto local = email.substr(0, at);
  if (local.size() > 64) {
    add(errors, name, "INVALID_FORMAT", name + " must have at most 64 characters before the @");
    return;
  }
  if (!valid_local_part(local) || !valid_domain(email.substr(at + 1))) {
    add(errors, name, "INVALID_FORMAT",
        name + " must be a valid e-mail address such as name@example.com");
  }
}

void check_node_name(std::string_view field, std::string_view name,
                     std::vector<FieldError>& errors) {
  const std::string value = trim(name);
  const auto text = scan(value);
  if (!check_length(field, text.length, 2, 50, errors) && text.length == 0) {
    return;
  }
  if (!text.valid_utf8 || text.has_control) {
    add(errors, std::string(field), "INVALID_FORMAT",
        std::string(field) + " must be valid UTF-8 text without control characters");
    return;
  }
  // As organizationName, with any punctuation: no symbols (emoji), no spaces but U+0020, no
  // invisible format characters.
  const auto code_points = unicode::decode_utf8(value);
  for (const char32_t cp : code_points.value_or(std::u32string())) {
    const auto cls = unicode::char_class(cp);
    const bool ok = cp == U' ' || cls == unicode::CharClass::Letter ||
                    cls == unicode::CharClass::Mark || cls == unicode::CharClass::Digit ||
                    cls == unicode::CharClass::Punctuation;
    if (!ok) {
      add(errors, std::string(field), "INVALID_FORMAT",
          std::string(field) +
              " may contain only letters, marks, digits, spaces and punctuation (no symbols, "
              "emoji or invisible formatting characters)");
      return;
    }
  }
}

void check_placement(const std::optional<std::string>& division,
                     const std::optional<std::string>& group,
                     const std::optional<std::string>& team, std::vector<FieldError>& errors) {
  if (group.has_value() && !division.has_value()) {
    add(errors, "group", "DEPENDENCY", "group can only be given together with division");
  }
  if (team.has_value() && !group.has_value()) {
    add(errors, "team", "DEPENDENCY", "team can only be given together with group");
  }
}

void check_reason(std::string_view field, std::string_view reason,
                  std::vector<FieldError>& errors) {
  check_free_text(field, reason, 10, 500, errors);
}

void check_free_text(std::string_view field, std::string_view raw, std::size_t min, std::size_t max,
                     std::vector<FieldError>& errors) {
  const std::string value = trim(raw);
  const auto text = scan(value);
  if (!check_length(field, text.length, min, max, errors) && text.length == 0) {
    return;
  }
  // Free text is shown to people, so line breaks and tabs are fine; other control
  // characters and broken UTF-8 are not.
  bool bad_control = false;
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t len = 1;
    const auto cp = decode_utf8(value, pos, len);
    if (cp && is_control(*cp) && *cp != U'\n' && *cp != U'\r' && *cp != U'\t') {
      bad_control = true;
    }
    // Bidi overrides and zero-width characters would make the text read otherwise than it is.
    if (cp && unicode::char_class(*cp) == unicode::CharClass::Format) {
      bad_control = true;
    }
    pos += len;
  }
  if (!text.valid_utf8 || bad_control) {
    add(errors, std::string(field), "INVALID_FORMAT",
        std::string(field) + " must be valid UTF-8 text without control characters");
  }
}

void check_metadata(const Metadata& metadata, std::size_t serialised_size,
                    std::vector<FieldError>& errors) {
  constexpr std::size_t kMaxKeys = 50;
  constexpr std::size_t kMaxKeyLength = 128;
  constexpr std::size_t kMaxBytes = 8192;
  if (metadata.size() > kMaxKeys) {
    add(errors, "metadata", "TOO_MANY",
        "metadata must have at most " + std::to_string(kMaxKeys) + " keys");
  }
  for (const auto& entry : metadata) {
    const std::string& key = entry.first;
    const auto length = utf8_length(key);
    if (!length || *length < 1 || *length > kMaxKeyLength) {
      add(errors, "metadata." + key, "INVALID_VALUE",
          "metadata keys must be 1 to " + std::to_string(kMaxKeyLength) +
              " characters of valid UTF-8 text");
    }
  }
  if (serialised_size > kMaxBytes) {
    add(errors, "metadata", "TOO_LARGE",
        "metadata must be at most " + std::to_string(kMaxBytes) + " bytes when serialised");
  }
}

}  // namespace tenantd::domain
