// A report the size and shape of a real Linux workstation's (about 6 KB: 29 check results and
// facts with three volumes, administrators, endpoint protection and hardening), valid for the
// collector's ingest. For the load and upload benches.
#ifndef BULWARK_TESTS_TESTING_REALISTIC_REPORT_H_
#define BULWARK_TESTS_TESTING_REALISTIC_REPORT_H_

#include <boost/json/object.hpp>
#include <string>

namespace bulwark::testing {

// `id` is the report_id; `machine` the machine id (the host name is "ws-" + machine).
boost::json::object RealisticReport(const std::string& id, const std::string& machine);

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_REALISTIC_REPORT_H_
