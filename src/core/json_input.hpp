#pragma once
// JSON from outside the process (request bodies, Lambda events, tokens): parsed with a size and a
// nesting limit, so that no input can exhaust the stack or memory, and checked for what the DOM
// would silently hide (a duplicate key, an integer that does not fit 64 bits).
// Plain functions, so that fuzz targets can call them directly.
// See docs/decisions/0018-http-and-json-input-limits.md.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/result.hpp"

namespace tenantd {

struct JsonLimits {
  std::size_t max_bytes = std::size_t{64} * 1024;
  int max_depth = 64;  // objects and arrays nested in one another, the root counting as 1
  bool integers_in_64_bits = true;  // refuse integer literals that would turn into doubles
};

// The Lambda door: API Gateway / ALB events carry up to 6 MB; a body inside is limited later.
inline constexpr JsonLimits kLambdaEventLimits{std::size_t{6} * 1024 * 1024, 64, true};

enum class JsonProblem { TooLarge, TooDeep, Malformed, IntegerTooLarge, DuplicateKey };

struct JsonInputError {
  JsonProblem problem = JsonProblem::Malformed;
  std::string message;  // says what and where; never echoes the input itself
  std::string path;     // the key path of a duplicate key ("metadata.a"), else empty
};

// One linear pass over the text, no recursion: size, nesting depth, and integers (no fraction,
// no exponent) that fit in int64. Well-formedness is left to the parser.
std::optional<JsonInputError> scan_json_text(std::string_view text, const JsonLimits& limits);

// The path of the first key that appears twice in one object, searched depth first.
std::optional<std::string> find_duplicate_key(const JsonValue& value);

// scan_json_text, the parse, then find_duplicate_key. The error maps to the API's errors with
// json_input_error_to_error().
std::optional<JsonDoc> parse_untrusted_json(std::string_view text, const JsonLimits& limits,
                                            JsonInputError* error);

// TooLarge -> PAYLOAD_TOO_LARGE (413); DuplicateKey -> VALIDATION_ERROR with a DUPLICATE_KEY
// field error; the others -> INVALID_JSON (400).
Error json_input_error_to_error(const JsonInputError& error, std::string_view what);

}  // namespace tenantd
