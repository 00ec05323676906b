// Load generator for bulwark-collector: starts the collector binary on 127.0.0.1 (SQLite in a
// temp dir, or the PostgreSQL URL given), enrols N devices, then keeps N TLS keep-alive
// connections posting realistic ~5 KB reports (one per request, unique ids) for a fixed time,
// and prints throughput and latency percentiles.
//
//   collector_load --collector PATH [--db URL] [--connections 50] [--seconds 10] [--batch 1]
//                  [--server-threads N]   (the collector's --threads; default four per core)
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/time_util.h"
#include "tests/testing/https_client.h"
#include "tests/testing/realistic_report.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string collector_binary;
  std::string db;
  int connections = 50;
  int seconds = 10;
  int batch = 1;
  std::string server_threads;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--collector")
      collector_binary = value;
    else if (flag == "--db")
      db = value;
    else if (flag == "--connections")
      connections = std::stoi(value);
    else if (flag == "--seconds")
      seconds = std::stoi(value);
    else if (flag == "--batch")
      batch = std::stoi(value);
    else if (flag == "--server-threads")
      server_threads = value;
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (collector_binary.empty()) {
    std::cerr << "usage: collector_load --collector PATH [--db URL] [--connections N] "
                 "[--seconds S] [--batch B]\n";
    return 2;
  }
  bulwark::testing::TempDir dir;
  const std::string data = dir.Join("collector");
  std::vector<std::string> args = {
      collector_binary, "--generate-self-signed", "--data-dir", data, "--listen", "127.0.0.1:0",
      "--port-file",    dir.Join("port")};
  if (!db.empty()) {
    args.push_back("--db");
    args.push_back(db);
  }
  if (!server_threads.empty()) {
    args.push_back("--threads");
    args.push_back(server_threads);
  }
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = dir.Join("collector.log");
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t pid = 0;
  if (posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), environ) != 0) {
    std::cerr << "cannot start " << collector_binary << "\n";
    return 1;
  }
  std::uint16_t port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    const std::string p = ReadFile(dir.Join("port"));
    if (!p.empty() && p.back() == '\n')
      port = static_cast<std::uint16_t>(std::stoi(p));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto stop = [&] {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  };
  if (port == 0) {
    std::cerr << "the collector did not start:\n" << ReadFile(log);
    stop();
    return 1;
  }
  const std::string secret = Trim(ReadFile(data + "/enroll-secret"));
  bulwark::testing::HttpsTestClientOptions options;
  options.ca_file = data + "/tls/cert.pem";

  // Enrol one device per connection.
  std::vector<std::string> credentials;
  {
    bulwark::testing::HttpsTestClient client(port, options);
    for (int i = 0; i < connections; ++i) {
      auto r =
          client.Request("POST", "/api/v1/enroll",
                         json::serialize(json::object{{"enroll_secret", secret},
                                                      {"machine_id", "load-" + std::to_string(i)},
                                                      {"hostname", "ws-load-" + std::to_string(i)},
                                                      {"os", "linux"}}),
                         {{"Content-Type", "application/json"}});
      // 200 is a re-enrolment (a PostgreSQL database kept from an earlier run).
      if (!r.ok() || (r->status != 201 && r->status != 200)) {
        std::cerr << "enrolment failed: "
                  << (r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body
                             : r.status().ToString())
                  << "\n";
        stop();
        return 1;
      }
      credentials.push_back(json::value_to<std::string>(json::parse(r->body).at("credential")));
    }
  }
  const std::size_t report_bytes =
      json::serialize(bulwark::testing::RealisticReport("size-probe-000", "load-0")).size();

  std::atomic<bool> go{false};
  std::atomic<bool> done{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  std::vector<long> reports(static_cast<std::size_t>(connections), 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      bulwark::testing::HttpsTestClient client(port, options);
      const std::string machine = "load-" + std::to_string(c);
      const bulwark::testing::HeaderList headers = {
          {"Content-Type", "application/json"},
          {"Authorization", "Bearer " + credentials[static_cast<std::size_t>(c)]}};
      if (!client.Connect().ok()) {
        errors.fetch_add(1);
        return;
      }
      // Pre-build bodies outside the timed loop: the bench measures the collector. Each report
      // id is a fixed-width placeholder overwritten in place, so the generator's cost per
      // request does not grow with the batch (a find/replace per report shifted the body).
      constexpr std::size_t kIdWidth = 32;
      const std::string placeholder(kIdWidth, 'x');
      struct Body {
        std::string text;
        std::vector<std::size_t> id_offsets;
      };
      std::vector<Body> bodies;
      const int distinct = std::max(1, 64 / batch);
      for (int n = 0; n < distinct; ++n) {
        json::array items;
        for (int b = 0; b < batch; ++b)
          items.push_back(bulwark::testing::RealisticReport(placeholder, machine));
        Body body{json::serialize(json::object{{"reports", std::move(items)}}), {}};
        const std::string marker = "\"report_id\":\"" + placeholder + "\"";
        for (std::size_t at = body.text.find(marker); at != std::string::npos;
             at = body.text.find(marker, at + marker.size())) {
          body.id_offsets.push_back(at + marker.size() - kIdWidth - 1);
        }
        bodies.push_back(std::move(body));
      }
      while (!go.load()) std::this_thread::yield();
      long seq = 0;
      while (!done.load()) {
        Body& body = bodies[static_cast<std::size_t>(seq) % bodies.size()];
        for (std::size_t b = 0; b < body.id_offsets.size(); ++b) {
          char id[64];
          std::snprintf(id, sizeof id, "rep-c%04d-%012ld-%04zu-", c, seq, b);
          std::string_view text(id);
          std::string padded(text.substr(0, kIdWidth));
          padded.resize(kIdWidth, '0');
          body.text.replace(body.id_offsets[b], kIdWidth, padded);
        }
        const auto t0 = Clock::now();
        auto r = client.Request("POST", "/api/v1/reports", body.text, headers);
        const auto t1 = Clock::now();
        if (!r.ok() || r->status != 200) {
          if (errors.fetch_add(1) == 0) {
            std::fprintf(stderr, "first error: %s\n",
                         r.ok() ? (std::to_string(r->status) + " " + r->body).c_str()
                                : r.status().ToString().c_str());
          }
        } else {
          latencies[static_cast<std::size_t>(c)].push_back(
              std::chrono::duration<double, std::milli>(t1 - t0).count());
          reports[static_cast<std::size_t>(c)] += batch;
        }
        ++seq;
      }
    });
  }
  const auto start = Clock::now();
  go.store(true);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  done.store(true);
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  stop();

  std::vector<double> all;
  long total = 0;
  for (std::size_t c = 0; c < latencies.size(); ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    total += reports[c];
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty()
               ? 0.0
               : all[std::min(all.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  std::printf("backend: %s\n", db.empty() ? "sqlite" : "postgresql");
  std::printf("connections: %d, batch: %d report(s) of %zu bytes, %d s\n", connections, batch,
              report_bytes, seconds);
  std::printf("reports stored: %ld (%.0f reports/s), requests: %zu, errors: %ld\n", total,
              static_cast<double>(total) / elapsed, all.size(), errors.load());
  std::printf("latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", pct(0.50), pct(0.90),
              pct(0.99), all.empty() ? 0.0 : all.back());
  return errors.load() == 0 ? 0 : 1;
}
