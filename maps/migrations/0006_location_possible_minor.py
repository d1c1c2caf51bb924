"""The score's flags (flagged, possible minor) on the map row, and the rollup built from them.

The map, its rollup and its charts read the flag the score stage set (MINOR_FLAG_THRESHOLD,
applied once) instead of a threshold of their own on the copied probability (issue #21). The
flag is backfilled from the scores; the rollup's function and triggers are (re)installed from
maps.rollup and the rollup refilled, on PostgreSQL only.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from maps import rollup


def backfill(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(
        "UPDATE maps_adlocation SET"
        " flagged = (SELECT s.flagged FROM analytics_adscore s"
        " WHERE s.ad_id = maps_adlocation.ad_id),"
        " possible_minor = (SELECT s.possible_minor FROM analytics_adscore s"
        " WHERE s.ad_id = maps_adlocation.ad_id)"
        " WHERE EXISTS (SELECT 1 FROM analytics_adscore s WHERE s.ad_id = maps_adlocation.ad_id)"
    )


def install(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(rollup.trigger_function_sql())
    for sql in rollup.INSTALL_SQL:
        schema_editor.execute(sql)
    schema_editor.execute("DELETE FROM maps_maprollup")
    schema_editor.execute(rollup.rebuild_sql())


def uninstall(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in rollup.UNINSTALL_SQL:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0005_location_rule"),
        ("analytics", "0003_fewer_link_and_band_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="adlocation",
            name="flagged",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="adlocation",
            name="possible_minor",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(install, uninstall),
    ]
