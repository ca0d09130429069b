#pragma once
// A scripted HTTP/1.1 server on 127.0.0.1 (free port) for the AWS client tests: each request
// goes to `handler`, which returns the response (and may sleep to provoke timeouts). It counts
// connections and requests so that tests can check keep-alive reuse and retries.
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tenantd::testing_support {

class FakeHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using Handler = std::function<Response(const Request&)>;

  explicit FakeHttpServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~FakeHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    {
      // A blocked accept() is not woken by close(): connect once so that it returns.
      boost::asio::io_context wake_ioc;
      boost::asio::ip::tcp::socket wake(wake_ioc);
      wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    accept_thread_.join();
    acceptor_.close(ec);
    // Wake the serving threads through the descriptors (a read of the socket objects, not a
    // change of them, which would race their blocked reads), and close the sockets only once
    // those threads have ended.
    for (auto& socket : sockets_) {
      ::shutdown(socket->native_handle(), SHUT_RDWR);
    }
    for (auto& t : threads_) {
      t.join();
    }
    for (auto& socket : sockets_) {
      socket->close(ec);
    }
  }
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }

  static Response reply(int status, std::string body, bool keep_alive = true) {
    Response r{static_cast<boost::beast::http::status>(status), 11};
    r.set(boost::beast::http::field::content_type, "application/x-amz-json-1.0");
    r.body() = std::move(body);
    r.keep_alive(keep_alive);
    r.prepare_payload();
    return r;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      auto socket = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec || stopping_) {
        return;
      }
      ++connections_;
      std::lock_guard lock(mutex_);
      sockets_.push_back(socket);
      threads_.emplace_back([this, socket] { serve(*socket); });
    }
  }

  void serve(boost::asio::ip::tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      Request request;
      boost::system::error_code ec;
      boost::beast::http::read(socket, buffer, request, ec);
      if (ec) {
        return;
      }
      ++requests_;
      Response response = handler_(request);
      const bool keep = response.keep_alive();
      boost::beast::http::write(socket, response, ec);
      if (ec || !keep) {
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        return;
      }
    }
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

}  // namespace tenantd::testing_support
