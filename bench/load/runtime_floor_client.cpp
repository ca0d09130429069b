// The least a Lambda runtime client can do: ask the Runtime API for the next event, answer it with
// a fixed health response, repeat. bench/load/lambda_bench.py times it through the same local
// Runtime API as tenantd, so the warm latency it reports is what the harness itself costs: the
// floor under tenantd's warm invocations (docs/performance.md).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "send_all.hpp"

namespace {

constexpr std::string_view kNext =
    "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
constexpr std::string_view kBody =
    R"({"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"status\":\"ok\"}"})";

// Reads one whole HTTP response (headers, then Content-Length bytes of body) into `out`.
bool read_response(int fd, std::string& out) {
  out.clear();
  char chunk[16384];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got <= 0) {
      return false;
    }
    out.append(chunk, static_cast<std::size_t>(got));
    const std::size_t end = out.find("\r\n\r\n");
    if (end == std::string::npos) {
      continue;
    }
    std::size_t length = 0;
    const std::size_t header = out.find("Content-Length: ");
    if (header != std::string::npos && header < end) {
      length = std::strtoul(out.c_str() + header + 16, nullptr, 10);
    }
    if (out.size() >= end + 4 + length) {
      return true;
    }
  }
}

std::string request_id(const std::string& response) {
  constexpr std::string_view kName = "Lambda-Runtime-Aws-Request-Id: ";
  const std::size_t at = response.find(kName);
  if (at == std::string::npos) {
    return {};
  }
  const std::size_t start = at + kName.size();
  return response.substr(start, response.find("\r\n", start) - start);
}

}  // namespace

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  const char* colon = api != nullptr ? std::strchr(api, ':') : nullptr;
  if (colon == nullptr) {
    std::fputs("AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT is required\n", stderr);
    return 2;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(colon + 1)));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    std::perror("connect");
    return 1;
  }
  std::string response;
  for (;;) {
    if (!send_all(fd, kNext) || !read_response(fd, response)) {
      return 0;  // the Runtime API went away: the benchmark is over
    }
    const std::string post =
        "POST /2018-06-01/runtime/invocation/" + request_id(response) +
        "/response HTTP/1.1\r\nHost: runtime\r\nContent-Length: " + std::to_string(kBody.size()) +
        "\r\n\r\n" + std::string(kBody);
    if (!send_all(fd, post) || !read_response(fd, response)) {
      return 0;
    }
  }
}
