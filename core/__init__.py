"""Shared code, no domain. Helpers that import no app: the URL access policy and the visibility
preamble (`access`), CSV and JSON safety, the navigation tag. Plumbing built on `accounts` and
`audit`: API errors, paging, scopes and auditing (`api`), the base viewset (`viewsets`), the
middleware. See docs/architecture.md."""
