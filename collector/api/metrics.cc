#include "collector/api/metrics.h"

#include <sstream>

namespace bulwark::collector {
namespace {

void Family(std::ostringstream& out, std::string_view name, std::string_view type,
            std::string_view help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

void CollectorMetrics::CountResponse(int status) {
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) {
    responses_[static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  }
}

std::string CollectorMetrics::Render(const HttpsServerStats& server,
                                     std::string_view backend) const {
  std::ostringstream out;
  auto load = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  Family(out, "bulwark_http_responses_total", "counter", "HTTP responses by status class.");
  for (std::size_t cls = 1; cls <= 5; ++cls) {
    out << "bulwark_http_responses_total{code=\"" << cls << "xx\"} " << load(responses_[cls])
        << '\n';
  }
  Family(out, "bulwark_reports_total", "counter", "Reports received, by ingest result.");
  out << "bulwark_reports_total{result=\"accepted\"} " << load(reports_accepted_) << '\n';
  out << "bulwark_reports_total{result=\"duplicate\"} " << load(reports_duplicate_) << '\n';
  Family(out, "bulwark_report_batches_rejected_total", "counter",
         "Report batches refused as malformed, oversize or unauthorised.");
  out << "bulwark_report_batches_rejected_total " << load(batches_rejected_) << '\n';
  Family(out, "bulwark_enrollments_total", "counter", "Successful enrolments and re-enrolments.");
  out << "bulwark_enrollments_total " << load(enrollments_) << '\n';
  Family(out, "bulwark_auth_failures_total", "counter",
         "Requests refused for a missing or bad credential.");
  out << "bulwark_auth_failures_total " << load(auth_failures_) << '\n';
  Family(out, "bulwark_store_errors_total", "counter", "Storage operations that failed.");
  out << "bulwark_store_errors_total " << load(store_errors_) << '\n';
  Family(out, "bulwark_connections_accepted_total", "counter", "TLS connections accepted.");
  out << "bulwark_connections_accepted_total " << server.connections_accepted << '\n';
  Family(out, "bulwark_connections_rejected_total", "counter",
         "Connections closed at once because the connection cap was reached.");
  out << "bulwark_connections_rejected_total " << server.connections_rejected << '\n';
  Family(out, "bulwark_tls_handshake_failures_total", "counter", "Failed TLS handshakes.");
  out << "bulwark_tls_handshake_failures_total " << server.tls_handshake_failures << '\n';
  Family(out, "bulwark_request_timeouts_total", "counter",
         "Connections closed because a client was too slow.");
  out << "bulwark_request_timeouts_total " << server.timeouts << '\n';
  Family(out, "bulwark_open_connections", "gauge", "Connections open now.");
  out << "bulwark_open_connections " << server.open_connections << '\n';
  Family(out, "bulwark_active_requests", "gauge", "Requests being read, handled or written now.");
  out << "bulwark_active_requests " << server.active_requests << '\n';
  Family(out, "bulwark_store_info", "gauge", "The storage backend in use.");
  out << "bulwark_store_info{backend=\"" << backend << "\"} 1\n";
  return out.str();
}

}  // namespace bulwark::collector
