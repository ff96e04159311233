#include "engine/status.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return InvalidInputAt("users.ndjson", 1042, "value must be positive");
  return value;
}

Status UsesReturnIfError(int value) {
  SCIMFLOW_RETURN_IF_ERROR(ParsePositive(value));
  return Status::Ok();
}

Result<int> UsesAssignOrReturn(int value) {
  SCIMFLOW_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

TEST(StatusTest, DefaultIsOkAndPrintsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(StatusTest, InputErrorsCarryFileAndLine) {
  Status status = InvalidInputAt("users.ndjson", 1042, "missing required attribute \"userName\"");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.ToString(), "users.ndjson:1042: missing required attribute \"userName\"");
}

TEST(StatusTest, ResultHoldsValueOrError) {
  Result<int> good = ParsePositive(7);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "users.ndjson:1042: value must be positive");
}

TEST(StatusTest, ResultBuiltFromOkStatusIsAnInternalError) {
  Result<std::string> result{Status::Ok()};
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

TEST(StatusTest, MacrosPropagateTheFirstError) {
  EXPECT_TRUE(UsesReturnIfError(3).ok());
  EXPECT_EQ(UsesReturnIfError(0).code(), StatusCode::kInvalidArgument);
  Result<int> doubled = UsesAssignOrReturn(4);
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(*doubled, 8);
  EXPECT_FALSE(UsesAssignOrReturn(-2).ok());
}

}  // namespace
}  // namespace scimflow
