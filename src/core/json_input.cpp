#include "core/json_input.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tenantd {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The integer literal `digits` (no sign) fits int64, the integer every reader of tenantd uses
// (metadata values are int64 or double): down to -2^63, up to 2^63-1.
bool integer_fits(std::string_view digits, bool negative) {
  // Leading zeros are malformed JSON anyway; the parser reports those.
  std::string_view limit = negative ? "9223372036854775808" : "9223372036854775807";
  if (digits.size() != limit.size()) {
    return digits.size() < limit.size();
  }
  return digits <= limit;
}

// The offset just past the string whose opening quote is at `open` (text.size() when it is not
// closed). memchr finds each candidate quote; it closes the string unless an odd run of
// backslashes escapes it. Stored items are scanned on every read, so this is a hot loop.
std::size_t past_string(std::string_view text, std::size_t open) {
  std::size_t from = open + 1;
  while (from < text.size()) {
    const void* found = std::memchr(text.data() + from, '"', text.size() - from);
    if (found == nullptr) {
      break;
    }
    const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
    std::size_t backslashes = 0;
    while (quote - backslashes > open + 1 && text[quote - backslashes - 1] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      return quote + 1;
    }
    from = quote + 1;
  }
  return text.size();
}

JsonInputError problem(JsonProblem p, std::string message) {
  return JsonInputError{p, std::move(message), {}};
}

}  // namespace

std::optional<JsonInputError> scan_json_text(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return problem(JsonProblem::TooLarge, "exceeds " + std::to_string(limits.max_bytes) + " bytes");
  }
  int depth = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      i = past_string(text, i);
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > limits.max_depth) {
        return problem(JsonProblem::TooDeep, "nests objects and arrays deeper than " +
                                                 std::to_string(limits.max_depth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '-' || is_digit(c)) {
      const bool negative = c == '-';
      std::size_t start = negative ? i + 1 : i;
      std::size_t end = start;
      while (end < n && is_digit(text[end])) {
        ++end;
      }
      const bool fraction_or_exponent =
          end < n && (text[end] == '.' || text[end] == 'e' || text[end] == 'E');
      if (limits.integers_in_64_bits && !fraction_or_exponent &&
          !integer_fits(text.substr(start, end - start), negative)) {
        return problem(JsonProblem::IntegerTooLarge,
                       "holds an integer beyond 64 bits (signed) at offset " + std::to_string(i) +
                           " (send it as a string to keep it exact)");
      }
      i = std::max(end, i + 1);
      continue;
    }
    ++i;
  }
  return std::nullopt;
}

std::optional<std::string> find_duplicate_key(const JsonValue& root) {
  // Explicit stack: the depth is bounded by the scan, but a fuzzer may call this directly.
  std::vector<std::pair<const JsonValue*, std::string>> todo{{&root, std::string()}};
  std::unordered_set<std::string_view> seen;
  while (!todo.empty()) {
    auto [value, path] = std::move(todo.back());
    todo.pop_back();
    if (value->IsArray()) {
      std::size_t index = 0;
      for (const auto& element : value->GetArray()) {
        todo.emplace_back(&element, path + "[" + std::to_string(index++) + "]");
      }
      continue;
    }
    if (!value->IsObject()) {
      continue;
    }
    seen.clear();
    for (const auto& member : value->GetObject()) {
      const std::string_view name = as_view(member.name);
      std::string member_path = path.empty() ? std::string(name) : path + "." + std::string(name);
      if (!seen.insert(name).second) {
        return member_path;
      }
      todo.emplace_back(&member.value, std::move(member_path));
    }
  }
  return std::nullopt;
}

std::optional<JsonDoc> parse_untrusted_json(std::string_view text, const JsonLimits& limits,
                                            JsonInputError* error) {
  const auto fail = [error](JsonInputError e) -> std::optional<JsonDoc> {
    if (error != nullptr) {
      *error = std::move(e);
    }
    return std::nullopt;
  };
  if (auto scanned = scan_json_text(text, limits)) {
    return fail(std::move(*scanned));
  }
  JsonDoc doc;
  // Invalid UTF-8 is refused here, so that no error message or stored field can carry it.
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return fail(problem(JsonProblem::Malformed,
                        "is not valid JSON (offset " + std::to_string(doc.GetErrorOffset()) + ")"));
  }
  if (auto duplicate = find_duplicate_key(doc)) {
    JsonInputError e = problem(JsonProblem::DuplicateKey, "repeats the key '" + *duplicate + "'");
    e.path = std::move(*duplicate);
    return fail(std::move(e));
  }
  return doc;
}

Error json_input_error_to_error(const JsonInputError& error, std::string_view what) {
  const std::string message = std::string(what) + " " + error.message;
  switch (error.problem) {
    case JsonProblem::TooLarge:
      return Error::make(ErrorCode::PayloadTooLarge, message);
    case JsonProblem::DuplicateKey:
      return Error::validation({{error.path, "DUPLICATE_KEY", message}});
    case JsonProblem::TooDeep:
    case JsonProblem::IntegerTooLarge:
    case JsonProblem::Malformed:
      break;
  }
  return Error::make(ErrorCode::InvalidJson, message);
}

}  // namespace tenantd
