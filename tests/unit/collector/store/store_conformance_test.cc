// The Store conformance suite: every test runs against SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "collector/store/store.h"
#include "tests/unit/collector/store/store_fixture.h"

namespace bulwark::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

PolicyRecord MakePolicy(std::string policy_id, std::int64_t epoch, std::int64_t version,
                        std::vector<std::string> platforms, std::string bundle = "") {
  PolicyRecord policy;
  policy.policy_id = std::move(policy_id);
  policy.epoch = epoch;
  policy.version = version;
  policy.platforms = std::move(platforms);
  policy.bundle = bundle.empty() ? "{\"payload\":\"" + policy.policy_id + "/" +
                                       std::to_string(epoch) + "/" + std::to_string(version) + "\"}"
                                 : std::move(bundle);
  policy.sha256 = Sha256Hex(policy.bundle);
  policy.published_at = 5000 + version;
  return policy;
}

std::vector<std::string> Ids(const std::vector<DeviceSummary>& devices) {
  std::vector<std::string> ids;
  for (const DeviceSummary& device : devices) ids.push_back(device.device_id);
  return ids;
}

class StoreTest : public BackendFixture {
 protected:
  void SetUp() override {
    BackendFixture::SetUp();
    if (HasFatalFailure()) return;
    store_ = OpenOrDie();
    ASSERT_NE(store_, nullptr);
  }

  std::string EnrollOrDie(const std::string& machine_id, const std::string& hostname = "host",
                          const std::string& os = "linux") {
    Result<EnrollResult> result = store_->Enroll(MakeEnroll(machine_id, hostname, os));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->device_id : "";
  }

  IngestResult IngestOrDie(std::vector<ReportRecord> reports) {
    Result<IngestResult> result = store_->IngestReports(reports);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : IngestResult();
  }

  DeviceDetail DetailOrDie(const std::string& device_id, std::int64_t history = 100) {
    Result<DeviceDetail> detail = store_->GetDevice(device_id, history);
    EXPECT_TRUE(detail.ok()) << detail.status().ToString();
    return detail.ok() ? *detail : DeviceDetail();
  }

  DevicePage ListOrDie(const DeviceFilter& filter) {
    Result<DevicePage> page = store_->ListDevices(filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : DevicePage();
  }

  std::unique_ptr<Store> store_;
};

// --- enrolment ---

TEST_P(StoreTest, EnrollCreatesDeviceWithOpaqueIdWhenMachineIsNew) {
  Result<EnrollResult> result = store_->Enroll(MakeEnroll("machine-1", "alpha", "linux"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, EnrollOutcome::kCreated);
  EXPECT_TRUE(std::regex_match(result->device_id, std::regex("dev_[a-z2-7]{26}")))
      << result->device_id;

  Result<DeviceAuth> auth = store_->GetDeviceAuth(result->device_id);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->device_id, result->device_id);
  EXPECT_EQ(auth->credential_hash, std::string(64, 'a'));
  EXPECT_EQ(auth->os, "linux");
  EXPECT_EQ(auth->machine_id, "machine-1");
  EXPECT_FALSE(auth->revoked);

  DeviceDetail detail = DetailOrDie(result->device_id);
  EXPECT_EQ(detail.device.machine_id, "machine-1");
  EXPECT_EQ(detail.device.hostname, "alpha");
  EXPECT_EQ(detail.device.enrolled_at, 1000);
  EXPECT_FALSE(detail.device.compliant.has_value());
  EXPECT_FALSE(detail.device.last_seen.has_value());
  EXPECT_FALSE(detail.device.policy_version.has_value());
  EXPECT_FALSE(detail.latest_report.has_value());
}

TEST_P(StoreTest, EnrollKeepsIdAndReplacesCredentialWhenMachineIsKnown) {
  std::string id = EnrollOrDie("machine-1", "old-name");
  EnrollRequest again = MakeEnroll("machine-1", "new-name");
  again.credential_hash = std::string(64, 'b');
  again.now = 2000;
  Result<EnrollResult> result = store_->Enroll(again);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, EnrollOutcome::kReenrolled);
  EXPECT_EQ(result->device_id, id);
  Result<DeviceAuth> auth = store_->GetDeviceAuth(id);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->credential_hash, std::string(64, 'b'));
  DeviceDetail detail = DetailOrDie(id);
  EXPECT_EQ(detail.device.hostname, "new-name");
  EXPECT_EQ(detail.device.enrolled_at, 1000);
  EXPECT_EQ(ListOrDie({}).total, 1);
}

TEST_P(StoreTest, EnrollReportsRevokedAndChangesNothingWhenDeviceIsRevoked) {
  std::string id = EnrollOrDie("machine-1");
  ASSERT_TRUE(store_->RevokeDevice(id, 1500).ok());
  EnrollRequest again = MakeEnroll("machine-1", "other");
  again.credential_hash = std::string(64, 'c');
  Result<EnrollResult> result = store_->Enroll(again);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, EnrollOutcome::kRevoked);
  EXPECT_EQ(result->device_id, id);
  Result<DeviceAuth> auth = store_->GetDeviceAuth(id);
  ASSERT_TRUE(auth.ok());
  EXPECT_TRUE(auth->revoked);
  EXPECT_EQ(auth->credential_hash, std::string(64, 'a'));
  EXPECT_EQ(DetailOrDie(id).device.hostname, "host");
}

TEST_P(StoreTest, EnrollRejectsRequestWhenMachineIdOrCredentialIsEmpty) {
  EXPECT_EQ(store_->Enroll(MakeEnroll("")).status().code(), StatusCode::kInvalidArgument);
  EnrollRequest no_hash = MakeEnroll("machine-1");
  no_hash.credential_hash.clear();
  EXPECT_EQ(store_->Enroll(no_hash).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ListOrDie({}).total, 0);
}

TEST_P(StoreTest, RevokeIsIdempotentAndUnknownDevicesAreNotFound) {
  std::string id = EnrollOrDie("machine-1");
  ASSERT_TRUE(store_->RevokeDevice(id, 1500).ok());
  ASSERT_TRUE(store_->RevokeDevice(id, 1600).ok());
  EXPECT_TRUE(DetailOrDie(id).device.revoked);
  EXPECT_EQ(store_->RevokeDevice("dev_unknown", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDeviceAuth("dev_unknown").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDevice("dev_unknown", 10).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, ConcurrentEnrollmentsOfOneMachineYieldOneDevice) {
  constexpr int kThreads = 8;
  std::vector<Result<EnrollResult>> results(kThreads, InternalError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { results[static_cast<std::size_t>(i)] = store_->Enroll(MakeEnroll("racy")); });
  }
  for (std::thread& thread : threads) thread.join();
  int created = 0;
  std::set<std::string> ids;
  for (const Result<EnrollResult>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    if (result->outcome == EnrollOutcome::kCreated) ++created;
    ids.insert(result->device_id);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(ListOrDie({}).total, 1);
}

// --- ingest ---

TEST_P(StoreTest, IngestAcceptsNewReportsAndFlagsDuplicatesWhenResent) {
  std::string id = EnrollOrDie("machine-1");
  IngestResult first = IngestOrDie(
      {MakeReport(id, "r1", 100, {"pass", "fail"}), MakeReport(id, "r2", 200, {"pass", "pass"})});
  EXPECT_THAT(first.accepted, ElementsAre("r1", "r2"));
  EXPECT_THAT(first.duplicate, IsEmpty());

  IngestResult again = IngestOrDie(
      {MakeReport(id, "r2", 200, {"pass", "pass"}), MakeReport(id, "r3", 300, {"pass", "error"})});
  EXPECT_THAT(again.accepted, ElementsAre("r3"));
  EXPECT_THAT(again.duplicate, ElementsAre("r2"));

  DeviceDetail detail = DetailOrDie(id);
  EXPECT_EQ(detail.history.size(), 3u);
  ASSERT_TRUE(detail.device.compliant.has_value());
  EXPECT_FALSE(*detail.device.compliant);
  EXPECT_EQ(detail.device.failing, 0);
  EXPECT_EQ(detail.device.errors, 1);
  EXPECT_EQ(detail.device.last_seen, 301);
  EXPECT_EQ(detail.device.policy_id, "linux-baseline");
  EXPECT_EQ(detail.device.policy_version, 7);
  EXPECT_EQ(detail.latest_report, "{\"report_id\":\"r3\"}");
  ASSERT_EQ(detail.latest_results.size(), 2u);
  EXPECT_EQ(detail.latest_results[0].status, "pass");
  EXPECT_EQ(detail.latest_results[1].check_id, "c01");
  EXPECT_EQ(detail.latest_results[1].status, "error");
}

TEST_P(StoreTest, IngestTreatsRepeatedIdWithinOneBatchAsDuplicateOfTheFirst) {
  std::string id = EnrollOrDie("machine-1");
  ReportRecord first = MakeReport(id, "r1", 100, {"pass"});
  ReportRecord second = MakeReport(id, "r1", 100, {"fail"});
  second.document = "{\"other\":true}";
  IngestResult result = IngestOrDie({first, second});
  EXPECT_THAT(result.accepted, ElementsAre("r1"));
  EXPECT_THAT(result.duplicate, ElementsAre("r1"));
  DeviceDetail detail = DetailOrDie(id);
  EXPECT_EQ(detail.latest_report, first.document);
  EXPECT_EQ(detail.history.size(), 1u);
}

TEST_P(StoreTest, IngestNeverRollsTheDeviceBackWhenReportsArriveOutOfOrder) {
  std::string id = EnrollOrDie("machine-1");
  ReportRecord newer = MakeReport(id, "r-new", 500, {"pass", "pass"}, 600);
  newer.hostname = "renamed";
  newer.os_version = "Debian 13";
  IngestOrDie({newer});
  ReportRecord older = MakeReport(id, "r-old", 100, {"fail", "fail"}, 700);
  older.hostname = "ancient";
  older.policy_version = 3;
  IngestResult result = IngestOrDie({older});
  EXPECT_THAT(result.accepted, ElementsAre("r-old"));

  DeviceDetail detail = DetailOrDie(id);
  EXPECT_EQ(detail.device.compliant, true);
  EXPECT_EQ(detail.device.failing, 0);
  EXPECT_EQ(detail.device.hostname, "renamed");
  EXPECT_EQ(detail.device.os_version, "Debian 13");
  EXPECT_EQ(detail.device.policy_version, 7);
  // The device was seen when the old report arrived, even though it did not become latest.
  EXPECT_EQ(detail.device.last_seen, 700);
  EXPECT_EQ(detail.latest_report, newer.document);
  ASSERT_EQ(detail.latest_results.size(), 2u);
  EXPECT_EQ(detail.latest_results[0].status, "pass");
  ASSERT_EQ(detail.history.size(), 2u);
  EXPECT_EQ(detail.history[0].report_id, "r-new");
  EXPECT_EQ(detail.history[1].report_id, "r-old");
  EXPECT_EQ(detail.history[1].failing, 2);
  EXPECT_EQ(detail.history[1].policy_version, 3);
  EXPECT_FALSE(detail.history[1].compliant);
}

TEST_P(StoreTest, IngestPicksNewestOfABatchAndBreaksTimeTiesByReportId) {
  std::string id = EnrollOrDie("machine-1");
  IngestOrDie({MakeReport(id, "b", 100, {"fail"}), MakeReport(id, "c", 100, {"pass"}),
               MakeReport(id, "a", 100, {"error"})});
  DeviceDetail detail = DetailOrDie(id);
  EXPECT_EQ(detail.latest_report, "{\"report_id\":\"c\"}");
  EXPECT_EQ(detail.device.compliant, true);
  // A later batch with the same time and a smaller id does not take over.
  IngestOrDie({MakeReport(id, "a2", 100, {"fail"})});
  EXPECT_EQ(DetailOrDie(id).latest_report, "{\"report_id\":\"c\"}");
  IngestOrDie({MakeReport(id, "d", 100, {"fail"})});
  EXPECT_EQ(DetailOrDie(id).latest_report, "{\"report_id\":\"d\"}");
}

TEST_P(StoreTest, IngestReplacesLatestResultsWhenCheckSetChanges) {
  std::string id = EnrollOrDie("machine-1");
  IngestOrDie({MakeReport(id, "r1", 100, {"pass", "pass", "pass"})});
  ReportRecord next = MakeReport(id, "r2", 200, {});
  next.results.push_back({"only", "Only check", "critical", "not_applicable"});
  IngestOrDie({next});
  DeviceDetail detail = DetailOrDie(id);
  ASSERT_EQ(detail.latest_results.size(), 1u);
  EXPECT_EQ(detail.latest_results[0].check_id, "only");
  EXPECT_EQ(detail.latest_results[0].title, "Only check");
  EXPECT_EQ(detail.latest_results[0].severity, "critical");
  EXPECT_EQ(detail.latest_results[0].status, "not_applicable");

  // A report without results leaves none behind.
  IngestOrDie({MakeReport(id, "r3", 300, {})});
  EXPECT_THAT(DetailOrDie(id).latest_results, IsEmpty());
}

TEST_P(StoreTest, IngestStoresNothingWhenOneRecordOfTheBatchIsBad) {
  std::string id = EnrollOrDie("machine-1");
  ReportRecord good = MakeReport(id, "good", 100, {"pass"});
  std::vector<ReportRecord> bad_records;
  bad_records.push_back(MakeReport("dev_nosuchdevice", "r-unknown-device", 100, {"pass"}));
  bad_records.push_back(MakeReport(id, "", 100, {"pass"}));
  bad_records.push_back(MakeReport("", "r-no-device", 100, {"pass"}));
  bad_records.push_back(MakeReport(id, "r-bad-status", 100, {"maybe"}));
  ReportRecord bad_severity = MakeReport(id, "r-bad-severity", 100, {"pass"});
  bad_severity.results[0].severity = "urgent";
  bad_records.push_back(bad_severity);
  ReportRecord twice = MakeReport(id, "r-twice", 100, {"pass"});
  twice.results.push_back(twice.results[0]);
  bad_records.push_back(twice);
  ReportRecord nul = MakeReport(id, "r-nul", 100, {"pass"});
  nul.document = std::string("{\"a\":\"\0\"}", 9);
  bad_records.push_back(nul);
  ReportRecord bad_utf8 = MakeReport(id, "r-utf8", 100, {"pass"});
  bad_utf8.document = "\xff\xfe";
  bad_records.push_back(bad_utf8);

  for (const ReportRecord& bad : bad_records) {
    SCOPED_TRACE("bad record '" + bad.report_id + "'");
    Result<IngestResult> result = store_->IngestReports({good, bad});
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
    DeviceDetail detail = DetailOrDie(id);
    EXPECT_THAT(detail.history, IsEmpty());
    EXPECT_FALSE(detail.device.compliant.has_value());
    EXPECT_FALSE(detail.device.last_seen.has_value());
    EXPECT_THAT(detail.latest_results, IsEmpty());
  }
  // The good record alone goes in afterwards: nothing of the failed batches was kept.
  EXPECT_THAT(IngestOrDie({good}).accepted, ElementsAre("good"));
}

TEST_P(StoreTest, IngestOfAnEmptyBatchDoesNothing) {
  Result<IngestResult> result = store_->IngestReports({});
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->accepted, IsEmpty());
  EXPECT_THAT(result->duplicate, IsEmpty());
}

TEST_P(StoreTest, ConcurrentIngestOfOverlappingIdsStoresEachIdOnce) {
  std::vector<std::string> devices = {EnrollOrDie("m1"), EnrollOrDie("m2"), EnrollOrDie("m3")};
  constexpr int kThreads = 6;
  constexpr int kReports = 30;
  std::vector<std::map<std::string, int>> accepted(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread sends every report, in its own order and batch size.
      std::size_t batch = static_cast<std::size_t>(t % 3) * 3 + 1;
      std::vector<ReportRecord> pending;
      for (int k = 0; k < kReports; ++k) {
        int r = (k * (t + 1) * 7 + t) % kReports;
        const std::string& device = devices[static_cast<std::size_t>(r) % devices.size()];
        pending.push_back(MakeReport(device, "r" + std::to_string(r), 100 + r, {"pass", "fail"}));
        if (pending.size() == batch || k == kReports - 1) {
          Result<IngestResult> result = store_->IngestReports(pending);
          if (!result.ok()) {
            ADD_FAILURE() << result.status().ToString();
            ++failures;
          } else {
            for (const std::string& id : result->accepted)
              ++accepted[static_cast<std::size_t>(t)][id];
          }
          pending.clear();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);
  std::map<std::string, int> total;
  for (const auto& per_thread : accepted) {
    for (const auto& [id, count] : per_thread) total[id] += count;
  }
  EXPECT_EQ(total.size(), static_cast<std::size_t>(kReports));
  for (const auto& [id, count] : total) EXPECT_EQ(count, 1) << id;
  std::size_t stored = 0;
  for (const std::string& device : devices) {
    DeviceDetail detail = DetailOrDie(device, 1000);
    stored += detail.history.size();
    // Each device ends on its newest report whatever the interleaving.
    ASSERT_FALSE(detail.history.empty());
    EXPECT_EQ(detail.latest_report, "{\"report_id\":\"" + detail.history[0].report_id + "\"}");
    EXPECT_EQ(detail.latest_results.size(), 2u);
  }
  EXPECT_EQ(stored, static_cast<std::size_t>(kReports));
}

TEST_P(StoreTest, TwoStoresOnOneDatabaseBehaveAsOne) {
  std::unique_ptr<Store> other = OpenOrDie();
  ASSERT_NE(other, nullptr);
  std::array<Store*, 2> stores = {store_.get(), other.get()};
  constexpr int kMachines = 10;
  std::vector<std::vector<EnrollResult>> enrolled(2);
  std::vector<std::thread> threads;
  for (std::size_t s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      for (int m = 0; m < kMachines; ++m) {
        Result<EnrollResult> result = stores[s]->Enroll(MakeEnroll("machine-" + std::to_string(m)));
        if (!result.ok()) {
          ADD_FAILURE() << result.status().ToString();
          return;
        }
        enrolled[s].push_back(*result);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  ASSERT_EQ(enrolled[0].size(), static_cast<std::size_t>(kMachines));
  ASSERT_EQ(enrolled[1].size(), static_cast<std::size_t>(kMachines));
  for (int m = 0; m < kMachines; ++m) {
    const EnrollResult& a = enrolled[0][static_cast<std::size_t>(m)];
    const EnrollResult& b = enrolled[1][static_cast<std::size_t>(m)];
    EXPECT_EQ(a.device_id, b.device_id);
    EXPECT_EQ((a.outcome == EnrollOutcome::kCreated) + (b.outcome == EnrollOutcome::kCreated), 1);
  }
  EXPECT_EQ(ListOrDie({}).total, kMachines);

  // Both ingest the same reports for every device; each is stored once.
  std::vector<int> accepted(2, 0);
  for (std::size_t s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      for (int m = 0; m < kMachines; ++m) {
        const std::string& device = enrolled[0][static_cast<std::size_t>(m)].device_id;
        Result<IngestResult> result = stores[s]->IngestReports(
            {MakeReport(device, "x", 100, {"pass"}), MakeReport(device, "y", 200, {"fail"})});
        if (!result.ok()) {
          ADD_FAILURE() << result.status().ToString();
          return;
        }
        accepted[s] += static_cast<int>(result->accepted.size());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted[0] + accepted[1], 2 * kMachines);
  Result<FleetSummary> summary = other->Summarize();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->reporting, kMachines);
  EXPECT_EQ(summary->compliant, 0);
}

TEST_P(StoreTest, OpeningAgainKeepsDataAndMigratesOnce) {
  std::string id = EnrollOrDie("machine-1");
  store_.reset();
  // Several collectors starting at once on the existing database.
  std::vector<std::unique_ptr<Store>> stores(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<Store>> store = OpenStore({url(), 1});
      if (!store.ok()) {
        ADD_FAILURE() << store.status().ToString();
        return;
      }
      stores[i] = std::move(store).value();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& store : stores) {
    ASSERT_NE(store, nullptr);
    Result<DeviceAuth> auth = store->GetDeviceAuth(id);
    EXPECT_TRUE(auth.ok()) << auth.status().ToString();
  }
}

// --- listing ---

TEST_P(StoreTest, ListDevicesFiltersByComplianceOsHostnameAndRevocation) {
  std::string a = EnrollOrDie("m-a", "web-01", "linux");
  std::string b = EnrollOrDie("m-b", "WEB-02", "windows");
  std::string c = EnrollOrDie("m-c", "db-01", "linux");
  std::string d = EnrollOrDie("m-d", "laptop", "windows");
  IngestOrDie({MakeReport(a, "r", 100, {"pass"}), MakeReport(b, "r", 100, {"fail"}),
               MakeReport(c, "r", 100, {"error"})});
  ASSERT_TRUE(store_->RevokeDevice(c, 200).ok());

  DeviceFilter compliant;
  compliant.compliant = true;
  EXPECT_THAT(Ids(ListOrDie(compliant).devices), ElementsAre(a));
  DeviceFilter noncompliant;
  noncompliant.compliant = false;
  DevicePage page = ListOrDie(noncompliant);
  EXPECT_THAT(Ids(page.devices), UnorderedElementsAre(b, c));
  EXPECT_EQ(page.total, 2);

  DeviceFilter windows;
  windows.os = "windows";
  EXPECT_THAT(Ids(ListOrDie(windows).devices), UnorderedElementsAre(b, d));

  DeviceFilter web;
  web.hostname_contains = "wEb";
  EXPECT_THAT(Ids(ListOrDie(web).devices), UnorderedElementsAre(a, b));

  DeviceFilter revoked;
  revoked.revoked = true;
  EXPECT_THAT(Ids(ListOrDie(revoked).devices), ElementsAre(c));
  DeviceFilter active;
  active.revoked = false;
  EXPECT_EQ(ListOrDie(active).total, 3);

  DeviceFilter combined;
  combined.os = "linux";
  combined.compliant = false;
  combined.revoked = true;
  combined.hostname_contains = "01";
  EXPECT_THAT(Ids(ListOrDie(combined).devices), ElementsAre(c));

  DevicePage all = ListOrDie({});
  EXPECT_EQ(all.total, 4);
  for (const DeviceSummary& device : all.devices) {
    if (device.device_id == d) {
      EXPECT_FALSE(device.compliant.has_value());
      EXPECT_FALSE(device.last_seen.has_value());
    }
    if (device.device_id == b) {
      EXPECT_EQ(device.compliant, false);
      EXPECT_EQ(device.failing, 1);
      EXPECT_EQ(device.last_seen, 101);
      EXPECT_EQ(device.policy_version, 7);
      EXPECT_EQ(device.os, "windows");
    }
  }
}

TEST_P(StoreTest, ListDevicesPagesWithKeysetCursorAndTotal) {
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back(EnrollOrDie("m" + std::to_string(i)));
  std::sort(ids.begin(), ids.end());

  DeviceFilter filter;
  filter.limit = 10;
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  for (int pages = 0; pages < 10; ++pages) {
    DevicePage page = ListOrDie(filter);
    EXPECT_EQ(page.total, 25);
    sizes.push_back(page.devices.size());
    for (const DeviceSummary& device : page.devices) seen.push_back(device.device_id);
    if (page.next_cursor.empty()) break;
    EXPECT_EQ(page.next_cursor, page.devices.back().device_id);
    filter.after_device_id = page.next_cursor;
  }
  EXPECT_THAT(sizes, ElementsAre(10u, 10u, 5u));
  EXPECT_EQ(seen, ids);

  // A page that ends exactly at the last device has no cursor.
  DeviceFilter exact;
  exact.limit = 25;
  EXPECT_TRUE(ListOrDie(exact).next_cursor.empty());
}

TEST_P(StoreTest, ListDevicesRejectsLimitOutsideOneToThousand) {
  DeviceFilter filter;
  filter.limit = 0;
  EXPECT_EQ(store_->ListDevices(filter).status().code(), StatusCode::kInvalidArgument);
  filter.limit = 1001;
  EXPECT_EQ(store_->ListDevices(filter).status().code(), StatusCode::kInvalidArgument);
  filter.limit = 1000;
  EXPECT_TRUE(store_->ListDevices(filter).ok());
}

TEST_P(StoreTest, ListDevicesMatchesHostnameLiterallyWhenItHoldsLikeWildcards) {
  std::string percent = EnrollOrDie("m1", "a%b");
  std::string underscore = EnrollOrDie("m2", "a_b");
  std::string plain = EnrollOrDie("m3", "axb");
  std::string backslash = EnrollOrDie("m4", "A\\B");
  std::string quote = EnrollOrDie("m5", "it's");
  auto matching = [&](const std::string& needle) {
    DeviceFilter filter;
    filter.hostname_contains = needle;
    return Ids(ListOrDie(filter).devices);
  };
  EXPECT_THAT(matching("%"), ElementsAre(percent));
  EXPECT_THAT(matching("a_b"), ElementsAre(underscore));
  EXPECT_THAT(matching("\\"), ElementsAre(backslash));
  EXPECT_THAT(matching("a\\b"), ElementsAre(backslash));
  EXPECT_THAT(matching("'"), ElementsAre(quote));
  EXPECT_THAT(matching("X"), ElementsAre(plain));
  EXPECT_THAT(matching("a").size(), 4u);
}

// --- strings ---

TEST_P(StoreTest, StringsWithSqlMetacharactersRoundTripExactly) {
  const std::string nasty =
      "O'Brien \"q\" 100% a_b \\ \\\\ ; DROP TABLE devices; -- /* */ $1 ? :x \t\n "
      "\xc3\xbcnic\xc3\xb8"
      "de \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80";
  EnrollRequest request = MakeEnroll("machine " + nasty, "host " + nasty, "os " + nasty);
  request.os_version = "version " + nasty;
  request.credential_hash = "hash " + nasty;
  Result<EnrollResult> enrolled = store_->Enroll(request);
  ASSERT_TRUE(enrolled.ok()) << enrolled.status().ToString();
  std::string id = enrolled->device_id;

  ReportRecord report = MakeReport(id, "report " + nasty, 100, {});
  report.policy_id = "policy " + nasty;
  report.hostname = "reported " + nasty;
  report.document = "{\"doc\":\"" + nasty + "\"}";
  report.results.push_back({"check " + nasty, "title " + nasty, "low", "pass"});
  EXPECT_THAT(IngestOrDie({report}).accepted, ElementsAre(report.report_id));
  EXPECT_THAT(IngestOrDie({report}).duplicate, ElementsAre(report.report_id));

  Result<DeviceAuth> auth = store_->GetDeviceAuth(id);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->credential_hash, request.credential_hash);
  EXPECT_EQ(auth->os, request.os);
  DeviceDetail detail = DetailOrDie(id);
  EXPECT_EQ(detail.device.machine_id, request.machine_id);
  EXPECT_EQ(detail.device.hostname, report.hostname);
  EXPECT_EQ(detail.device.os_version, request.os_version);
  EXPECT_EQ(detail.device.policy_id, report.policy_id);
  EXPECT_EQ(detail.latest_report, report.document);
  ASSERT_EQ(detail.latest_results.size(), 1u);
  EXPECT_EQ(detail.latest_results[0].check_id, "check " + nasty);
  EXPECT_EQ(detail.latest_results[0].title, "title " + nasty);
  ASSERT_EQ(detail.history.size(), 1u);
  EXPECT_EQ(detail.history[0].report_id, report.report_id);

  DeviceFilter filter;
  filter.os = request.os;
  filter.hostname_contains = nasty;
  DevicePage page = ListOrDie(filter);
  ASSERT_EQ(page.devices.size(), 1u);
  EXPECT_EQ(page.devices[0].hostname, report.hostname);
  filter.hostname_contains = "\xc3\xbcnic\xc3\xb8";
  EXPECT_EQ(ListOrDie(filter).devices.size(), 1u);

  Result<FleetSummary> summary = store_->Summarize();
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->checks.size(), 1u);
  EXPECT_EQ(summary->checks[0].check_id, "check " + nasty);

  PolicyRecord policy = MakePolicy("policy " + nasty, 1, 1, {"plat " + nasty}, "bundle " + nasty);
  ASSERT_TRUE(store_->PublishPolicy(policy).ok());
  Result<PolicyRecord> current = store_->CurrentPolicy("plat " + nasty);
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(current->policy_id, policy.policy_id);
  EXPECT_EQ(current->bundle, policy.bundle);
  EXPECT_THAT(current->platforms, ElementsAre("plat " + nasty));
  EXPECT_EQ(store_->CurrentPolicy("plat %").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->PutTrustRoot(1, "root " + nasty, 10).ok());
  Result<std::string> root = store_->GetTrustRoot(1);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, "root " + nasty);
}

TEST_P(StoreTest, TextWithNulOrInvalidUtf8IsRejectedInEveryBackend) {
  EXPECT_EQ(store_->Enroll(MakeEnroll(std::string("a\0b", 3))).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Enroll(MakeEnroll("bad \xc3(")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutTrustRoot(1, std::string("x\0y", 3), 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ListOrDie({}).total, 0);
  EXPECT_EQ(store_->LatestTrustRootVersion().value_or(-1), 0);
}

// --- admin views ---

TEST_P(StoreTest, SummarizeCountsLatestResultsOfNonRevokedDevices) {
  std::string a = EnrollOrDie("m-a");
  std::string b = EnrollOrDie("m-b");
  std::string c = EnrollOrDie("m-c");
  std::string revoked = EnrollOrDie("m-r");
  EnrollOrDie("m-silent");
  IngestOrDie({MakeReport(a, "old", 50, {"fail", "fail", "fail"}),
               MakeReport(a, "r", 100, {"pass", "pass", "not_applicable"}),
               MakeReport(b, "r", 100, {"fail", "pass", "error"}),
               MakeReport(c, "r", 100, {"pass", "error"}),
               MakeReport(revoked, "r", 100, {"fail", "fail", "fail"})});
  ASSERT_TRUE(store_->RevokeDevice(revoked, 200).ok());

  Result<FleetSummary> summary = store_->Summarize();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->devices, 4);
  EXPECT_EQ(summary->reporting, 3);
  EXPECT_EQ(summary->compliant, 1);
  ASSERT_EQ(summary->checks.size(), 3u);
  EXPECT_EQ(summary->checks[0].check_id, "c00");
  EXPECT_EQ(summary->checks[0].title, "Check 0");
  EXPECT_EQ(summary->checks[0].severity, "high");
  EXPECT_EQ(summary->checks[0].pass, 2);
  EXPECT_EQ(summary->checks[0].fail, 1);
  EXPECT_EQ(summary->checks[1].check_id, "c01");
  EXPECT_EQ(summary->checks[1].pass, 2);
  EXPECT_EQ(summary->checks[1].error, 1);
  EXPECT_EQ(summary->checks[2].check_id, "c02");
  EXPECT_EQ(summary->checks[2].not_applicable, 1);
  EXPECT_EQ(summary->checks[2].error, 1);
  EXPECT_EQ(summary->checks[2].pass, 0);
  EXPECT_EQ(summary->checks[2].fail, 0);
}

TEST_P(StoreTest, SummarizeIsEmptyWhenNothingIsEnrolled) {
  Result<FleetSummary> summary = store_->Summarize();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->devices, 0);
  EXPECT_EQ(summary->reporting, 0);
  EXPECT_EQ(summary->compliant, 0);
  EXPECT_THAT(summary->checks, IsEmpty());
}

TEST_P(StoreTest, GetDeviceReturnsHistoryNewestFirstUpToTheLimit) {
  std::string id = EnrollOrDie("machine-1");
  std::vector<ReportRecord> reports;
  for (int i = 0; i < 6; ++i) {
    reports.push_back(MakeReport(id, "r" + std::to_string(i), 100 * (i + 1),
                                 {i % 2 == 0 ? "pass" : "fail"}, 1000 + i));
  }
  IngestOrDie(reports);
  DeviceDetail detail = DetailOrDie(id, 4);
  ASSERT_EQ(detail.history.size(), 4u);
  EXPECT_EQ(detail.history[0].report_id, "r5");
  EXPECT_EQ(detail.history[0].generated_at, 600);
  EXPECT_EQ(detail.history[0].received_at, 1005);
  EXPECT_FALSE(detail.history[0].compliant);
  EXPECT_EQ(detail.history[0].failing, 1);
  EXPECT_EQ(detail.history[3].report_id, "r2");
  EXPECT_TRUE(detail.history[3].compliant);
  EXPECT_EQ(detail.latest_report, "{\"report_id\":\"r5\"}");
  EXPECT_THAT(DetailOrDie(id, 0).history, IsEmpty());
  EXPECT_EQ(store_->GetDevice(id, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, PruneDeletesOldReportsButKeepsEachDevicesLatest) {
  std::string a = EnrollOrDie("m-a");
  std::string b = EnrollOrDie("m-b");
  IngestOrDie({MakeReport(a, "a1", 100, {"pass"}, 100), MakeReport(a, "a2", 200, {"pass"}, 200),
               MakeReport(a, "a3", 300, {"pass"}, 900), MakeReport(b, "b1", 100, {"fail"}, 100),
               MakeReport(b, "b2", 200, {"fail"}, 200)});
  // b's newest (b2) is older than the cutoff but stays; a3 is newer than the cutoff.
  Result<std::int64_t> deleted = store_->PruneHistory(500);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 3);
  DeviceDetail da = DetailOrDie(a);
  ASSERT_EQ(da.history.size(), 1u);
  EXPECT_EQ(da.history[0].report_id, "a3");
  DeviceDetail db = DetailOrDie(b);
  ASSERT_EQ(db.history.size(), 1u);
  EXPECT_EQ(db.history[0].report_id, "b2");
  EXPECT_EQ(db.latest_report, "{\"report_id\":\"b2\"}");
  EXPECT_EQ(store_->PruneHistory(500).value_or(-1), 0);
  // A pruned id is no longer known, so a late re-send is stored again (as history only).
  EXPECT_THAT(IngestOrDie({MakeReport(a, "a1", 100, {"fail"}, 1000)}).accepted, ElementsAre("a1"));
  EXPECT_EQ(DetailOrDie(a).latest_report, "{\"report_id\":\"a3\"}");
}

// --- policies and trust roots ---

TEST_P(StoreTest, PublishPolicyIsIdempotentAndRefusesAnotherBundleForTheSameVersion) {
  PolicyRecord policy = MakePolicy("linux-baseline", 1, 3, {"linux"});
  Result<PublishOutcome> first = store_->PublishPolicy(policy);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, PublishOutcome::kPublished);
  Result<PublishOutcome> again = store_->PublishPolicy(policy);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, PublishOutcome::kAlreadyPublished);

  PolicyRecord equivocation = MakePolicy("linux-baseline", 1, 3, {"linux"}, "{\"other\":1}");
  EXPECT_EQ(store_->PublishPolicy(equivocation).status().code(), StatusCode::kAlreadyExists);

  PolicyRecord wrong_digest = MakePolicy("linux-baseline", 1, 4, {"linux"});
  wrong_digest.sha256 = std::string(64, '0');
  EXPECT_EQ(store_->PublishPolicy(wrong_digest).status().code(), StatusCode::kInvalidArgument);

  Result<PolicyRecord> current = store_->CurrentPolicy("linux");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->sha256, policy.sha256);
  EXPECT_EQ(current->bundle, policy.bundle);
  EXPECT_EQ(current->published_at, policy.published_at);
  EXPECT_EQ(current->epoch, 1);
  EXPECT_EQ(current->version, 3);
}

TEST_P(StoreTest, CurrentPolicyPicksNewestEpochAndVersionForThePlatform) {
  EXPECT_EQ(store_->CurrentPolicy("linux").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->PublishPolicy(MakePolicy("p", 1, 2, {})).ok());
  ASSERT_TRUE(store_->PublishPolicy(MakePolicy("p", 1, 9, {"windows"})).ok());
  ASSERT_TRUE(store_->PublishPolicy(MakePolicy("p", 1, 5, {"linux", "macos"})).ok());
  ASSERT_TRUE(store_->PublishPolicy(MakePolicy("p", 1, 4, {"linux"})).ok());

  Result<PolicyRecord> linux = store_->CurrentPolicy("linux");
  ASSERT_TRUE(linux.ok());
  EXPECT_EQ(linux->version, 5);
  EXPECT_THAT(linux->platforms, ElementsAre("linux", "macos"));
  Result<PolicyRecord> windows = store_->CurrentPolicy("windows");
  ASSERT_TRUE(windows.ok());
  EXPECT_EQ(windows->version, 9);
  Result<PolicyRecord> other = store_->CurrentPolicy("freebsd");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->version, 2);
  EXPECT_THAT(other->platforms, IsEmpty());

  // A new epoch outranks any version of the old one.
  ASSERT_TRUE(store_->PublishPolicy(MakePolicy("p", 2, 1, {"linux"})).ok());
  linux = store_->CurrentPolicy("linux");
  ASSERT_TRUE(linux.ok());
  EXPECT_EQ(linux->epoch, 2);
  EXPECT_EQ(linux->version, 1);
  EXPECT_EQ(store_->CurrentPolicy("windows")->version, 9);
}

TEST_P(StoreTest, TrustRootsArePutOnceAndReadBackByVersion) {
  EXPECT_EQ(store_->LatestTrustRootVersion().value_or(-1), 0);
  EXPECT_EQ(store_->GetTrustRoot(1).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->PutTrustRoot(1, "root-one", 10).ok());
  ASSERT_TRUE(store_->PutTrustRoot(3, "root-three", 30).ok());
  ASSERT_TRUE(store_->PutTrustRoot(2, "root-two", 20).ok());
  EXPECT_EQ(store_->LatestTrustRootVersion().value_or(-1), 3);
  EXPECT_EQ(store_->GetTrustRoot(2).value_or(""), "root-two");
  // The same bytes again are fine; other bytes under a taken version are not.
  EXPECT_TRUE(store_->PutTrustRoot(2, "root-two", 99).ok());
  EXPECT_EQ(store_->PutTrustRoot(2, "root-2-forged", 99).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetTrustRoot(2).value_or(""), "root-two");
  EXPECT_EQ(store_->PutTrustRoot(0, "zero", 1).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, PingAndBackendNameReflectTheDatabase) {
  EXPECT_TRUE(store_->Ping().ok());
  EXPECT_EQ(store_->backend(), GetParam() == BackendKind::kSqlite ? "sqlite" : "postgresql");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(BackendKind::kSqlite, BackendKind::kPostgres),
                         BackendName);

}  // namespace
}  // namespace bulwark::collector
