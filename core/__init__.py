"""Shared code every app may import: the URL access policy (`access`), API plumbing (`api`),
admin and CSV helpers, the security-header middleware. It imports no domain app at module level
except `accounts` and `audit` models in `api` (see docs/architecture.md)."""
