"""Covering indexes for the map's grid aggregation (PostgreSQL reads them without the table).

The aggregation filters on precision, the viewport, the visible sources and the user's filters,
and reads only these columns; with them in the index PostgreSQL answers by an index-only scan
(see docs/bench-map.md). SQLite has no INCLUDE: there they are plain indexes. Created with SQL so
that the model (whose fields this migration must not change) stays as it is.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = {
    "maps_loc_prec_latlng_cov": (
        '"precision", "lat", "lng"',
        '"source_id_copy", "risk", "minor", "category", "posted_at", "name"',
    ),
    "maps_loc_posted_cov": (
        '"posted_at"',
        '"source_id_copy", "risk", "minor", "category", "precision", "lat", "lng"',
    ),
}


def create(apps: Any, schema_editor: Any) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Ads share few distinct coordinates (city centres); without this the planner multiplies
        # the distinct lats by the distinct lngs, expects ~100k groups and sorts on disk.
        schema_editor.execute(
            'CREATE STATISTICS IF NOT EXISTS "maps_loc_latlng_ndistinct" (ndistinct)'
            ' ON "lat", "lng" FROM "maps_adlocation"'
        )
    for name, (columns, covered) in INDEXES.items():
        include = f" INCLUDE ({covered})" if postgres else ""
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "maps_adlocation" ({columns}){include}'
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP STATISTICS IF EXISTS "maps_loc_latlng_ndistinct"')
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("maps", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
