"""An index that finds one slice of the map rollup: equality on the slice columns, then the band.

Without it a slice other than "no filter" (an indicator, a category) was found by scanning the
whole rollup (docs/bench-map.md).
"""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("maps", "0003_location_indicator_codes_and_rollup")]

    operations = [
        migrations.AddIndex(
            model_name="maprollup",
            index=models.Index(
                fields=[
                    "slicing",
                    "category",
                    "minor_flag",
                    "indicator",
                    "risk_band",
                    "source_id_copy",
                ],
                name="maps_rollup_slice",
            ),
        ),
    ]
