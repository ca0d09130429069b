#pragma once
// Calls to AWS query-protocol services (SNS): form-encoded POST bodies (Action, Version and the
// operation's parameters), XML answers. Signing and retries are the transport's
// (aws_transport.hpp); only the request and error encodings differ from the JSON protocol.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_transport.hpp"
#include "aws/credentials.hpp"
#include "core/http_client.hpp"
#include "core/result.hpp"

namespace tenantd::aws {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "Action=Publish&Version=2010-03-31&K=V...", every key and value percent-encoded.
std::string form_encode(std::string_view action, std::string_view version,
                        const QueryParams& params);

// The text of the first <tag>...</tag> in `xml`, with the five predefined entities and numeric
// character references decoded; empty when absent. Enough for AWS's flat answers and errors.
std::string xml_text(std::string_view xml, std::string_view tag);

class AwsQueryClient {
 public:
  // `version` is the API version ("2010-03-31" for SNS).
  AwsQueryClient(ServiceEndpoint endpoint, std::string version,
                 std::shared_ptr<CredentialsProvider> credentials, ClientSettings settings);

  // A response for every HTTP answer (error_type / error_message from <Code> / <Message>); an
  // error only when no answer could be had.
  Result<AwsResponse> call(std::string_view action, const QueryParams& params);

 private:
  std::string version_;
  AwsTransport transport_;
};

}  // namespace tenantd::aws
