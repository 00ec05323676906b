// HttpsServer on Boost.Beast. This is the only translation unit of bulwark_https that includes
// Beast and Asio (they are heavy to compile).
//
// Threading: one io_context run by N threads. The acceptor lives on its own strand; every
// connection gets a fresh strand, and all of a Session's state is touched only from that strand
// (Stop() reaches sessions by posting to it). Shared counters and the session registry live in
// a ServerState that sessions co-own, so a session destroyed late (say, by ~io_context) never
// touches a dead server.
//
// Per connection: TLS handshake (handshake_timeout) -> wait for the first byte of a request
// (header_timeout for the first request, idle_timeout between keep-alive requests) -> read the
// header against one absolute deadline (so a byte-at-a-time client cannot extend it) -> read
// the body (body_timeout) -> call the handler on this thread -> write (write_timeout) -> repeat
// or close. Closing after a response is a TLS shutdown bounded by kLingerTimeout; while it
// waits for the client's close_notify, OpenSSL discards whatever else the client still sends,
// so a client we stopped reading (413, 431) sees our answer instead of a TCP reset.
#include "collector/http/https_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/http/tls_context.h"

namespace bulwark::collector {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// How long a closing connection may take for the TLS close_notify exchange.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
// After drain_timeout, how long Stop() waits for force-closed connections to unwind.
constexpr std::chrono::milliseconds kForceCloseGrace{2000};
// Back-off after a failed accept (EMFILE and friends), instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Read size while waiting for the first bytes of a request.
constexpr std::size_t kFirstReadBytes = 4096;
// Room in the read buffer beyond the header limit: one read's worth of pipelined data.
constexpr std::size_t kReadSlack = 64 * 1024;

constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string_view PathOf(std::string_view target) {
  return target.substr(0, std::min(target.find('?'), target.size()));
}

bool HasControlBytes(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  net::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  const std::string port = std::to_string(endpoint.port());
  if (address.is_v6()) return "[" + address.to_string() + "]:" + port;
  return address.to_string() + ":" + port;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse response;
  response.status = status;
  // `code` and `message` are our own constants: nothing to escape.
  response.body =
      "{\"error\":\"" + std::string(code) + "\",\"message\":\"" + std::string(message) + "\"}";
  return response;
}

class Session;

// State shared by the server object and every session.
struct ServerState {
  ServerState(const HttpsServerOptions& o, HttpHandler h, AccessLogger l)
      : options(o), handler(std::move(h)), logger(std::move(l)) {}

  const HttpsServerOptions options;
  const HttpHandler handler;
  const AccessLogger logger;

  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> handshake_failures{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> active{0};

  std::mutex mu;
  std::condition_variable drained;  // notified when `sessions` becomes empty
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;  // GUARDED_BY(mu)

  void Register(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mu);
    sessions.emplace(session.get(), session);
  }
  void Unregister(const Session* session) {
    std::lock_guard lock(mu);
    sessions.erase(session);
    if (sessions.empty()) drained.notify_all();
  }
  std::vector<std::shared_ptr<Session>> Snapshot() {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<Session>> out;
    out.reserve(sessions.size());
    for (auto& [key, weak] : sessions) {
      if (auto session = weak.lock()) out.push_back(std::move(session));
    }
    return out;
  }
  // Waits until no session is left or `timeout` passes; true when none is left.
  bool WaitDrained(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return drained.wait_for(lock, timeout, [this] { return sessions.empty(); });
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ssl::context& tls, std::shared_ptr<ServerState> state,
          std::string remote_address)
      : state_(std::move(state)),
        remote_address_(std::move(remote_address)),
        stream_(std::move(socket), tls),
        buffer_(state_->options.max_header_bytes + kReadSlack) {
    state_->open.fetch_add(1);
  }

  ~Session() {
    SetInRequest(false);
    state_->open.fetch_sub(1);
    state_->Unregister(this);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::DoHandshake, shared_from_this()));
  }

  // Thread-safe. Closes the connection at once unless a request is in flight.
  void RequestStop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->Guard([&] {
        if (self->phase_ == Phase::kHandshake || self->phase_ == Phase::kIdle) self->Close();
      });
    });
  }

  // Thread-safe. Closes the connection whatever it is doing.
  void ForceClose() {
    net::post(stream_.get_executor(),
              [self = shared_from_this()] { self->Guard([&] { self->Close(); }); });
  }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kShutdown, kClosed };

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // Every completion handler runs its body through Guard: nothing escapes into Asio.
  template <typename F>
  void Guard(F&& body) noexcept {
    try {
      body();
    } catch (...) {
      CloseQuietly();
    }
  }

  void CloseQuietly() noexcept {
    try {
      Close();
    } catch (...) {
      phase_ = Phase::kClosed;
    }
  }

  void Close() {
    phase_ = Phase::kClosed;
    SetInRequest(false);
    Tcp().close();
  }

  // Maintains the active_requests gauge.
  void SetInRequest(bool in_request) noexcept {
    if (in_request == in_request_) return;
    in_request_ = in_request;
    if (in_request) {
      state_->active.fetch_add(1);
    } else {
      state_->active.fetch_sub(1);
    }
  }

  void DoHandshake() {
    Guard([&] {
      phase_ = Phase::kHandshake;
      if (state_->stopping.load()) return Close();
      Tcp().expires_after(state_->options.handshake_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
    });
  }

  void OnHandshake(beast::error_code ec) {
    Guard([&] {
      if (ec) {
        if (ec == beast::error::timeout) {
          state_->timeouts.fetch_add(1);
        } else if (phase_ != Phase::kClosed) {
          state_->handshake_failures.fetch_add(1);
        }
        return Close();
      }
      WaitForRequest();
    });
  }

  // Waits for the first byte of the next request (or parses one already buffered).
  void WaitForRequest() {
    if (state_->stopping.load()) return Close();  // idle: nothing in flight
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        state_->options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(state_->options.max_body_bytes));
    log_method_.clear();
    log_path_.clear();
    log_device_.clear();
    if (buffer_.size() > 0) {  // pipelined: the next request has begun already
      request_start_ = Clock::now();
      SetInRequest(true);
      return ReadHeader(Clock::now() + state_->options.header_timeout);
    }
    phase_ = Phase::kIdle;
    // The first request must arrive within header_timeout of the handshake; later ones may
    // wait idle_timeout.
    Tcp().expires_after(first_request_ ? state_->options.header_timeout
                                       : state_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, std::size_t bytes) {
    Guard([&] {
      if (ec) {
        // An idle keep-alive connection timing out is routine; a silent new one is not.
        if (ec == beast::error::timeout && first_request_) state_->timeouts.fetch_add(1);
        return Close();
      }
      buffer_.commit(bytes);
      request_start_ = Clock::now();
      SetInRequest(true);
      // For the first request the header deadline already runs since the handshake.
      ReadHeader(first_request_ ? Clock::time_point::max()
                                : Clock::now() + state_->options.header_timeout);
    });
  }

  // `deadline` = max() keeps the current expiry.
  void ReadHeader(Clock::time_point deadline) {
    phase_ = Phase::kReading;
    if (deadline != Clock::time_point::max()) Tcp().expires_at(deadline);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t /*bytes*/) {
    Guard([&] {
      CaptureRequestLine();
      if (ec) return OnReadError(ec);
      if (state_->stopping.load()) {
        return SendError(503, "unavailable", "the server is shutting down");
      }
      if (parser_->is_done()) return HandleRequest();
      Tcp().expires_after(state_->options.body_timeout);
      const auto& request = parser_->get();
      if (request.version() >= 11 &&
          EqualsIgnoreCase(request[http::field::expect], "100-continue")) {
        // curl and others wait for this before sending a large body.
        return net::async_write(
            stream_, net::buffer(kContinue, sizeof kContinue - 1),
            beast::bind_front_handler(&Session::OnContinueWritten, shared_from_this()));
      }
      ReadBody();
    });
  }

  void OnContinueWritten(beast::error_code ec, std::size_t /*bytes*/) {
    Guard([&] {
      if (ec) {
        if (ec == beast::error::timeout) state_->timeouts.fetch_add(1);
        return Close();
      }
      ReadBody();
    });
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t /*bytes*/) {
    Guard([&] {
      if (ec) return OnReadError(ec);
      HandleRequest();
    });
  }

  void CaptureRequestLine() {
    const auto& request = parser_->get();
    log_method_ = std::string(request.method_string());
    log_path_ = std::string(PathOf(request.target()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return SendError(
          413, "payload_too_large",
          "the request body exceeds " + std::to_string(state_->options.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return SendError(431, "headers_too_large",
                       "the request header exceeds " +
                           std::to_string(state_->options.max_header_bytes) + " bytes");
    }
    if (ec == beast::error::timeout) {
      state_->timeouts.fetch_add(1);
      return Close();
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return Close();
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      return SendError(400, "bad_request", "malformed HTTP request");
    }
    Close();  // transport or TLS error, or we closed it
  }

  void HandleRequest() {
    phase_ = Phase::kHandling;
    http::request<http::string_body> message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_address_;

    HttpResponse response;
    try {
      response = state_->handler(request);
    } catch (...) {
      response = ErrorResponse(500, "internal_error", "internal server error");
    }
    // Stop() may have begun while the handler ran: answer, then close.
    keep_alive_ = message.keep_alive() && !state_->stopping.load();
    SendResponse(std::move(response), message.version(), message.method() == http::verb::head);
  }

  void SendError(int status, std::string_view code, const std::string& message) {
    keep_alive_ = false;
    SendResponse(ErrorResponse(status, code, message), 11, false);
  }

  void SendResponse(HttpResponse response, unsigned version, bool head) {
    bool valid = response.status >= 200 && response.status <= 599;
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || HasControlBytes(name) || HasControlBytes(value) ||
          name.find(':') != std::string::npos) {
        valid = false;
      }
    }
    if (!valid) response = ErrorResponse(500, "internal_error", "internal server error");

    response_ = {};
    response_.version(version == 10 ? 10 : 11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, "bulwark-collector");
    const bool no_body = response.status == 204 || response.status == 304;
    if (!no_body && !response.content_type.empty()) {
      response_.set(http::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) {
      if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
          EqualsIgnoreCase(name, "connection")) {
        continue;
      }
      response_.insert(name, value);
    }
    if (!no_body) response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    // HEAD: the Content-Length of the GET answer, no body.
    if (head) response_.body().clear();
    log_device_ = std::move(response.log_device);
    status_ = response.status;
    state_->requests.fetch_add(1);

    phase_ = Phase::kWriting;
    Tcp().expires_after(state_->options.write_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWritten, shared_from_this()));
  }

  void OnWritten(beast::error_code ec, std::size_t /*bytes*/) {
    Guard([&] {
      if (ec) {
        if (ec == beast::error::timeout) state_->timeouts.fetch_add(1);
        return Close();
      }
      Log();
      SetInRequest(false);
      response_ = {};
      if (!keep_alive_) return Shutdown();
      first_request_ = false;
      WaitForRequest();
    });
  }

  void Log() {
    if (!state_->logger) return;
    AccessLogEntry entry;
    entry.method = log_method_;
    entry.path = log_path_;
    entry.status = status_;
    entry.duration =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - request_start_);
    entry.device = log_device_;
    entry.remote_address = remote_address_;
    try {
      state_->logger(entry);
    } catch (...) {
      // A logger failure must not cost the client its connection.
    }
  }

  void Shutdown() {
    phase_ = Phase::kShutdown;
    Tcp().expires_after(kLingerTimeout);
    stream_.async_shutdown(beast::bind_front_handler(&Session::OnShutdown, shared_from_this()));
  }

  void OnShutdown(beast::error_code /*ec*/) {
    Guard([&] { Close(); });
  }

  const std::shared_ptr<ServerState> state_;
  const std::string remote_address_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  Phase phase_ = Phase::kHandshake;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool in_request_ = false;
  Clock::time_point request_start_ = Clock::now();
  int status_ = 0;
  std::string log_method_;
  std::string log_path_;
  std::string log_device_;
};

class HttpsServerImpl final : public HttpsServer {
 public:
  HttpsServerImpl(std::shared_ptr<ServerState> state, SslCtxPtr tls)
      : state_(std::move(state)),
        tls_(tls.release()),  // ssl::context takes ownership of the SSL_CTX
        ioc_(ThreadCount(state_->options)),
        accept_strand_(net::make_strand(ioc_)),
        acceptor_(accept_strand_),
        accept_retry_(accept_strand_),
        work_(net::make_work_guard(ioc_)) {}

  ~HttpsServerImpl() override { Stop(); }

  Status Listen() {
    const HttpsServerOptions& o = state_->options;
    beast::error_code ec;
    tcp::endpoint endpoint;
    const net::ip::address address = net::ip::make_address(o.listen_host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, o.listen_port);
    } else {
      tcp::resolver resolver(ioc_);
      const auto results = resolver.resolve(o.listen_host, std::to_string(o.listen_port),
                                            tcp::resolver::passive, ec);
      if (ec || results.empty()) {
        return InvalidArgumentError("cannot resolve listen host '" + o.listen_host +
                                    "': " + ec.message());
      }
      endpoint = results.begin()->endpoint();
    }
    const std::string where = FormatEndpoint(endpoint);
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return UnavailableError("cannot open a socket for " + where + ": " + ec.message());
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) return UnavailableError("cannot set SO_REUSEADDR: " + ec.message());
    acceptor_.bind(endpoint, ec);
    if (ec) return UnavailableError("cannot bind " + where + ": " + ec.message());
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return UnavailableError("cannot read the bound port: " + ec.message());
    return Status::Ok();
  }

  void Start() override {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || stopped_) return;
    started_ = true;
    net::post(accept_strand_, [this] { DoAccept(); });
    const int n = ThreadCount(state_->options);
    threads_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { RunLoop(); });
  }

  void Stop() override {
    std::lock_guard lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
    state_->stopping.store(true);
    if (!started_) {
      beast::error_code ec;
      acceptor_.close(ec);  // no thread runs: nothing else touches it
      return;
    }
    // 1. Stop accepting. OnAccept runs on the same strand and checks `stopping`, so once this
    //    returns no session can be added to the registry.
    std::promise<void> closed;
    net::post(accept_strand_, [this, &closed] {
      beast::error_code ec;
      acceptor_.close(ec);
      accept_retry_.cancel();
      closed.set_value();
    });
    closed.get_future().wait();
    // 2. Idle connections close now; in-flight requests finish and close after the response.
    for (const auto& session : state_->Snapshot()) session->RequestStop();
    // 3. Drain, then close what is left.
    if (!state_->WaitDrained(state_->options.drain_timeout)) {
      for (const auto& session : state_->Snapshot()) session->ForceClose();
      state_->WaitDrained(kForceCloseGrace);
    }
    // 4. A handler that never returns still blocks its thread's join: nothing can interrupt it.
    work_.reset();
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  std::uint16_t port() const override { return port_; }

  HttpsServerStats stats() const override {
    HttpsServerStats s;
    s.connections_accepted = state_->accepted.load();
    s.connections_rejected = state_->rejected.load();
    s.tls_handshake_failures = state_->handshake_failures.load();
    s.requests = state_->requests.load();
    s.timeouts = state_->timeouts.load();
    s.open_connections = state_->open.load();
    s.active_requests = state_->active.load();
    return s;
  }

 private:
  static int ThreadCount(const HttpsServerOptions& o) {
    if (o.threads > 0) return std::max(o.threads, 2);
    // Handlers run on these threads and block in the database (a group commit, a PostgreSQL
    // round trip): with one thread per core the cores idle while every thread waits. Four per
    // core keeps them busy (load bench: +15% reports/s over one per core, same p99).
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return std::max(4 * cores, 4);
  }

  void RunLoop() {
    while (true) {
      try {
        ioc_.run();
        return;
      } catch (...) {
        // Handlers guard themselves; should anything slip through, keep the thread serving.
      }
    }
  }

  void DoAccept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&HttpsServerImpl::OnAccept, this));
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || state_->stopping.load()) return;
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !state_->stopping.load()) DoAccept();
      });
      return;
    }
    if (state_->stopping.load()) {
      socket.close(ec);
      return;
    }
    if (state_->open.load() >= state_->options.max_connections) {
      state_->rejected.fetch_add(1);
      socket.close(ec);
      return DoAccept();
    }
    try {
      socket.set_option(tcp::no_delay(true), ec);
      std::string remote = FormatEndpoint(socket.remote_endpoint(ec));
      auto session = std::make_shared<Session>(std::move(socket), tls_, state_, std::move(remote));
      state_->accepted.fetch_add(1);
      state_->Register(session);
      session->Start();
    } catch (...) {
      // Out of memory or SSL_new failed: drop this connection, keep accepting.
    }
    DoAccept();
  }

  const std::shared_ptr<ServerState> state_;
  ssl::context tls_;
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::uint16_t port_ = 0;

  std::mutex lifecycle_mu_;
  bool started_ = false;  // GUARDED_BY(lifecycle_mu_)
  bool stopped_ = false;  // GUARDED_BY(lifecycle_mu_)
  std::vector<std::thread> threads_;
};

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::Create(const HttpsServerOptions& options,
                                                         HttpHandler handler, AccessLogger logger) {
  if (!handler) return InvalidArgumentError("an HTTP handler is required");
  if (options.max_connections == 0) return InvalidArgumentError("max_connections must be > 0");
  if (options.max_header_bytes < 256) {
    return InvalidArgumentError("max_header_bytes must be at least 256");
  }
  ASSIGN_OR_RETURN(SslCtxPtr tls, CreateServerTlsContext(options.cert_file, options.key_file));
  try {
    auto state = std::make_shared<ServerState>(options, std::move(handler), std::move(logger));
    auto server = std::make_unique<HttpsServerImpl>(std::move(state), std::move(tls));
    RETURN_IF_ERROR(server->Listen());
    return std::unique_ptr<HttpsServer>(std::move(server));
  } catch (const std::exception& e) {
    return InternalError(std::string("cannot create the HTTPS server: ") + e.what());
  }
}

}  // namespace bulwark::collector
