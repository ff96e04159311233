#!/usr/bin/env python3
"""The nightly reconciliation done the way people usually do it by hand: a short script with the
standard library's json module and dicts, loading the IdP export and the target's snapshot whole.

It is the baseline of `bench/run` (scenario "by hand"): it applies the rules of
docs/operations.md for the github-emu profile and prints the operation counts in the shape of
`expected.json`, so bench/run can check it computes the same answer as `scimflow plan` before its
time is compared. It writes no plan: it only counts, which flatters it.

Usage: reconcile.py USERS GROUPS ASSIGNMENTS SNAPSHOT [MAX_MEMBERS_PER_PATCH]
"""
import json
import sys

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


def name_of(user):
    name = user.get("name") or {}
    return tuple(name.get(part) or "" for part in ("givenName", "familyName", "formatted", "middleName"))


def emails_of(user):
    return tuple((e.get("value") or "", e.get("type") or "", bool(e.get("primary")))
                 for e in user.get("emails") or [])


def role_values(roles):
    return frozenset(r["value"] if isinstance(r, dict) else r for r in roles or [])


def chunks(count, size):
    return (count + size - 1) // size


def main():
    users_path, groups_path, assignments_path, snapshot_path = sys.argv[1:5]
    per_patch = int(sys.argv[5]) if len(sys.argv) > 5 else 100

    desired = {}
    with open(users_path, encoding="utf-8") as f:
        for line in f:
            user = json.loads(line)
            desired[user["externalId"]] = user
    assigned = {}
    with open(assignments_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            assigned[record["externalId"]] = role_values(record.get("roles"))
    groups = {}
    with open(groups_path, encoding="utf-8") as f:
        for line in f:
            group = json.loads(line)
            groups[group["externalId"]] = group

    current_users, current_groups, external_of_id = {}, {}, {}
    with open(snapshot_path, encoding="utf-8") as f:
        for line in f:
            resource = json.loads(line)
            if USER_SCHEMA in resource.get("schemas", []):
                current_users[resource["externalId"]] = resource
                external_of_id[resource["id"]] = resource["externalId"]
            else:
                current_groups[resource["externalId"]] = resource
    taken = {u["userName"].lower(): x for x, u in current_users.items()}

    ops = dict.fromkeys(["user.create", "user.update", "user.roles", "user.deactivate",
                         "user.reactivate", "group.create", "group.rename",
                         "group.members.remove", "group.members.add", "group.delete"], 0)
    provisioned = set()
    for external_id, user in desired.items():
        if external_id not in assigned or user.get("active") is False:
            current = current_users.get(external_id)
            if current is not None and current.get("active", True):
                ops["user.deactivate"] += 1
            continue
        current = current_users.get(external_id)
        if current is None:
            if taken.get(user["userName"].lower(), external_id) != external_id:
                continue  # username-taken conflict: reported, not created
            ops["user.create"] += 1
            provisioned.add(external_id)
            continue
        provisioned.add(external_id)
        profile_changed = (name_of(user) != name_of(current)
                           or (user.get("displayName") or "") != (current.get("displayName") or "")
                           or emails_of(user) != emails_of(current))
        roles_changed = assigned[external_id] != role_values(current.get("roles"))
        if not current.get("active", True):
            ops["user.reactivate"] += 1
        elif profile_changed:
            ops["user.update"] += 1
        elif roles_changed:
            ops["user.roles"] += 1
    for external_id, current in current_users.items():
        if external_id not in desired and current.get("active", True):
            ops["user.deactivate"] += 1

    added = removed = 0
    for external_id, group in groups.items():
        idp = set(group.get("members") or [])
        current = current_groups.get(external_id)
        if current is None:
            ops["group.create"] += 1
            target = set()
        else:
            if current.get("displayName") != group.get("displayName"):
                ops["group.rename"] += 1
            target = {external_of_id.get(m["value"]) for m in current.get("members") or []}
        removes = target - idp
        adds = {u for u in idp - target if u in provisioned}
        ops["group.members.remove"] += chunks(len(removes), per_patch)
        ops["group.members.add"] += chunks(len(adds), per_patch)
        added += len(adds)
        removed += len(removes)
    for external_id in current_groups:
        if external_id not in groups:
            ops["group.delete"] += 1

    print(json.dumps({"profile": "github-emu", "operations": ops, "total": sum(ops.values()),
                      "members_added": added, "members_removed": removed,
                      "max_members_per_patch": per_patch}, separators=(",", ":")))


if __name__ == "__main__":
    main()
