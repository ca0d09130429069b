#pragma once
// Byte-level string helpers of the ASCII range; Unicode text is core/unicode_text.hpp.
#include <string>
#include <string_view>

namespace tenantd {

// Trims surrounding ASCII whitespace (space, \t, \n, \v, \f, \r); other spaces stay.
std::string trim(std::string_view text);
// Lower-cases ASCII letters; other bytes stay.
std::string to_lower(std::string_view text);

}  // namespace tenantd
