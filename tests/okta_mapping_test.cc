#include "io/okta_mapping.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

class OktaMappingTest : public ::testing::Test {
 protected:
  std::string Map(const std::string& json) {
    padded_ = simdjson::padded_string(json);
    simdjson::ondemand::object object;
    if (parser_.iterate(padded_).get(document_) != simdjson::SUCCESS) return "iterate failed";
    if (document_.get_object().get(object) != simdjson::SUCCESS) return "not an object";
    return ParseOktaUser(object, &arena_, &user_).message();
  }

  simdjson::ondemand::parser parser_;
  simdjson::padded_string padded_;
  simdjson::ondemand::document document_;
  Arena arena_;
  User user_;
};

TEST_F(OktaMappingTest, ProfileFieldsMapToScimAttributes) {
  ASSERT_EQ(Map(R"({"id":"00u1","status":"ACTIVE","created":"2024","profile":{"login":"ada@x",)"
                R"("firstName":"Ada","lastName":"Lovelace","email":"ada@x.example",)"
                R"("displayName":"Ada L","department":"R&D"},"_links":{"self":{}}})"),
            "");
  EXPECT_EQ(user_.external_id, "00u1");
  EXPECT_EQ(user_.user_name, "ada@x");
  EXPECT_EQ(user_.name.given_name, "Ada");
  EXPECT_EQ(user_.name.family_name, "Lovelace");
  EXPECT_EQ(user_.display_name, "Ada L");
  ASSERT_EQ(user_.emails.size(), 1u);
  EXPECT_EQ(user_.emails[0].value, "ada@x.example");
  EXPECT_EQ(user_.emails[0].type, "work");
  EXPECT_TRUE(user_.emails[0].primary);
  EXPECT_TRUE(user_.active);
  EXPECT_TRUE(user_.roles.empty());
}

TEST_F(OktaMappingTest, OnlyActiveStatusIsActive) {
  for (const char* status : {"SUSPENDED", "DEPROVISIONED", "STAGED", "LOCKED_OUT", "active"}) {
    ASSERT_EQ(
        Map(std::string(R"({"id":"1","status":")") + status + R"(","profile":{"login":"a"}})"), "");
    EXPECT_FALSE(user_.active) << status;
  }
  ASSERT_EQ(Map(R"({"id":"1","profile":{"login":"a"}})"), "");
  EXPECT_TRUE(user_.active);
  EXPECT_TRUE(user_.emails.empty());
}

TEST_F(OktaMappingTest, RejectsNameOktaAttributes) {
  EXPECT_EQ(Map(R"({"status":"ACTIVE","profile":{"login":"a"}})"),
            R"(missing required attribute "id")");
  EXPECT_EQ(Map(R"({"id":"1","profile":{"email":"a@x"}})"),
            R"(missing required attribute "profile.login")");
  EXPECT_EQ(Map(R"({"id":"1"})"), R"(missing required attribute "profile.login")");
  EXPECT_EQ(Map(R"({"id":1,"profile":{"login":"a"}})"), R"(wrong type for "id": expected string)");
  EXPECT_EQ(Map(R"({"id":"1","profile":"a"})"), R"(wrong type for "profile": expected object)");
  EXPECT_EQ(Map(R"({"id":"1","profile":{"login":["a"]}})"),
            R"(wrong type for "profile.login": expected string)");
  EXPECT_EQ(Map(R"({"id":"1","status":true,"profile":{"login":"a"}})"),
            R"(wrong type for "status": expected string)");
  EXPECT_EQ(Map(R"({"id":"1","profile":{"login":"a",}})"), "malformed JSON");
}

}  // namespace
}  // namespace scimflow
