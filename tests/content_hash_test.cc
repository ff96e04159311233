#include "engine/content_hash.h"

#include <gtest/gtest.h>

namespace scimflow {
namespace {

User Mona() {
  User user;
  user.external_id = "e-1";
  user.user_name = "mona";
  user.name.given_name = "Mona";
  user.name.family_name = "Lisa";
  user.display_name = "Mona Lisa";
  return user;
}

TEST(ContentHashTest, EqualAttributesHashEqualAndNothingDiffers) {
  const User left = Mona();
  const User right = Mona();
  const Role roles[] = {{"user", true}};
  EXPECT_EQ(HashUserAttributes(left, roles), HashUserAttributes(right, roles));
  EXPECT_EQ(ChangedAttributes(HashUserAttributes(left, roles), HashUserAttributes(right, roles)),
            0);
}

TEST(ContentHashTest, EachAttributeIsReportedOnItsOwn) {
  const Role roles[] = {{"user", true}};
  const AttributeHashes base = HashUserAttributes(Mona(), roles);
  User renamed = Mona();
  renamed.name.middle_name = "X";
  EXPECT_EQ(ChangedAttributes(HashUserAttributes(renamed, roles), base), kAttrName);
  User displayed = Mona();
  displayed.display_name = "ML";
  EXPECT_EQ(ChangedAttributes(HashUserAttributes(displayed, roles), base), kAttrDisplayName);
  User mailed = Mona();
  const Email email{"m@example.com", "work", true};
  mailed.emails = std::span<const Email>(&email, 1);
  EXPECT_EQ(ChangedAttributes(HashUserAttributes(mailed, roles), base), kAttrEmails);
  const Role other[] = {{"enterprise_owner", true}};
  EXPECT_EQ(ChangedAttributes(HashUserAttributes(Mona(), other), base), kAttrRoles);
}

TEST(ContentHashTest, FieldBoundariesCount) {
  User left = Mona();
  left.name.given_name = "Mo";
  left.name.family_name = "naLisa";
  User right = Mona();
  right.name.given_name = "Mona";
  right.name.family_name = "Lisa";
  EXPECT_NE(HashUserAttributes(left, {}).name, HashUserAttributes(right, {}).name);
}

TEST(ContentHashTest, RolesAreASetAndPrimaryDoesNotCount) {
  const Role one[] = {{"user", true}, {"billing_manager", false}};
  const Role two[] = {{"billing_manager", true}, {"user", false}, {"user", false}};
  EXPECT_EQ(HashUserAttributes(Mona(), one), HashUserAttributes(Mona(), two));
}

TEST(ContentHashTest, UserNameAndActiveAreNotContent) {
  User other = Mona();
  other.user_name = "someone";
  other.active = false;
  EXPECT_EQ(HashUserAttributes(other, {}), HashUserAttributes(Mona(), {}));
}

TEST(ContentHashTest, EmailPrimaryFlagAndTypeCount) {
  User left = Mona();
  User right = Mona();
  const Email primary{"m@example.com", "work", true};
  const Email secondary{"m@example.com", "work", false};
  left.emails = std::span<const Email>(&primary, 1);
  right.emails = std::span<const Email>(&secondary, 1);
  EXPECT_NE(HashUserAttributes(left, {}).emails, HashUserAttributes(right, {}).emails);
}

}  // namespace
}  // namespace scimflow
