// The HTTP request parser of `serve`: the input is sent as raw bytes over a fresh connection to
// the real HttpServer (its Beast parser, limits, 100-continue, keep-alive and error answers) in
// front of the real API, then the write side is closed and the answer read to the end. Every
// answer must be HTTP/1.1, and the server must still answer a plain request afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz/fuzz_app.hpp"
#include "transport/http_server.hpp"

namespace {

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

class Server {
 public:
  Server() {
    tenantd::transport::HttpServerOptions options;
    options.threads = 2;
    options.idle_timeout = std::chrono::milliseconds(500);
    options.read_timeout = std::chrono::milliseconds(500);
    options.log = [](std::string_view) {};
    server_ = std::make_unique<tenantd::transport::HttpServer>(tenantd::fuzz::FuzzApp::get().api(),
                                                               options);
    auto port = server_->listen("127.0.0.1", 0);
    if (!port) {
      finding("cannot listen: " + port.error().message);
    }
    port_ = *port;
    thread_ = std::thread([this] { server_->run(); });
  }

  // Sends `bytes`, closes the write side, returns everything the server sent until it closed.
  std::string exchange(std::string_view bytes) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        !(errno == EINTR && connected_after_interrupt(fd))) {
      finding("cannot connect to the server: " + std::string(std::strerror(errno)));
    }
    // The server may answer and close before reading everything: a failed send is fine.
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        break;
      }
      sent += static_cast<std::size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[4096];
    for (;;) {
      // Longer than the server's read timeout: a server that never answers nor closes is a hang.
      if (!wait_for(fd, POLLIN, std::chrono::seconds(5))) {
        close(fd);
        finding("the server neither answered nor closed within 5 s");
      }
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        break;
      }
      answer.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
    return answer;
  }

 private:
  // libFuzzer's timeout alarm (SIGALRM) interrupts poll() and connect() now and then; an
  // interrupted call is not an answer from the server, so both go on waiting.
  static bool wait_for(int fd, short events, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return false;
      }
      pollfd p{fd, events, 0};
      const int ready = poll(&p, 1, static_cast<int>(left.count()));
      if (ready > 0) {
        return true;
      }
      if (ready == 0 || errno != EINTR) {
        return false;
      }
    }
  }

  // An interrupted connect() goes on in the background: it is done once the socket is writable,
  // and SO_ERROR says whether it succeeded.
  static bool connected_after_interrupt(int fd) {
    if (!wait_for(fd, POLLOUT, std::chrono::seconds(5))) {
      return false;
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      return false;
    }
    errno = error;
    return error == 0;
  }

  std::unique_ptr<tenantd::transport::HttpServer> server_;
  int port_ = 0;
  std::thread thread_;  // serves until the process exits (libFuzzer never returns)
};

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Never destroyed: its thread serves until exit().
  static const Server& server = *new Server;
  const std::string answer = server.exchange(tenantd::fuzz::FuzzApp::get().expand(
      std::string_view(reinterpret_cast<const char*>(data), size)));
  if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0) {
    finding("an answer that is not HTTP/1.1: " + answer.substr(0, 200));
  }
  if (answer.find("HTTP/1.1 500 ") != std::string::npos) {
    finding("a 500 answer: " + answer.substr(0, 2000));
  }
  static unsigned runs = 0;
  if (++runs % 256 == 0) {
    const std::string health = server.exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    if (health.rfind("HTTP/1.1 200 ", 0) != 0) {
      finding("the server stopped answering /health: " + health.substr(0, 200));
    }
  }
  return 0;
}
