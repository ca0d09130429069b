// A local Lambda Runtime API for timing a cold start and warm invocations, in C++ so that the
// harness's own cost is small next to the runtime's:
//   runtime_api_double COUNT EVENT_JSON BINARY [ARGS...]
// Starts BINARY with AWS_LAMBDA_RUNTIME_API pointing here (its output discarded) and hands it the
// event COUNT + 1 times, one at a time. Prints first the microseconds from starting BINARY (before
// the fork) to reading the first posted result, the cold start; then, for each of the other COUNT,
// the microseconds from writing the `next` response to reading the whole posted result. Exits
// non-zero when an invocation is answered with an error or the runtime goes away first.
// bench/load/lambda_bench.py runs it for tenantd and for runtime_floor_client
// (docs/performance.md).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "send_all.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Reads one whole HTTP request (headers, then Content-Length bytes of body) from `fd`; `buffer`
// keeps what arrived after it. Sets `head` and `body`; false when the peer closed.
bool read_request(int fd, std::string& buffer, std::string& head, std::string& body) {
  char chunk[16384];
  for (;;) {
    const std::size_t end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t length = 0;
      const std::size_t header = buffer.find("Content-Length: ");
      if (header != std::string::npos && header < end) {
        length = std::strtoul(buffer.c_str() + header + 16, nullptr, 10);
      }
      if (buffer.size() >= end + 4 + length) {
        head = buffer.substr(0, end);
        body = buffer.substr(end + 4, length);
        buffer.erase(0, end + 4 + length);
        return true;
      }
    }
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got <= 0) {
      return false;
    }
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
}

// The next event, with a deadline a minute away (wall clock, as the Lambda service sends it).
std::string next_response(int invocation, std::string_view event) {
  const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
      (std::chrono::system_clock::now() + std::chrono::minutes(1)).time_since_epoch());
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: "
         "req-" +
         std::to_string(invocation) +
         "\r\nLambda-Runtime-Deadline-Ms: " + std::to_string(deadline.count()) +
         "\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:000000000000:function:"
         "bench\r\nContent-Length: " +
         std::to_string(event.size()) + "\r\n\r\n" + std::string(event);
}

// What the Runtime API answers to a posted result.
std::string accepted() {
  constexpr std::string_view kBody = R"({"status":"OK"})";
  return "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(kBody.size()) + "\r\n\r\n" + std::string(kBody);
}

// How long to wait for the runtime to connect or to send its next request: a runtime that died
// ends the run instead of hanging it.
constexpr timeval kPatience{10, 0};

int listen_on_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kPatience, sizeof kPatience);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), size) != 0 ||
      ::listen(fd, 4) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  port = ntohs(address.sin_port);
  return fd;
}

pid_t start_runtime(char** argv, std::uint16_t port) {
  const std::string api = "127.0.0.1:" + std::to_string(port);
  const pid_t child = ::fork();
  if (child == 0) {
    ::setenv("AWS_LAMBDA_RUNTIME_API", api.c_str(), 1);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execv(argv[0], argv);
    _exit(127);
  }
  return child;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fputs("usage: runtime_api_double COUNT EVENT_JSON BINARY [ARGS...]\n", stderr);
    return 2;
  }
  const int count = std::atoi(argv[1]);
  const std::string_view event = argv[2];
  std::uint16_t port = 0;
  const int listener = listen_on_loopback(port);
  const Clock::time_point started = Clock::now();
  const pid_t runtime = start_runtime(argv + 3, port);

  double cold_micros = -1;
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(count));
  const auto more = [&] { return cold_micros < 0 || static_cast<int>(micros.size()) < count; };
  int handed_out = 0;
  bool failed = false;
  Clock::time_point sent_at;
  std::string buffer;
  std::string head;
  std::string body;
  const std::string answer = accepted();
  // Should the runtime reconnect, its connections are served in turn.
  while (more() && !failed) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      break;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kPatience, sizeof kPatience);
    buffer.clear();
    while (more() && read_request(fd, buffer, head, body)) {
      if (head.rfind("GET /2018-06-01/runtime/invocation/next ", 0) == 0) {
        ++handed_out;
        sent_at = Clock::now();
        if (!send_all(fd, next_response(handed_out, event))) {
          break;
        }
      } else if (head.rfind("POST /2018-06-01/runtime/invocation/", 0) == 0) {
        const Clock::time_point now = Clock::now();
        failed = head.find("/error ") != std::string::npos;
        if (handed_out == 1) {
          cold_micros = std::chrono::duration<double, std::micro>(now - started).count();
        } else {
          micros.push_back(std::chrono::duration<double, std::micro>(now - sent_at).count());
        }
        if (failed) {
          std::fprintf(stderr, "invocation %d failed: %s\n", handed_out, body.c_str());
        }
        if (failed || !send_all(fd, answer)) {
          break;
        }
      } else {
        std::fprintf(stderr, "unexpected request: %s\n", head.c_str());
        failed = true;
        break;
      }
    }
    ::close(fd);
  }
  ::kill(runtime, SIGKILL);
  ::waitpid(runtime, nullptr, 0);
  std::printf("%.1f\n", cold_micros);
  for (const double us : micros) {
    std::printf("%.1f\n", us);
  }
  if (failed || more()) {
    std::fprintf(stderr, "runtime_api_double: %s, %zu of %d warm invocations answered%s\n",
                 cold_micros < 0 ? "no cold one" : "the cold one", micros.size(), count,
                 failed ? ", one with an error" : "");
    return 1;
  }
  return 0;
}
