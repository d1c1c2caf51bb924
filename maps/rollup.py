"""The map rollup on PostgreSQL: map rows summed per place and source (`maps.models.MapRollup`).

Why a rollup: at country zoom the live aggregation groups most of the map table (800k of 1M rows
in docs/bench-map.md) on every request; the rollup holds one row per place, source and slice, so
the same request groups a few thousand rows. It answers exactly what the live query answers
(places keep their coordinates, so the viewport and the grid cells are applied the same way), for
requests whose filters it can express: none, a source, and at most one of category, a risk
threshold on a band edge, possible minor, an indicator. Time windows and case status go to the
live query (which a window makes small).

Why triggers: the rollup must follow every write to the map table, not only the ones that go
through our services: ads deleted by retention (a cascade), re-scores, bulk loads, admin edits.
Statement-level triggers with transition tables see each statement's rows at once, apply the net
change per rollup key in key order (so concurrent writers lock the same rows in the same order),
and recompute a maximum only when the ad that held it left.

Why the source stays in every slice: visibility is a set of source ids (`visible_locations`), so
the rollup is filtered by the same ids and never mixes what one user may see with what another
may not; no per-role copy is needed and a source moved to another unit moves at once.
"""

# ruff: noqa: S608 - every statement here is built from this module's constants, never input.
from __future__ import annotations

from django.db import connection, transaction

# Risk band edges: a threshold on one of these (the page offers 0.3, 0.5, 0.7 and 0.9) is a set of
# whole bands. Band -1 is "no score", band i covers [edge[i-1], edge[i]).
RISK_BAND_EDGES = (0.0, 0.3, 0.5, 0.7, 0.9)
# Longer codes are left out of slicing 4; the map's filter never sends one (it cuts at 60).
MAX_INDICATOR = 60
BAND_SQL = (
    "CASE WHEN {t}.risk IS NULL THEN -1 "
    "WHEN {t}.risk >= 0.9::float8 THEN 4 WHEN {t}.risk >= 0.7::float8 THEN 3 "
    "WHEN {t}.risk >= 0.5::float8 THEN 2 WHEN {t}.risk >= 0.3::float8 THEN 1 ELSE 0 END"
)
# The score's own possible-minor flag (copied onto the map row): no threshold of the map's own.
MINOR_SQL = "COALESCE({t}.possible_minor, false)"
KEY = (
    "slicing, precision, lat, lng, name, source_id_copy, category, risk_band, minor_flag, indicator"
)


def expand_sql(table: str) -> str:
    """Each placed map row of `table`, once per slicing (slicing 4: once per code)."""
    base = (
        "SELECT t.precision, t.lat, t.lng, t.name,"
        " COALESCE(t.source_id_copy, 0) AS source_id_copy,"
        f" t.category, {BAND_SQL.format(t='t')} AS band, {MINOR_SQL.format(t='t')} AS mf,"
        f" t.indicator_codes, t.risk FROM {table} t WHERE t.lat IS NOT NULL AND t.lng IS NOT NULL"
    )
    cols = "precision, lat, lng, name, source_id_copy"
    return (
        f"WITH b AS ({base}) "
        f"SELECT 0 AS slicing, {cols}, '*'::varchar AS category, -2 AS risk_band,"
        f" false AS minor_flag, '*'::varchar AS indicator, mf, risk FROM b"
        f" UNION ALL SELECT 1, {cols}, category, -2, false, '*', mf, risk FROM b"
        f" UNION ALL SELECT 2, {cols}, '*', band, false, '*', mf, risk FROM b"
        f" UNION ALL SELECT 3, {cols}, '*', -2, mf, '*', mf, risk FROM b"
        f" UNION ALL SELECT 4, {cols}, '*', -2, false, c.code, mf, risk FROM b"
        " CROSS JOIN LATERAL (SELECT DISTINCT x AS code FROM jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(b.indicator_codes) = 'array' THEN b.indicator_codes"
        f" ELSE '[]'::jsonb END) x WHERE length(x) <= {MAX_INDICATOR}) c"
    )


def _apply(added: str | None, removed: str | None) -> str:
    """SQL that applies the net change (rows added minus rows removed) to the rollup."""
    parts = []
    if added:
        parts.append(f"SELECT *, 1 AS sign FROM ({added}) a")
    if removed:
        parts.append(f"SELECT *, -1 AS sign FROM ({removed}) r")
    delta = " UNION ALL ".join(parts)
    upsert = (
        f"INSERT INTO maps_maprollup AS m ({KEY}, n, minors, max_risk)"
        f" SELECT {KEY}, SUM(sign), COALESCE(SUM(sign) FILTER (WHERE mf), 0),"
        f" MAX(risk) FILTER (WHERE sign > 0) FROM ({delta}) d GROUP BY {KEY} ORDER BY {KEY}"
        f" ON CONFLICT ({KEY}) DO UPDATE SET n = m.n + EXCLUDED.n,"
        " minors = m.minors + EXCLUDED.minors,"
        " max_risk = GREATEST(m.max_risk, EXCLUDED.max_risk);"
    )
    if not removed:
        return upsert
    same_key = " AND ".join(f"m.{k} = d.{k}" for k in KEY.split(", "))
    # The maximum of a slice is recomputed from the live rows only when an ad that held it left.
    recompute = (
        "UPDATE maps_maprollup m SET max_risk = (SELECT MAX(l.risk) FROM maps_adlocation l"
        " WHERE l.precision = m.precision AND l.lat = m.lat AND l.lng = m.lng"
        " AND l.name = m.name AND COALESCE(l.source_id_copy, 0) = m.source_id_copy"
        " AND (m.slicing <> 1 OR l.category = m.category)"
        f" AND (m.slicing <> 2 OR {BAND_SQL.format(t='l')} = m.risk_band)"
        f" AND (m.slicing <> 3 OR {MINOR_SQL.format(t='l')} = m.minor_flag)"
        " AND (m.slicing <> 4 OR l.indicator_codes @> jsonb_build_array(m.indicator)))"
        f" FROM (SELECT DISTINCT {KEY}, risk FROM ({removed}) x) d"
        f" WHERE {same_key} AND d.risk >= m.max_risk;"
    )
    return upsert + " DELETE FROM maps_maprollup WHERE n <= 0; " + recompute


def trigger_function_sql() -> str:
    new, old = expand_sql("new_rows"), expand_sql("old_rows")
    return f"""
CREATE OR REPLACE FUNCTION maps_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(new, None)}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(None, old)}
    ELSIF TG_OP = 'UPDATE' THEN
        {_apply(f"({new}) EXCEPT ALL ({old})", f"({old}) EXCEPT ALL ({new})")}
    ELSIF TG_OP = 'TRUNCATE' THEN
        DELETE FROM maps_maprollup;
    END IF;
    RETURN NULL;
END
$fn$;
"""


INSTALL_SQL = [
    # Rows emptied by a delete are removed at once; this index finds them without a scan.
    "CREATE INDEX IF NOT EXISTS maps_rollup_empty ON maps_maprollup (id) WHERE n <= 0",
    "DROP TRIGGER IF EXISTS maps_rollup_ins ON maps_adlocation",
    "DROP TRIGGER IF EXISTS maps_rollup_upd ON maps_adlocation",
    "DROP TRIGGER IF EXISTS maps_rollup_del ON maps_adlocation",
    "DROP TRIGGER IF EXISTS maps_rollup_trunc ON maps_adlocation",
    "CREATE TRIGGER maps_rollup_ins AFTER INSERT ON maps_adlocation REFERENCING NEW TABLE AS"
    " new_rows FOR EACH STATEMENT EXECUTE FUNCTION maps_rollup_apply()",
    "CREATE TRIGGER maps_rollup_upd AFTER UPDATE ON maps_adlocation REFERENCING OLD TABLE AS"
    " old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION maps_rollup_apply()",
    "CREATE TRIGGER maps_rollup_del AFTER DELETE ON maps_adlocation REFERENCING OLD TABLE AS"
    " old_rows FOR EACH STATEMENT EXECUTE FUNCTION maps_rollup_apply()",
    "CREATE TRIGGER maps_rollup_trunc AFTER TRUNCATE ON maps_adlocation"
    " FOR EACH STATEMENT EXECUTE FUNCTION maps_rollup_apply()",
]

UNINSTALL_SQL = [
    "DROP TRIGGER IF EXISTS maps_rollup_ins ON maps_adlocation",
    "DROP TRIGGER IF EXISTS maps_rollup_upd ON maps_adlocation",
    "DROP TRIGGER IF EXISTS maps_rollup_del ON maps_adlocation",
    "DROP TRIGGER IF EXISTS maps_rollup_trunc ON maps_adlocation",
    "DROP FUNCTION IF EXISTS maps_rollup_apply()",
]


def rebuild_sql() -> str:
    return (
        f"INSERT INTO maps_maprollup ({KEY}, n, minors, max_risk)"
        f" SELECT {KEY}, COUNT(*), COUNT(*) FILTER (WHERE mf), MAX(risk)"
        f" FROM ({expand_sql('maps_adlocation')}) e GROUP BY {KEY}"
        # Written in slice order, so each slicing's rows sit together on disk.
        f" ORDER BY {KEY}"
    )


def rollup_supported() -> bool:
    return connection.vendor == "postgresql"


def rollup_rebuild() -> int:
    """Recompute the rollup from the map table; writers wait meanwhile. Returns its row count."""
    if not rollup_supported():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        # SHARE mode: reads go on, writes to the map table wait until the new rollup is in.
        cursor.execute("LOCK TABLE maps_adlocation IN SHARE MODE")
        cursor.execute("DELETE FROM maps_maprollup")
        cursor.execute(rebuild_sql())
        count = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE maps_maprollup")
    return count
