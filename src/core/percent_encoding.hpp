#pragma once
// RFC 3986 percent-encoding, as query strings, AWS signatures and form bodies want it.
#include <string>
#include <string_view>

namespace tenantd {

// Unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX (upper-case
// hex); '/' stays when `keep_slash` (a path).
std::string percent_encode(std::string_view text, bool keep_slash = false);

// Every %XX decoded (a malformed one is kept as it is); '+' is a space when `plus_is_space` (form
// encoding).
std::string percent_decode(std::string_view text, bool plus_is_space = false);

// The value of one hex digit (either case), or -1.
int hex_digit_value(char c);

}  // namespace tenantd
