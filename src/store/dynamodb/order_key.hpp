#pragma once
// The sort key of a DynamoDB GSI: GSI<n>ORDER = esc(GSI<n>SK) SEP esc(PK) SEP esc(SK).
// The port orders index entries by (GSI<n>SK, PK, SK) and pages with that triple; DynamoDB
// orders an index only by its own sort key, so the triple is packed into one string whose
// byte order is the tuple order. esc() maps bytes 0x00 and 0x01 to 0x01 0x02 and 0x01 0x03 and
// leaves the rest; SEP is 0x01 0x01, below every escaped byte. Escaping keeps order and
// prefixes, so sort conditions on GSI<n>SK become conditions on GSI<n>ORDER (see bounds below).
#include <string>
#include <string_view>

namespace tenantd::store::dynamodb {

std::string escape_order(std::string_view text);
std::string order_key(std::string_view index_sk, std::string_view pk, std::string_view sk);

// The inclusive upper bound of every order key whose GSI<n>SK is <= `high`: esc(high) + 0x01 0x02.
// No order key equals it (order keys contain two separators, it contains none).
std::string order_upper_bound(std::string_view high);

}  // namespace tenantd::store::dynamodb
