"""Indicator codes on the map row (GIN-indexed on PostgreSQL) and the map rollup with its triggers.

The codes are copied from each ad's score (backfilled here; kept in step by the geocode stage and
score refreshes), so the map's indicator filter reads one table. The rollup (maps.rollup) is
created here; its triggers are installed and it is filled by 0006, on PostgreSQL only.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from maps import rollup


def backfill_codes(apps: Any, schema_editor: Any) -> None:
    # One correlated UPDATE works on SQLite and PostgreSQL (both columns are the same JSON type).
    schema_editor.execute(
        "UPDATE maps_adlocation SET indicator_codes = (SELECT s.indicator_codes"
        " FROM analytics_adscore s WHERE s.ad_id = maps_adlocation.ad_id)"
        " WHERE EXISTS (SELECT 1 FROM analytics_adscore s WHERE s.ad_id = maps_adlocation.ad_id)"
    )


def install(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS maps_loc_codes_gin ON maps_adlocation"
        " USING gin (indicator_codes jsonb_path_ops)"
    )
    # The rollup's function and triggers are installed (and the rollup filled) by migration
    # 0006: they are built from the current maps.rollup, which reads columns added after this one.


def uninstall(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in rollup.UNINSTALL_SQL:
        schema_editor.execute(sql)
    schema_editor.execute("DROP INDEX IF EXISTS maps_loc_codes_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0002_map_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="adlocation",
            name="indicator_codes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name="MapRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slicing", models.SmallIntegerField()),
                ("precision", models.CharField(max_length=15)),
                ("lat", models.FloatField()),
                ("lng", models.FloatField()),
                ("name", models.CharField(max_length=200)),
                (
                    "source_id_copy",
                    models.BigIntegerField(help_text="0 when the map row has no source copy."),
                ),
                ("category", models.CharField(help_text="'*' outside slicing 1.", max_length=10)),
                (
                    "risk_band",
                    models.SmallIntegerField(help_text="-2 outside slicing 2; -1 for no score."),
                ),
                ("minor_flag", models.BooleanField()),
                ("indicator", models.CharField(help_text="'*' outside slicing 4.", max_length=60)),
                ("n", models.BigIntegerField()),
                ("minors", models.BigIntegerField()),
                ("max_risk", models.FloatField(null=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "slicing",
                            "precision",
                            "lat",
                            "lng",
                            "name",
                            "source_id_copy",
                            "category",
                            "risk_band",
                            "minor_flag",
                            "indicator",
                        ),
                        name="maps_rollup_key",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill_codes, migrations.RunPython.noop),
        migrations.RunPython(install, uninstall),
    ]
