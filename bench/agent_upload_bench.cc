// End-to-end upload throughput of the agent: N of the agent's own reports (the baseline
// evaluated against a recorded facts fixture, tests/testing/baseline_report; the default is a
// failing Linux workstation's, ~25 KB) are queued in a real queue.db (EnqueueBatch of 500),
// then drained by the agent's Uploader over libcurl/TLS into the real bulwark-collector binary
// (SQLite) on 127.0.0.1. Prints enqueue and upload reports/s and checks that the collector
// acknowledged every report.
//
//   agent_upload_bench --collector PATH [--reports 5000] [--batch 100]
//                      [--fixture linux-noncompliant|linux-compliant|linux-unknown]
#include <curl/curl.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "agent/net/https_client.h"
#include "agent/queue/report_queue.h"
#include "agent/sys/clock.h"
#include "agent/upload/uploader.h"
#include "tests/testing/baseline_report.h"
#include "tests/testing/https_client.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace {

namespace json = boost::json;
using Steady = std::chrono::steady_clock;

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string collector_binary;
  std::size_t reports = 5000;
  std::size_t batch = 100;
  std::string fixture = "linux-noncompliant";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--collector") collector_binary = argv[i + 1];
    if (flag == "--reports") reports = std::stoul(argv[i + 1]);
    if (flag == "--batch") batch = std::stoul(argv[i + 1]);
    if (flag == "--fixture") fixture = argv[i + 1];
  }
  if (collector_binary.empty()) {
    std::cerr << "usage: agent_upload_bench --collector PATH [--reports N] [--batch N]\n";
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  bulwark::testing::TempDir dir;
  bulwark::testing::CollectorProcess collector(collector_binary, dir.Join("collector"));
  if (!collector.ok()) {
    std::cerr << "the collector did not start:\n" << collector.log();
    return 1;
  }
  bulwark::testing::HttpsTestClientOptions test_options;
  test_options.ca_file = collector.ca();
  bulwark::testing::HttpsTestClient admin(collector.port(), test_options);
  // The device enrols as the machine the fixture's facts describe (the collector refuses reports
  // about another machine).
  auto unenrolled = bulwark::testing::BaselineReport(fixture, "bench-00000000", "");
  if (!unenrolled.ok()) {
    std::cerr << unenrolled.status().ToString() << "\n";
    return 1;
  }
  const json::value unenrolled_report = json::parse(*unenrolled);
  const json::value& host = unenrolled_report.at("facts").at("host");
  auto enrolled =
      admin.Request("POST", "/api/v1/enroll",
                    json::serialize(json::object{{"enroll_secret", collector.enroll_secret()},
                                                 {"machine_id", host.at("machine_id")},
                                                 {"hostname", host.at("hostname")},
                                                 {"os", "linux"}}),
                    {{"Content-Type", "application/json"}});
  if (!enrolled.ok() || enrolled->status != 201) {
    std::cerr << "enrolment failed\n";
    return 1;
  }
  const json::value enrolment = json::parse(enrolled->body);
  const std::string credential = json::value_to<std::string>(enrolment.at("credential"));
  const std::string device_id = json::value_to<std::string>(enrolment.at("device_id"));

  bulwark::SystemClock clock;
  bulwark::queue::QueueLimits limits;
  limits.max_reports = reports + 1;
  limits.max_bytes = std::size_t{2} << 30;
  auto queue = bulwark::queue::OpenReportQueue(dir.Join("queue.db"), limits, clock);
  if (!queue.ok()) {
    std::cerr << queue.status().ToString() << "\n";
    return 1;
  }
  // One document, made once; each report gets its own id in the same place (ids of equal length).
  const std::string id_mark = "bench-00000000";
  auto made = bulwark::testing::BaselineReport(fixture, id_mark, device_id);
  if (!made.ok()) {
    std::cerr << made.status().ToString() << "\n";
    return 1;
  }
  const std::string document = std::move(made).value();
  const std::size_t id_at = document.find("\"" + id_mark + "\"") + 1;
  std::vector<std::pair<std::string, std::string>> chunk;
  std::size_t bytes = 0;
  const auto enqueue_start = Steady::now();
  for (std::size_t i = 0; i < reports; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "bench-%08zu", i);
    chunk.emplace_back(id, document);
    chunk.back().second.replace(id_at, id_mark.size(), id);
    bytes += chunk.back().second.size();
    if (chunk.size() == 500 || i + 1 == reports) {
      if (auto s = (*queue)->EnqueueBatch(chunk); !s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 1;
      }
      chunk.clear();
    }
  }
  const double enqueue_s = Seconds(enqueue_start);

  bulwark::net::TlsOptions tls;
  tls.ca_file = collector.ca();
  auto client = bulwark::net::HttpsClient::Create(collector.url(), tls);
  if (!client.ok()) {
    std::cerr << client.status().ToString() << "\n";
    return 1;
  }
  bulwark::upload::UploaderOptions options;
  options.batch_max_reports = batch;
  bulwark::upload::Uploader uploader(
      **queue, **client, [&] { return credential; }, clock, options, 1);
  std::atomic<bool> stop{false};
  const auto upload_start = Steady::now();
  auto drained = uploader.Drain(stop);
  const double upload_s = Seconds(upload_start);
  if (!drained.ok()) {
    std::cerr << drained.status().ToString() << "\n";
    return 1;
  }
  std::printf("reports: %zu of %zu bytes on average, upload batches of %zu\n", reports,
              bytes / reports, batch);
  std::printf("enqueue (EnqueueBatch of 500, synchronous=FULL): %.0f reports/s\n",
              static_cast<double>(reports) / enqueue_s);
  std::printf("upload to the collector (gzip, TLS, ack + delete): %.0f reports/s, %zu requests\n",
              static_cast<double>(drained->acked) / upload_s, drained->requests);
  if (drained->acked != reports) {
    std::printf("ERROR: %zu of %zu reports acknowledged (%s)\n", drained->acked, reports,
                std::string(bulwark::upload::UploadOutcomeName(drained->outcome)).c_str());
    if (auto letters = (*queue)->DeadLetters(1); letters.ok() && !letters->empty()) {
      std::printf("first dead letter: HTTP %d %s\n", letters->front().http_status,
                  letters->front().error.c_str());
    }
    return 1;
  }
  collector.Stop();
  return 0;
}
