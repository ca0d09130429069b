#include "store/dynamodb/order_key.hpp"

namespace tenantd::store::dynamodb {

namespace {
constexpr char kEscape = '\x01';
constexpr std::string_view kSeparator("\x01\x01", 2);
}  // namespace

std::string escape_order(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (const char c : text) {
    if (c == '\x00' || c == '\x01') {
      out.push_back(kEscape);
      out.push_back(static_cast<char>(c + 2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string order_key(std::string_view index_sk, std::string_view pk, std::string_view sk) {
  std::string out = escape_order(index_sk);
  out.append(kSeparator);
  out += escape_order(pk);
  out.append(kSeparator);
  out += escape_order(sk);
  return out;
}

std::string order_upper_bound(std::string_view high) {
  std::string out = escape_order(high);
  out.push_back(kEscape);
  out.push_back('\x02');
  return out;
}

}  // namespace tenantd::store::dynamodb
