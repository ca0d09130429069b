// Reads one DynamoDB call per line (JSON: endpoint, region, operation, body, access_key,
// secret_key, token, epoch) and prints the headers tenantd would send, one JSON object per
// line. sigv4_botocore_check.py compares them with botocore's SigV4Auth.
#include <iostream>
#include <string>

#include "aws/aws_json_client.hpp"
#include "core/json.hpp"

namespace {

std::string member(const tenantd::JsonValue& doc, const char* name) {
  return doc.HasMember(name) && doc[name].IsString() ? std::string(tenantd::as_view(doc[name]))
                                                     : std::string();
}

}  // namespace

int main() {
  using namespace tenantd;
  std::string line;
  while (std::getline(std::cin, line)) {
    auto doc = parse_json(line);
    if (!doc || !doc->IsObject() || !doc->HasMember("epoch") || !(*doc)["epoch"].IsInt64()) {
      std::cerr << "bad input line: " << line << "\n";
      return 2;
    }
    auto url = Url::parse(member(*doc, "endpoint"));
    if (!url) {
      std::cerr << url.error().message << "\n";
      return 2;
    }
    const aws::ServiceEndpoint endpoint{"dynamodb", member(*doc, "region"), *url};
    const aws::Credentials credentials{member(*doc, "access_key"), member(*doc, "secret_key"),
                                       member(*doc, "token")};
    const auto now =
        std::chrono::system_clock::time_point(std::chrono::seconds((*doc)["epoch"].GetInt64()));
    const HttpRequest request = aws::signed_json_request(
        endpoint, "application/x-amz-json-1.0", "DynamoDB_20120810." + member(*doc, "operation"),
        member(*doc, "body"), credentials, now);
    JsonWriter out;
    out.begin_object().field("host", url->host_header()).key("headers").begin_object();
    for (const auto& h : request.headers) {
      out.field(h.name, h.value);
    }
    out.end_object().end_object();
    std::cout << out.view() << "\n";
  }
  return 0;
}
