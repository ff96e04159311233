profile generic
# a comment
base-url https://scim.example.com/scim/v2
header X-Tenant: acme
budget writes=90/min
requests=5000/h
bulk on
patch on
filter full
roles any
hide-suspended-members off
max-members-per-patch 100
