// SigV4 against vectors of AWS's published signature test suite (aws-sig-v4-test-suite:
// credentials AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z).
#include "aws/sigv4.hpp"

#include "core/percent_encoding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tenantd::aws {
namespace {

constexpr const char* kSuiteSessionToken =
    "AQoDYXdzEPT//////////"
    "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo"
    "IYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq"
    "5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
    "scqKmlzm8FDrypNC"
    "9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct Vector {
  const char* name;
  const char* method;
  const char* query;
  std::vector<Header> headers;  // besides Host
  const char* body;
  bool session_token;
  const char* signed_headers;
  const char* signature;
};

std::chrono::system_clock::time_point suite_time() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
}

Credentials suite_credentials(bool with_token) {
  return Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                     with_token ? kSuiteSessionToken : ""};
}

Signature sign_vector(const Vector& v) {
  std::vector<Header> headers{{"Host", "example.amazonaws.com"}};
  headers.insert(headers.end(), v.headers.begin(), v.headers.end());
  SignInput in;
  in.method = v.method;
  in.path = "/";
  in.query = v.query;
  in.headers = &headers;
  in.payload = v.body;
  in.region = "us-east-1";
  in.service = "service";
  return sign(in, suite_credentials(v.session_token), suite_time());
}

TEST(SigV4, MatchesThePublishedTestSuiteVectors) {
  const std::vector<Vector> vectors = {
      {"get-vanilla",
       "GET",
       "",
       {},
       "",
       false,
       "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"post-vanilla",
       "POST",
       "",
       {},
       "",
       false,
       "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"get-vanilla-query-order-key-case",
       "GET",
       "Param2=value2&Param1=value1",
       {},
       "",
       false,
       "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-header-value-trim",
       "GET",
       "",
       {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
       "",
       false,
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"post-header-key-sort",
       "POST",
       "",
       {{"My-Header1", "value1"}},
       "",
       false,
       "host;my-header1;x-amz-date",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-x-www-form-urlencoded",
       "POST",
       "",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "Param1=value1",
       false,
       "content-type;host;x-amz-date",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-sts-header-before",
       "POST",
       "",
       {},
       "",
       true,
       "host;x-amz-date;x-amz-security-token",
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
  };
  for (const Vector& v : vectors) {
    const Signature s = sign_vector(v);
    EXPECT_EQ(s.signature, v.signature) << v.name << "\n" << s.canonical_request;
    EXPECT_EQ(s.authorization,
              std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                          "aws4_request, SignedHeaders=") +
                  v.signed_headers + ", Signature=" + v.signature)
        << v.name;
  }
}

TEST(SigV4, GetVanillaIntermediateStepsMatchTheSuite) {
  const Signature s = sign_vector({"get-vanilla", "GET", "", {}, "", false, "", ""});
  EXPECT_EQ(s.amz_date, "20150830T123600Z");
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4, UriEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("aZ09-_.~", false), "aZ09-_.~");
  EXPECT_EQ(percent_encode("a b/c=d", false), "a%20b%2Fc%3Dd");
  EXPECT_EQ(percent_encode("/a b/", true), "/a%20b/");
  EXPECT_EQ(percent_encode("\xc3\xa9", false), "%C3%A9");
}

TEST(SigV4, AnyChangeToASignedPartChangesTheSignature) {
  const Vector base{"x",  "POST", "", {{"X-Amz-Target", "DynamoDB_20120810.GetItem"}},
                    "{}", false,  "", ""};
  const std::string reference = sign_vector(base).signature;
  Vector other_body = base;
  other_body.body = "{ }";
  Vector other_header = base;
  other_header.headers[0].value = "DynamoDB_20120810.PutItem";
  Vector with_token = base;
  with_token.session_token = true;
  EXPECT_NE(sign_vector(other_body).signature, reference);
  EXPECT_NE(sign_vector(other_header).signature, reference);
  EXPECT_NE(sign_vector(with_token).signature, reference);
}

}  // namespace
}  // namespace tenantd::aws
