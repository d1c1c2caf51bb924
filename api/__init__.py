"""The HTTP API under /api/v1/ on one router: the partner API, the investigators' API on ads,
entities and networks (`investigator.py`), and on their queue and cases (`cases.api`).

It sits above the apps it shows, so imports flow one way: `api` imports `ads`, `analytics`,
`maps`, `partners` and `cases`; none of them imports `api`. Shared API plumbing (scopes, errors,
pagination, audited mixin) is in `core.api`, the base viewset in `core.viewsets`.
"""
