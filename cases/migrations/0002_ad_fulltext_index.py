"""A GIN index for full-text search over ads, on PostgreSQL only (no change to the ads schema).

The expression must stay identical to `cases.selectors.FTS_EXPRESSION`, or the planner will not use
the index. SQLite has no such index: search there falls back to icontains.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "cases_ad_fulltext_gin"
EXPRESSION = "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))"


def create(apps, schema_editor) -> None:  # noqa: ANN001 - migration signature
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON ads_ad USING gin (({EXPRESSION}))"
    )


def drop(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("ads", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
