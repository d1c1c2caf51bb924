"""The tamper-evident audit trail: every sensitive event, chained by HMAC, and the audited admin
(`admin_mixins`) every app's admin builds on."""
