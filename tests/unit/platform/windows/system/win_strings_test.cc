#include "platform/windows/system/win_strings.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

struct Case {
  std::uint32_t hr;
  StatusCode code;
  const char* message;
};

TEST(HresultToStatusTest, MapsTheDocumentedCodes) {
  const Case cases[] = {
      {0x8004100Eu, StatusCode::kNotFound, "ns: connect: 0x8004100E (WBEM_E_INVALID_NAMESPACE)"},
      {0x80041010u, StatusCode::kNotFound, "ns: connect: 0x80041010 (WBEM_E_INVALID_CLASS)"},
      {0x80041002u, StatusCode::kNotFound, "ns: connect: 0x80041002 (WBEM_E_NOT_FOUND)"},
      {0x80040154u, StatusCode::kNotFound, "ns: connect: 0x80040154 (REGDB_E_CLASSNOTREG)"},
      {0x80070005u, StatusCode::kPermissionDenied, "ns: connect: 0x80070005 (E_ACCESSDENIED)"},
      {0x80041003u, StatusCode::kPermissionDenied,
       "ns: connect: 0x80041003 (WBEM_E_ACCESS_DENIED)"},
      {0x80010114u, StatusCode::kUnavailable, "ns: connect: 0x80010114 (RPC_E_SERVER_UNAVAILABLE)"},
      {0x800706BAu, StatusCode::kUnavailable, "ns: connect: 0x800706BA (RPC_S_SERVER_UNAVAILABLE)"},
      {0x800706D9u, StatusCode::kUnavailable, "ns: connect: 0x800706D9 (EPT_S_NOT_REGISTERED)"},
      {0x80041017u, StatusCode::kInvalidArgument, "ns: connect: 0x80041017 (WBEM_E_INVALID_QUERY)"},
      {0x80004001u, StatusCode::kInternal, "ns: connect: 0x80004001 (E_NOTIMPL)"},
      {0x80ABCDEFu, StatusCode::kInternal, "ns: connect: 0x80ABCDEF"},
  };
  for (const auto& c : cases) {
    Status s = HresultToStatus(static_cast<std::int32_t>(c.hr), "ns: connect");
    EXPECT_EQ(s.code(), c.code) << c.message;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(Win32ErrorToStatusTest, MapsNotFoundAndAccessDenied) {
  EXPECT_EQ(Win32ErrorToStatus(2, "HKLM\\x"),
            NotFoundError("HKLM\\x: 0x00000002 (ERROR_FILE_NOT_FOUND)"));
  EXPECT_EQ(Win32ErrorToStatus(2220, "g").code(), StatusCode::kNotFound);
  EXPECT_EQ(Win32ErrorToStatus(1332, "g").code(), StatusCode::kNotFound);
  EXPECT_EQ(Win32ErrorToStatus(5, "k"),
            PermissionDeniedError("k: 0x00000005 (ERROR_ACCESS_DENIED)"));
  EXPECT_EQ(Win32ErrorToStatus(1630, "k").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Win32ErrorToStatus(1234567, "k").code(), StatusCode::kInternal);
}

// One mapping serves the agent's own files and the probes' seams (it used to be two, which
// disagreed on all of these).
TEST(Win32ErrorToStatusTest, MapsTheAgentsFileErrorsAndTheSeamsLookupErrorsAlike) {
  EXPECT_EQ(Win32ErrorToStatus(80, "f"), AlreadyExistsError("f: 0x00000050 (ERROR_FILE_EXISTS)"));
  EXPECT_EQ(Win32ErrorToStatus(183, "f").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Win32ErrorToStatus(1073, "s").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Win32ErrorToStatus(112, "f"),
            ResourceExhaustedError("f: 0x00000070 (ERROR_DISK_FULL)"));
  EXPECT_EQ(Win32ErrorToStatus(39, "f").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Win32ErrorToStatus(32, "f").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Win32ErrorToStatus(33, "f").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Win32ErrorToStatus(1060, "s"),
            NotFoundError("s: 0x00000424 (ERROR_SERVICE_DOES_NOT_EXIST)"));
  EXPECT_EQ(Win32ErrorToStatus(1376, "g").code(), StatusCode::kNotFound);
  EXPECT_EQ(Win32ErrorToStatus(2221, "u"), NotFoundError("u: 0x000008AD (NERR_UserNotFound)"));
  EXPECT_EQ(Win32ErrorToStatus(123, "f").code(), StatusCode::kNotFound);
  EXPECT_EQ(Win32ErrorToStatus(1314, "t").code(), StatusCode::kPermissionDenied);
}

TEST(Win32ErrorToStatusTest, ACodeWithoutANameCarriesTheSystemsTextAndAnUnknownOneNothing) {
  // ERROR_NOT_READY (21) has no name here; the system describes it.
  const Status not_ready = Win32ErrorToStatus(21, "d");
  EXPECT_EQ(not_ready.code(), StatusCode::kInternal);
  EXPECT_EQ(not_ready.message().rfind("d: 0x00000015 (", 0), 0u) << not_ready.message();
  EXPECT_GT(not_ready.message().size(), std::string("d: 0x00000015 ()").size());
  EXPECT_EQ(Win32ErrorToStatus(0x00ABCDEFu, "d").message(), "d: 0x00ABCDEF");
}

TEST(HresultToStatusTest, AWin32HresultMapsAsItsWin32Code) {
  EXPECT_EQ(HresultToStatus(static_cast<std::int32_t>(0x80070020u), "f").code(),
            StatusCode::kUnavailable);  // sharing violation
  EXPECT_EQ(HresultToStatus(static_cast<std::int32_t>(0x80070002u), "f"),
            NotFoundError("f: 0x80070002 (ERROR_FILE_NOT_FOUND)"));
  EXPECT_EQ(HresultToStatus(static_cast<std::int32_t>(0x80070070u), "f").code(),
            StatusCode::kResourceExhausted);  // disk full
}

TEST(Utf8WideTest, RoundTripsNonAscii) {
  const std::string text = "Administrat\xC3\xB6ren \xE2\x82\xAC \xF0\x9F\x94\x92";
  std::wstring wide = Utf8ToWide(text);
  EXPECT_EQ(wide.size(), 20u);  // the lock emoji is a surrogate pair
  EXPECT_EQ(WideToUtf8(wide), text);
  EXPECT_EQ(Utf8ToWide(""), L"");
}

}  // namespace
}  // namespace bulwark
