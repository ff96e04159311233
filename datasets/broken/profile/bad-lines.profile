bulk yes
header Authorization: Bearer x
budget writes=90
max-members-per-patch -1
profile ghes
