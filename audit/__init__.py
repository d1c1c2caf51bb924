"""The tamper-evident audit trail: every sensitive event, chained by HMAC."""
