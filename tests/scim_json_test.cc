#include "io/scim_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace scimflow {
namespace {

namespace od = simdjson::ondemand;

// Parses `json` as one document and maps it with `parse`; returns the Status message ("" if ok).
class ScimJsonTest : public ::testing::Test {
 protected:
  template <typename Out, typename Parse>
  std::string Map(const std::string& json, Parse parse, Out* out) {
    padded_ = simdjson::padded_string(json);
    if (auto error = parser_.iterate(padded_).get(document_)) {
      return std::string(JsonErrorReason(error));
    }
    od::object object;
    if (auto error = document_.get_object().get(object)) {
      return std::string(JsonErrorReason(error));
    }
    Status status = parse(object, &arena_, out);
    if (status.ok()) status = FinishDocument(document_);
    return status.message();
  }
  std::string User(const std::string& json, ScimUser* out) { return Map(json, ParseScimUser, out); }
  std::string Group(const std::string& json, ScimGroup* out) {
    return Map(json, ParseScimGroup, out);
  }

  od::parser parser_;
  simdjson::padded_string padded_;
  od::document document_;
  Arena arena_;
};

TEST_F(ScimJsonTest, FullUserMapsEveryAttribute) {
  ScimUser out;
  ASSERT_EQ(User(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u-1",)"
                 R"("externalId":"e1","userName":"ada@example.com","name":{"givenName":"Ada",)"
                 R"("familyName":"Lovelace","formatted":"Ada Lovelace","middleName":"K"},)"
                 R"("displayName":"Ada L","emails":[{"value":"ada@example.com","type":"work",)"
                 R"("primary":true},{"value":"a@home.example","type":"home"}],)"
                 R"("roles":[{"value":"user","primary":true},"billing_manager"],"active":false})",
                 &out),
            "");
  EXPECT_EQ(out.id, "u-1");
  EXPECT_EQ(out.user.external_id, "e1");
  EXPECT_EQ(out.user.user_name, "ada@example.com");
  EXPECT_EQ(out.user.name.given_name, "Ada");
  EXPECT_EQ(out.user.name.family_name, "Lovelace");
  EXPECT_EQ(out.user.name.formatted, "Ada Lovelace");
  EXPECT_EQ(out.user.name.middle_name, "K");
  EXPECT_EQ(out.user.display_name, "Ada L");
  ASSERT_EQ(out.user.emails.size(), 2u);
  EXPECT_EQ(out.user.emails[0].value, "ada@example.com");
  EXPECT_EQ(out.user.emails[0].type, "work");
  EXPECT_TRUE(out.user.emails[0].primary);
  EXPECT_EQ(out.user.emails[1].value, "a@home.example");
  EXPECT_EQ(out.user.emails[1].type, "home");
  EXPECT_FALSE(out.user.emails[1].primary);
  ASSERT_EQ(out.user.roles.size(), 2u);
  EXPECT_EQ(out.user.roles[0].value, "user");
  EXPECT_TRUE(out.user.roles[0].primary);
  EXPECT_EQ(out.user.roles[1].value, "billing_manager");
  EXPECT_FALSE(out.user.roles[1].primary);
  EXPECT_FALSE(out.user.active);
}

TEST_F(ScimJsonTest, MinimalUserDefaultsToActiveWithoutOptionalAttributes) {
  ScimUser out;
  ASSERT_EQ(User(R"({"externalId":"e1","userName":"u1"})", &out), "");
  EXPECT_TRUE(out.user.active);
  EXPECT_TRUE(out.id.empty());
  EXPECT_TRUE(out.user.name.given_name.empty());
  EXPECT_TRUE(out.user.emails.empty());
  EXPECT_TRUE(out.user.roles.empty());
}

TEST_F(ScimJsonTest, UnknownAttributesAndNullsAreIgnored) {
  ScimUser out;
  ASSERT_EQ(User(R"({"meta":{"created":"x","nested":[1,{"a":[]}]},"externalId":"e1",)"
                 R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"x":1},)"
                 R"("userName":"u1","displayName":null,"name":null,"emails":null,"x":[true]})",
                 &out),
            "");
  EXPECT_EQ(out.user.external_id, "e1");
  EXPECT_EQ(out.user.user_name, "u1");
  EXPECT_TRUE(out.user.display_name.empty());
}

TEST_F(ScimJsonTest, EscapedStringsAreUnescapedAndCopiedIntoTheArena) {
  ScimUser out;
  ASSERT_EQ(User(R"({"externalId":"e\"1","userName":"caf\u00e9 \\ \/"})", &out), "");
  EXPECT_EQ(out.user.external_id, "e\"1");
  EXPECT_EQ(out.user.user_name, "caf\xc3\xa9 \\ /");
  // The text lives in the arena, not in the parser's buffer, so it survives the next parse.
  const std::string_view kept = out.user.user_name;
  ScimUser other;
  ASSERT_EQ(User(R"({"externalId":"zzzzzzzz","userName":"zzzzzzzzzzzz"})", &other), "");
  EXPECT_EQ(kept, "caf\xc3\xa9 \\ /");
  EXPECT_GE(arena_.bytes_used(), kept.size());
}

TEST_F(ScimJsonTest, PlainStringsAreReadAsWrittenWhateverTheSpacing) {
  ScimUser out;
  ASSERT_EQ(User("{ \"externalId\" :  \"e1\"  ,\n\t\"userName\":\"u\\\\\" ,"
                 " \"displayName\" : \"\" , \"name\" : { \"givenName\" : \"Ada\"\r\n } }",
                 &out),
            "");
  EXPECT_EQ(out.user.external_id, "e1");
  EXPECT_EQ(out.user.user_name, "u\\");
  EXPECT_TRUE(out.user.display_name.empty());
  EXPECT_EQ(out.user.name.given_name, "Ada");
}

TEST_F(ScimJsonTest, AttributeNamesMatchOnlyInFull) {
  // Names sharing a prefix with a known attribute, differing in case, or known only inside
  // `name` are unknown attributes at the top level, and ignored.
  ScimUser out;
  ASSERT_EQ(User(R"({"externalIds":"x","externalId":"e","userNam":"x","userName":"u",)"
                 R"("names":7,"Active":false,"familyName":"f","activ":1,"rolesX":1,)"
                 R"("name":{"givenNames":"x","familyName":"Lovelace"}})",
                 &out),
            "");
  EXPECT_EQ(out.user.external_id, "e");
  EXPECT_EQ(out.user.user_name, "u");
  EXPECT_TRUE(out.user.active);
  EXPECT_TRUE(out.user.name.given_name.empty());
  EXPECT_EQ(out.user.name.family_name, "Lovelace");
  EXPECT_TRUE(out.user.roles.empty());
}

TEST_F(ScimJsonTest, RawControlCharacterInAStringIsMalformed) {
  ScimUser out;
  EXPECT_EQ(User("{\"externalId\":\"e\x01\",\"userName\":\"u\"}", &out), "malformed JSON");
  EXPECT_EQ(User("{\"externalId\":\"e\",\"userName\":\"a\tb\"}", &out), "malformed JSON");
}

TEST_F(ScimJsonTest, InPlaceMappingFillsTheGivenUser) {
  const auto ParseScimUserInPlace = [](od::object object, Arena* arena, scimflow::User* user) {
    return scimflow::ParseScimUserInPlace(object, arena, user);
  };
  scimflow::User out;
  ASSERT_EQ(Map(R"({"id":"t-1","externalId":"e1","userName":"u","roles":["r"],"active":false})",
                ParseScimUserInPlace, &out),
            "");
  EXPECT_EQ(out.external_id, "e1");
  EXPECT_EQ(out.user_name, "u");
  ASSERT_EQ(out.roles.size(), 1u);
  EXPECT_EQ(out.roles[0].value, "r");
  EXPECT_FALSE(out.active);
  scimflow::User wrong;
  EXPECT_EQ(Map(R"({"id":7,"externalId":"e1","userName":"u"})", ParseScimUserInPlace, &wrong),
            R"(wrong type for "id": expected string)");
}

TEST_F(ScimJsonTest, ManyEmailsAndRolesAreAllKept) {
  std::string json = R"({"externalId":"e","userName":"u","emails":[)";
  for (int index = 0; index < 20; ++index) {
    if (index > 0) json += ",";
    json += R"({"value":"m)" + std::to_string(index) + R"(@x"})";
  }
  json += R"(],"roles":[)";
  for (int index = 0; index < 12; ++index) {
    if (index > 0) json += ",";
    json += "\"r" + std::to_string(index) + "\"";
  }
  json += "]}";
  ScimUser out;
  ASSERT_EQ(User(json, &out), "");
  ASSERT_EQ(out.user.emails.size(), 20u);
  EXPECT_EQ(out.user.emails[19].value, "m19@x");
  ASSERT_EQ(out.user.roles.size(), 12u);
  EXPECT_EQ(out.user.roles[11].value, "r11");
}

TEST_F(ScimJsonTest, MissingOrEmptyRequiredAttributesAreNamed) {
  ScimUser out;
  EXPECT_EQ(User(R"({"userName":"u"})", &out), R"(missing required attribute "externalId")");
  EXPECT_EQ(User(R"({"externalId":"","userName":"u"})", &out),
            R"(missing required attribute "externalId")");
  EXPECT_EQ(User(R"({"externalId":"e"})", &out), R"(missing required attribute "userName")");
  EXPECT_EQ(User(R"({"externalId":"e","userName":null})", &out),
            R"(missing required attribute "userName")");
}

TEST_F(ScimJsonTest, WrongTypesNameTheAttributeAndTheExpectedType) {
  ScimUser out;
  EXPECT_EQ(User(R"({"externalId":7,"userName":"u"})", &out),
            R"(wrong type for "externalId": expected string)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":["u"]})", &out),
            R"(wrong type for "userName": expected string)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","active":"true"})", &out),
            R"(wrong type for "active": expected boolean)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","name":"Ada"})", &out),
            R"(wrong type for "name": expected object)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","name":{"givenName":1}})", &out),
            R"(wrong type for "name.givenName": expected string)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","emails":{"value":"x"}})", &out),
            R"(wrong type for "emails": expected array)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","emails":["x@y"]})", &out),
            R"(wrong type for "emails": expected object)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","emails":[{"primary":"yes"}]})", &out),
            R"(wrong type for "emails.primary": expected boolean)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","roles":"user"})", &out),
            R"(wrong type for "roles": expected array)");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","roles":[3]})", &out),
            R"(wrong type for "roles": expected object)");
}

TEST_F(ScimJsonTest, MalformedJsonInsideTheRecordIsReported) {
  ScimUser out;
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","name":{"givenName":"A",}})", &out),
            "malformed JSON");
  EXPECT_EQ(User(R"({"externalId":"e" "userName":"u"})", &out), "malformed JSON");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u","active":tru})", &out), "malformed JSON");
  EXPECT_EQ(User(R"({"externalId":"e\u12","userName":"u"})", &out), "malformed JSON");
}

TEST_F(ScimJsonTest, ContentAfterTheRootObjectIsMalformed) {
  ScimUser out;
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u"}})", &out), "malformed JSON");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u"} {"x":1})", &out), "malformed JSON");
  EXPECT_EQ(User(R"({"externalId":"e","userName":"u"}   )", &out), "");
}

TEST_F(ScimJsonTest, InvalidUtf8IsReportedAsSuch) {
  ScimUser out;
  EXPECT_EQ(User("{\"externalId\":\"e\xff\",\"userName\":\"u\"}", &out), "invalid UTF-8");
  EXPECT_EQ(User("{\"externalId\":\"e\",\"userName\":\"\xc3\"}", &out), "invalid UTF-8");
}

TEST_F(ScimJsonTest, IdpGroupListsMemberExternalIdsAsStrings) {
  ScimGroup out;
  ASSERT_EQ(Group(R"({"externalId":"g1","displayName":"Eng","members":["e1","e2","e3"]})", &out),
            "");
  EXPECT_EQ(out.group.external_id, "g1");
  EXPECT_EQ(out.group.display_name, "Eng");
  ASSERT_EQ(out.group.member_external_ids.size(), 3u);
  EXPECT_EQ(out.group.member_external_ids[0], "e1");
  EXPECT_EQ(out.group.member_external_ids[2], "e3");
  EXPECT_FALSE(out.group.has_roles);
  EXPECT_TRUE(out.id.empty());
}

TEST_F(ScimJsonTest, SnapshotGroupKeepsIdAndMemberValues) {
  ScimGroup out;
  ASSERT_EQ(Group(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g-9",)"
                  R"("externalId":"g1","displayName":"Eng","meta":{},)"
                  R"("members":[{"value":"u-1","$ref":"x"},{"value":"u-2","display":"B"}]})",
                  &out),
            "");
  EXPECT_EQ(out.id, "g-9");
  ASSERT_EQ(out.group.member_external_ids.size(), 2u);
  EXPECT_EQ(out.group.member_external_ids[0], "u-1");
  EXPECT_EQ(out.group.member_external_ids[1], "u-2");
}

TEST_F(ScimJsonTest, GroupWithRolesIsFlaggedAndGroupRejectsAreWorded) {
  ScimGroup out;
  ASSERT_EQ(Group(R"({"externalId":"g1","displayName":"Eng","roles":["user"]})", &out), "");
  EXPECT_TRUE(out.group.has_roles);
  EXPECT_TRUE(out.group.member_external_ids.empty());
  EXPECT_EQ(Group(R"({"displayName":"Eng"})", &out), R"(missing required attribute "externalId")");
  EXPECT_EQ(Group(R"({"externalId":"g1"})", &out), R"(missing required attribute "displayName")");
  EXPECT_EQ(Group(R"({"externalId":"g1","displayName":"E","members":"e1"})", &out),
            R"(wrong type for "members": expected array)");
  EXPECT_EQ(Group(R"({"externalId":"g1","displayName":"E","members":[1]})", &out),
            R"(wrong type for "members": expected object)");
}

TEST_F(ScimJsonTest, AssignmentAcceptsRoleStringsAndObjects) {
  Assignment out;
  ASSERT_EQ(Map(R"({"externalId":"e1","roles":["user",{"value":"enterprise_owner"}]})",
                ParseAssignment, &out),
            "");
  EXPECT_EQ(out.external_id, "e1");
  ASSERT_EQ(out.roles.size(), 2u);
  EXPECT_EQ(out.roles[0].value, "user");
  EXPECT_EQ(out.roles[1].value, "enterprise_owner");
  EXPECT_EQ(Map(R"({"roles":["user"]})", ParseAssignment, &out),
            R"(missing required attribute "externalId")");
}

TEST_F(ScimJsonTest, SchemasDecideTheSnapshotKindAndTheDocumentIsRewound) {
  padded_ = simdjson::padded_string(std::string(
      R"({"id":"g","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"g1",)"
      R"("displayName":"Eng"})"));
  ASSERT_EQ(parser_.iterate(padded_).get(document_), simdjson::SUCCESS);
  Result<ScimResourceKind> kind = PeekScimResourceKind(document_);
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, ScimResourceKind::kGroup);
  od::object object;
  ASSERT_EQ(document_.get_object().get(object), simdjson::SUCCESS);
  ScimGroup out;
  ASSERT_TRUE(ParseScimGroup(object, &arena_, &out).ok());
  EXPECT_EQ(out.id, "g");

  padded_ = simdjson::padded_string(std::string(R"({"externalId":"x"})"));
  ASSERT_EQ(parser_.iterate(padded_).get(document_), simdjson::SUCCESS);
  kind = PeekScimResourceKind(document_);
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, ScimResourceKind::kUnknown);
}

}  // namespace
}  // namespace scimflow
