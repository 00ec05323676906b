#include "tests/testing/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <optional>
#include <utility>

namespace bulwark::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Responses larger than this are a test bug, not something to buffer.
constexpr std::uint64_t kMaxResponseBody = 64ull * 1024 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

int OpenSslVersion(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls1_1:
      return TLS1_1_VERSION;
    case TlsVersion::kTls1_2:
      return TLS1_2_VERSION;
    case TlsVersion::kTls1_3:
      return TLS1_3_VERSION;
    case TlsVersion::kDefault:
      break;
  }
  return 0;
}

Status ErrorFrom(std::string_view what, const beast::error_code& ec) {
  std::string message = std::string(what) + ": " + ec.message();
  if (ec == beast::error::timeout) return DeadlineExceededError(std::move(message));
  return UnavailableError(std::move(message));
}

Status ConfigureContext(ssl::context& ctx, const HttpsTestClientOptions& options) {
  SSL_CTX* native = ctx.native_handle();
  if (options.security_level >= 0) SSL_CTX_set_security_level(native, options.security_level);
  if (const int v = OpenSslVersion(options.min_version);
      v != 0 && SSL_CTX_set_min_proto_version(native, v) != 1) {
    return InvalidArgumentError("cannot set the minimum TLS version");
  }
  if (const int v = OpenSslVersion(options.max_version);
      v != 0 && SSL_CTX_set_max_proto_version(native, v) != 1) {
    return InvalidArgumentError("cannot set the maximum TLS version");
  }
  if (!options.tls12_ciphers.empty() &&
      SSL_CTX_set_cipher_list(native, options.tls12_ciphers.c_str()) != 1) {
    return InvalidArgumentError("cipher list rejected: " + options.tls12_ciphers);
  }
  beast::error_code ec;
  if (options.ca_file.empty()) {
    ctx.set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx.set_verify_mode(ssl::verify_peer, ec);
    if (!ec) ctx.load_verify_file(options.ca_file, ec);
  }
  if (ec) return InvalidArgumentError("TLS client setup: " + ec.message());
  return Status::Ok();
}

// Runs the io_context until the operations started by `start` (with `tcp`'s deadline set to
// `timeout`) have completed.
template <typename StartOps>
void RunWithDeadline(net::io_context& ioc, beast::tcp_stream& lowest,
                     std::chrono::milliseconds timeout, StartOps&& start) {
  lowest.expires_after(timeout);
  start();
  ioc.restart();
  ioc.run();
  lowest.expires_never();
}

template <typename Stream, typename Op>
beast::error_code RunOne(net::io_context& ioc, Stream& stream, std::chrono::milliseconds timeout,
                         Op&& op) {
  beast::error_code result = net::error::would_block;
  RunWithDeadline(ioc, beast::get_lowest_layer(stream), timeout,
                  [&] { op([&result](beast::error_code ec, auto&&...) { result = ec; }); });
  return result;
}

beast::error_code TcpConnect(net::io_context& ioc, beast::tcp_stream& stream, std::uint16_t port,
                             std::chrono::milliseconds timeout) {
  const tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), port);
  return RunOne(ioc, stream, timeout,
                [&](auto handler) { stream.async_connect(endpoint, handler); });
}

Status TlsHandshake(net::io_context& ioc, TlsStream& stream,
                    const HttpsTestClientOptions& options) {
  SSL* ssl = stream.native_handle();
  if (!options.ca_file.empty()) {
    beast::error_code ec;
    net::ip::make_address(options.verify_host, ec);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    const int ok = !ec ? X509_VERIFY_PARAM_set1_ip_asc(param, options.verify_host.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, options.verify_host.c_str(), 0);
    if (ok != 1) return InvalidArgumentError("bad verify_host " + options.verify_host);
    if (ec) {  // SNI for a DNS name (the SSL_set_tlsext_host_name macro casts old-style)
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(options.verify_host.c_str()));
    }
  }
  const beast::error_code ec = RunOne(ioc, stream, options.timeout, [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, handler);
  });
  if (ec) return ErrorFrom("TLS handshake", ec);
  return Status::Ok();
}

}  // namespace

std::string_view TestResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// HttpsTestClient

struct HttpsTestClient::Impl {
  Impl(std::uint16_t p, HttpsTestClientOptions o)
      : port(p), options(std::move(o)), config(ConfigureContext(ctx, options)) {}

  void Drop() {
    stream.reset();
    buffer.clear();
  }

  std::uint16_t port;
  HttpsTestClientOptions options;
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  Status config;
  std::optional<TlsStream> stream;
  beast::flat_buffer buffer;
  int connections = 0;
};

HttpsTestClient::HttpsTestClient(std::uint16_t port, HttpsTestClientOptions options)
    : impl_(std::make_unique<Impl>(port, std::move(options))) {}

HttpsTestClient::~HttpsTestClient() = default;

Status HttpsTestClient::Connect() {
  Impl& m = *impl_;
  if (m.stream) return Status::Ok();
  RETURN_IF_ERROR(m.config);
  m.stream.emplace(m.ioc, m.ctx);
  m.buffer.clear();
  if (const auto ec =
          TcpConnect(m.ioc, beast::get_lowest_layer(*m.stream), m.port, m.options.timeout)) {
    m.Drop();
    return ErrorFrom("connect", ec);
  }
  ++m.connections;
  if (Status s = TlsHandshake(m.ioc, *m.stream, m.options); !s.ok()) {
    m.Drop();
    return s;
  }
  return Status::Ok();
}

Result<TestResponse> HttpsTestClient::Request(std::string_view method, std::string_view target,
                                              std::string_view body, const HeaderList& headers) {
  Impl& m = *impl_;
  http::request<http::string_body> request;
  request.version(11);
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(target);
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    request.insert(name, value);
    has_host = has_host || EqualsIgnoreCase(name, "host");
  }
  if (!has_host) request.set(http::field::host, "127.0.0.1:" + std::to_string(m.port));
  request.body() = std::string(body);
  if (!body.empty() || verb == http::verb::post || verb == http::verb::put) {
    request.content_length(body.size());
  }

  for (int attempt = 0;; ++attempt) {
    const bool reused = m.stream.has_value();
    RETURN_IF_ERROR(Connect());
    const bool may_retry = reused && attempt == 0;
    beast::error_code ec = RunOne(m.ioc, *m.stream, m.options.timeout, [&](auto handler) {
      http::async_write(*m.stream, request, handler);
    });
    if (ec) {
      m.Drop();
      if (may_retry) continue;
      return ErrorFrom("write request", ec);
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    if (verb == http::verb::head) parser.skip(true);  // Content-Length without a body
    ec = RunOne(m.ioc, *m.stream, m.options.timeout,
                [&](auto handler) { http::async_read(*m.stream, m.buffer, parser, handler); });
    if (ec) {
      const bool nothing_received = !parser.got_some();
      m.Drop();
      if (may_retry && nothing_received) continue;
      return ErrorFrom("read response", ec);
    }
    http::response<http::string_body> message = parser.release();
    TestResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    if (!message.keep_alive()) m.Drop();
    return response;
  }
}

void HttpsTestClient::Close() { impl_->Drop(); }

bool HttpsTestClient::connected() const { return impl_->stream.has_value(); }

int HttpsTestClient::connections_opened() const { return impl_->connections; }

std::string HttpsTestClient::tls_version() const {
  if (!impl_->stream) return "";
  return SSL_get_version(impl_->stream->native_handle());
}

std::string HttpsTestClient::cipher() const {
  if (!impl_->stream) return "";
  const char* name = SSL_get_cipher_name(impl_->stream->native_handle());
  return name != nullptr ? name : "";
}

// ---------------------------------------------------------------------------------------------
// RawConnection

struct RawConnection::Impl {
  net::io_context ioc;
  std::optional<ssl::context> ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> tls;

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // Calls f with whichever stream this connection uses.
  template <typename F>
  void With(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }

  void Shut() {
    beast::error_code ec;
    Lowest().socket().close(ec);
  }
};

RawConnection::RawConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RawConnection::~RawConnection() = default;

Result<std::unique_ptr<RawConnection>> RawConnection::ConnectTcp(
    std::uint16_t port, std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  impl->plain.emplace(impl->ioc);
  if (const auto ec = TcpConnect(impl->ioc, *impl->plain, port, timeout)) {
    return ErrorFrom("connect", ec);
  }
  return std::unique_ptr<RawConnection>(new RawConnection(std::move(impl)));
}

Result<std::unique_ptr<RawConnection>> RawConnection::ConnectTls(std::uint16_t port,
                                                                 HttpsTestClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->ctx.emplace(ssl::context::tls_client);
  RETURN_IF_ERROR(ConfigureContext(*impl->ctx, options));
  impl->tls.emplace(impl->ioc, *impl->ctx);
  if (const auto ec =
          TcpConnect(impl->ioc, beast::get_lowest_layer(*impl->tls), port, options.timeout)) {
    return ErrorFrom("connect", ec);
  }
  RETURN_IF_ERROR(TlsHandshake(impl->ioc, *impl->tls, options));
  return std::unique_ptr<RawConnection>(new RawConnection(std::move(impl)));
}

Status RawConnection::Send(std::string_view bytes, std::chrono::milliseconds timeout) {
  beast::error_code result;
  impl_->With([&](auto& stream) {
    result = RunOne(impl_->ioc, stream, timeout, [&](auto handler) {
      net::async_write(stream, net::buffer(bytes.data(), bytes.size()), handler);
    });
  });
  if (result) return ErrorFrom("send", result);
  return Status::Ok();
}

RawConnection::ReadResult RawConnection::ReadUntilClose(std::chrono::milliseconds timeout) {
  return SendAndReadUntilClose({}, timeout);
}

RawConnection::ReadResult RawConnection::ReadUntil(std::string_view marker,
                                                   std::chrono::milliseconds timeout) {
  ReadResult result;
  const Clock::time_point start = Clock::now();
  std::array<char, 16 * 1024> chunk{};
  impl_->With([&](auto& stream) {
    std::function<void()> read_more = [&] {
      stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
        result.data.append(chunk.data(), n);
        if (!ec && result.data.find(marker) == std::string::npos) return read_more();
        result.closed = ec && ec != beast::error::timeout;
        result.elapsed = Since(start);
      });
    };
    RunWithDeadline(impl_->ioc, impl_->Lowest(), timeout, [&] { read_more(); });
  });
  return result;
}

RawConnection::ReadResult RawConnection::SendAndReadUntilClose(std::string_view bytes,
                                                               std::chrono::milliseconds timeout) {
  ReadResult result;
  const Clock::time_point start = Clock::now();
  std::array<char, 16 * 1024> chunk{};
  impl_->With([&](auto& stream) {
    std::function<void()> read_more = [&] {
      stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
        result.data.append(chunk.data(), n);
        if (!ec) return read_more();
        result.closed = ec != beast::error::timeout;
        result.elapsed = Since(start);
        impl_->Shut();  // also ends a write the peer no longer reads
      });
    };
    RunWithDeadline(impl_->ioc, impl_->Lowest(), timeout, [&] {
      if (!bytes.empty()) {
        net::async_write(stream, net::buffer(bytes.data(), bytes.size()),
                         [](beast::error_code, std::size_t) {});
      }
      read_more();
    });
  });
  return result;
}

RawConnection::DripResult RawConnection::DripUntilClosed(std::string_view bytes,
                                                         std::chrono::milliseconds interval,
                                                         std::chrono::milliseconds timeout) {
  DripResult result;
  const Clock::time_point start = Clock::now();
  net::steady_timer timer(impl_->ioc);
  std::array<char, 4096> chunk{};
  bool done = false;
  impl_->With([&](auto& stream) {
    std::function<void()> read_more = [&] {
      stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t) {
        if (!ec) return read_more();
        result.closed = ec != beast::error::timeout;
        result.elapsed = Since(start);
        done = true;
        timer.cancel();
        impl_->Shut();
      });
    };
    std::function<void()> send_next = [&] {
      if (done || result.bytes_sent == bytes.size()) return;
      net::async_write(stream, net::buffer(bytes.data() + result.bytes_sent, 1),
                       [&](beast::error_code ec, std::size_t n) {
                         result.bytes_sent += n;
                         if (ec || done) return;
                         timer.expires_after(interval);
                         timer.async_wait([&](beast::error_code wait_ec) {
                           if (!wait_ec) send_next();
                         });
                       });
    };
    RunWithDeadline(impl_->ioc, impl_->Lowest(), timeout, [&] {
      send_next();
      read_more();
    });
  });
  return result;
}

bool CanConnect(std::uint16_t port) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), ec);
  if (ec) return false;
  socket.close(ec);
  return true;
}

}  // namespace bulwark::testing
