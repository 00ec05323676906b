#include "agent/base/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace bulwark {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_EQ(s.WithContext("ignored"), Status::Ok());
}

TEST(StatusTest, ErrorCarriesCodeMessageAndContext) {
  Status s = NotFoundError("/etc/foo");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: /etc/foo");
  EXPECT_EQ(s.WithContext("reading policy").message(), "reading policy: /etc/foo");
  EXPECT_EQ(s.WithContext("x").code(), StatusCode::kNotFound);
}

TEST(StatusTest, ErrnoMapsToCodes) {
  EXPECT_EQ(ErrnoToStatus(ENOENT, "f").code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoToStatus(EACCES, "f").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoToStatus(EPERM, "f").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoToStatus(ENOSPC, "f").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoToStatus(ETIMEDOUT, "f").code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(ErrnoToStatus(EIO, "f").code(), StatusCode::kDataLoss);
  EXPECT_EQ(ErrnoToStatus(EXDEV, "f").code(), StatusCode::kInternal);
  EXPECT_EQ(ErrnoToStatus(ENOENT, "/x").message(), "/x: No such file or directory");
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd: 3");
  EXPECT_EQ(Quarter(5).status().message(), "odd: 5");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(5).ok());
}

TEST(ResultDeathTest, OkStatusInResultAborts) {
  EXPECT_DEATH(
      {
        Result<int> r{Status::Ok()};
        (void)r;
      },
      "");
}

}  // namespace
}  // namespace bulwark
