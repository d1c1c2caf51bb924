"""`manage.py build_basemap`: regenerate static/maps/basemap.geojson from us-atlas and world-atlas.

    npm pack us-atlas@3.0.1 world-atlas@2.0.2   # then unpack both
    manage.py build_basemap --world world-atlas/package/countries-110m.json \
        --us us-atlas/package/states-10m.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maps.basemap import build_basemap


class Command(BaseCommand):
    help = "Build the offline basemap GeoJSON from world-atlas and us-atlas TopoJSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--world", required=True, help="world-atlas countries-110m.json")
        parser.add_argument("--us", required=True, help="us-atlas states-10m.json")
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "static" / "maps" / "basemap.geojson")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            world = json.loads(Path(options["world"]).read_text())
            us = json.loads(Path(options["us"]).read_text())
        except (OSError, ValueError) as err:
            raise CommandError(str(err)) from err
        geojson = build_basemap(world=world, us=us)
        out = Path(options["out"])
        out.write_text(json.dumps(geojson, separators=(",", ":")))
        self.stdout.write(f"wrote {out} ({out.stat().st_size:,} bytes)")
