// A whole request to the API (every route, auth, body rules, idempotency, handlers, services,
// store): the input is "METHOD TARGET\nName: value\n...\n\nBODY" with the placeholders of
// fuzz_app.hpp ({tenant}, {admin}, ...). Without an Authorization header the admin's is added.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_app.hpp"
#include "fuzz/fuzz_checks.hpp"

namespace {

// Splits off the text up to the next '\n' (the rest after it stays in `text`).
std::string_view next_line(std::string_view& text) {
  const auto end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& app = tenantd::fuzz::FuzzApp::get();
  const std::string input = app.expand(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string_view rest = input;
  const std::string_view request_line = next_line(rest);
  const auto space = request_line.find(' ');
  if (space == std::string_view::npos) {
    return 0;
  }
  std::vector<tenantd::Header> headers;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.empty()) {
      break;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  const auto response =
      app.call(std::string(request_line.substr(0, space)),
               std::string(request_line.substr(space + 1)), std::string(rest), std::move(headers));
  tenantd::fuzz::check_response(response);
  return 0;
}
