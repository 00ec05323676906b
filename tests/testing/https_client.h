// Test-only HTTPS client and raw-socket helpers for the collector's tests and load benchmark.
//
// HttpsTestClient: a blocking HTTP/1.1 client over TLS (Boost.Beast underneath, kept out of
// this header) that connects to 127.0.0.1:port, optionally verifies the server certificate
// against a PEM file, and reuses its connection across requests (keep-alive). RawConnection:
// plain TCP or TLS connections for hostile tests that send arbitrary bytes and watch for the
// server closing.
//
// Every blocking call is bounded by a timeout. Thread-safety: one object per thread; distinct
// objects may be used concurrently.
#ifndef BULWARK_TESTS_TESTING_HTTPS_CLIENT_H_
#define BULWARK_TESTS_TESTING_HTTPS_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"

namespace bulwark::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

enum class TlsVersion { kDefault, kTls1_1, kTls1_2, kTls1_3 };

struct HttpsTestClientOptions {
  // PEM certificate(s) to trust. Empty: no verification at all.
  std::string ca_file;
  // Checked against the certificate's subjectAltName when ca_file is set (IP or DNS name).
  std::string verify_host = "127.0.0.1";
  // Protocol bounds; kDefault leaves OpenSSL's.
  TlsVersion min_version = TlsVersion::kDefault;
  TlsVersion max_version = TlsVersion::kDefault;
  // OpenSSL cipher list for TLS <= 1.2 (e.g. "ECDHE-ECDSA-AES128-SHA256"); empty = default.
  std::string tls12_ciphers;
  // OpenSSL security level; -1 keeps the default. TLS 1.1 needs 0 in OpenSSL 3.
  int security_level = -1;
  // Bound on each connect, handshake, write and response read.
  std::chrono::milliseconds timeout{10'000};
};

struct TestResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased, in order received
  std::string body;

  // First value of header `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

class HttpsTestClient {
 public:
  explicit HttpsTestClient(std::uint16_t port, HttpsTestClientOptions options = {});
  ~HttpsTestClient();
  HttpsTestClient(const HttpsTestClient&) = delete;
  HttpsTestClient& operator=(const HttpsTestClient&) = delete;

  // Connects and completes the TLS handshake unless already connected. Errors carry the
  // OpenSSL reason (e.g. "tlsv1 alert protocol version").
  Status Connect();

  // Sends one request on the current connection (connecting first when there is none) and
  // reads the whole response (only its header for HEAD). When a reused connection turns out to be
  // closed by the server before any response byte, reconnects once and retries. The connection is
  // dropped after a response carrying "Connection: close" or on any error. Content-Length is set
  // from `body`; Host is added unless given.
  Result<TestResponse> Request(std::string_view method, std::string_view target,
                               std::string_view body = {}, const HeaderList& headers = {});

  // Closes the connection (without waiting for the server).
  void Close();

  bool connected() const;
  // TCP connections opened so far (a keep-alive check: two requests, one connection).
  int connections_opened() const;
  // The negotiated protocol ("TLSv1.3") and cipher of the current connection, or "".
  std::string tls_version() const;
  std::string cipher() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A connection that sends whatever bytes a test wants.
class RawConnection {
 public:
  // Plain TCP to 127.0.0.1:port.
  static Result<std::unique_ptr<RawConnection>> ConnectTcp(
      std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // TCP plus a TLS handshake (options as for HttpsTestClient); bytes then go inside TLS.
  static Result<std::unique_ptr<RawConnection>> ConnectTls(std::uint16_t port,
                                                           HttpsTestClientOptions options = {});
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes`.
  Status Send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  struct ReadResult {
    std::string data;     // everything received
    bool closed = false;  // the peer closed (EOF, reset, TLS error); false: timed out
    std::chrono::milliseconds elapsed{0};
  };
  // Reads until the peer closes the connection or `timeout` passes.
  ReadResult ReadUntilClose(std::chrono::milliseconds timeout);
  // Reads until the data received by this call contains `marker` (closed stays false), the
  // peer closes, or `timeout` passes. Bytes after the marker are returned too, not kept.
  ReadResult ReadUntil(std::string_view marker, std::chrono::milliseconds timeout);
  // Writes `bytes` while reading, until the peer closes or `timeout` passes. Write errors
  // (the peer stopped reading and closed) are not errors here.
  ReadResult SendAndReadUntilClose(std::string_view bytes, std::chrono::milliseconds timeout);

  struct DripResult {
    std::size_t bytes_sent = 0;
    bool closed = false;  // the peer closed before all bytes were sent and `timeout` passed
    std::chrono::milliseconds elapsed{0};  // from the first byte to the close
  };
  // Sends `bytes` one at a time, `interval` apart, until the peer closes (or `timeout`).
  DripResult DripUntilClosed(std::string_view bytes, std::chrono::milliseconds interval,
                             std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit RawConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether a plain TCP connection to 127.0.0.1:port is accepted by the kernel (false once the
// listening socket is closed). The probe connection is closed at once.
bool CanConnect(std::uint16_t port);

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_HTTPS_CLIENT_H_
