// The collector's HTTPS front end: Boost.Beast over Asio and OpenSSL. It owns sockets, TLS,
// HTTP/1.1 parsing, limits and timeouts, and hands each complete request to one synchronous
// `Handler`. It knows nothing about routes, devices or storage.
//
// Security properties (tested in tests/unit/collector/http/):
//  * TLS 1.2 minimum, TLS 1.3 preferred; TLS 1.2 restricted to ECDHE + AEAD suites
//    (AES-GCM, ChaCha20-Poly1305); no compression, no renegotiation, no session tickets
//    across restarts.
//  * Header block capped at `max_header_bytes`, body at `max_body_bytes` (413 before reading
//    the body when Content-Length says so); a client must send a whole request header within
//    `header_timeout` and a body within `body_timeout`, so slow clients cannot pin a
//    connection; idle keep-alive connections close after `idle_timeout`.
//  * At most `max_connections` connections at once; beyond that new ones are closed at once.
//  * `Stop()` stops accepting, lets in-flight requests finish (up to `drain_timeout`), then
//    closes everything.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"

namespace bulwark::collector {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin-form: path and optional query, undecoded
  // Header fields as received, names lower-cased; repeated fields appear repeatedly.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:53514"

  // The first value of header `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;  // 200..599; anything else is answered as 500
  std::string content_type = "application/json";
  std::string body;
  // Extra fields, e.g. ETag. Content-Length, Transfer-Encoding and Connection are the server's
  // to set: such entries are ignored. A name or value with CR, LF or NUL turns the response
  // into a 500 (a handler bug must not become header injection).
  std::vector<std::pair<std::string, std::string>> headers;
  // For the access log only: the authenticated device, if any.
  std::string log_device;
};

// Called on a server thread for each request; must be thread-safe. It should not throw: an
// exception escaping it is answered with 500 (and logged with status 500). It may block
// briefly (a database round trip); the connection's own I/O waits meanwhile, others do not.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpsServerOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;  // 0 = any free port; see HttpsServer::port()
  std::string cert_file;             // PEM chain, leaf first
  std::string key_file;              // PEM private key
  int threads = 0;                   // 0 = four per core; at least 2 are used
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t max_connections = 1024;  // beyond this, new connections are closed unanswered
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};  // to write one response
  std::chrono::milliseconds drain_timeout{10'000};
};

// One line per request, called after the response is written (also for the server's own
// 400/413/431/503 answers, where method and path may be empty): method, target path without
// the query, status, duration (from the first byte of the request to the end of the response
// write), device (may be empty). Called on a server thread; must be thread-safe; the views are
// valid only during the call.
struct AccessLogEntry {
  std::string_view method;
  std::string_view path;
  int status = 0;
  std::chrono::microseconds duration{0};
  std::string_view device;
  std::string_view remote_address;
};
using AccessLogger = std::function<void(const AccessLogEntry&)>;

// Counters for /metrics. Monotonic except the two gauges at the end.
struct HttpsServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over max_connections
  std::uint64_t tls_handshake_failures = 0;
  std::uint64_t requests = 0;  // responses produced, the server's own 4xx/5xx included
  // Handshake, header, body and write deadlines missed (idle keep-alive expiry is not counted).
  std::uint64_t timeouts = 0;
  std::uint64_t open_connections = 0;  // gauge
  // Gauge: requests whose first byte has been read and whose response is not yet written.
  std::uint64_t active_requests = 0;
};

class HttpsServer {
 public:
  // Loads the certificate and key, binds and listens (so port() is valid on return), but
  // serves nothing until Start(). kInvalidArgument for unreadable/mismatched cert or key (the
  // message names the file), a null handler, max_connections 0 or max_header_bytes < 256, or
  // an unresolvable listen_host; kUnavailable if the address cannot be bound.
  static Result<std::unique_ptr<HttpsServer>> Create(const HttpsServerOptions& options,
                                                     HttpHandler handler,
                                                     AccessLogger logger = nullptr);
  virtual ~HttpsServer() = default;

  // Starts the worker threads (options.threads, or four per core; at least 2).
  // Returns at once. Does nothing after Stop().
  virtual void Start() = 0;
  // Graceful stop as described above; blocks until every thread has joined. Idempotent.
  // REQUIRES: not called from the handler or the logger (it would wait for itself).
  virtual void Stop() = 0;
  // The bound port (useful with listen_port = 0).
  virtual std::uint16_t port() const = 0;
  virtual HttpsServerStats stats() const = 0;
};

// Writes a self-signed ECDSA P-256 certificate (SAN: the given DNS names and IP addresses,
// valid `days` days) and its key (mode 0600) as PEM files. Used by --generate-self-signed.
// Each file is replaced atomically (temporary file, fsync, rename), the key first.
// kInvalidArgument for a bad DNS name or IP address, no names at all, days outside 1..3650 or
// the same path twice; errno-derived codes (e.g. kNotFound for a missing directory) on write.
Status GenerateSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                     const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses, int days);

// Lowercase hex SHA-256 of the DER certificate in `cert_file` (what agents may pin).
Result<std::string> CertificateSha256(const std::string& cert_file);

}  // namespace bulwark::collector
