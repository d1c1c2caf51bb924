"""Users, roles, units, partner organisations and their API tokens."""
