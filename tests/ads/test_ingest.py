"""Ingestion as evidence: new, revisions, unchanged, and bad rows that cost nothing else."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

from ads.models import Ad, AdRevision, Evidence
from ads.readers import read_file, records_from_payload
from ads.services import ads_ingest

pytestmark = pytest.mark.django_db


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _ad(ext: str, body: str = "Sweet new girl in town, call 702 555 0143", **extra: object) -> dict:
    return {
        "external_id": ext,
        "title": f"Ad {ext}",
        "body": body,
        "posted_at": "2026-03-01T10:00:00Z",
        "location_text": "Las Vegas, NV",
        **extra,
    }


def test_new_ads_are_stored_with_their_raw_bytes_and_hash(actors, tmp_path):
    path = _jsonl(tmp_path / "ads.jsonl", [_ad("1"), _ad("2")])
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert (summary.new, summary.revised, summary.unchanged, summary.rejected) == (2, 0, 0, [])
    revision = AdRevision.objects.get(ad__external_id="1")
    stored = revision.evidence.read()
    assert json.loads(stored)["external_id"] == "1"
    assert revision.evidence.sha256 == __import__("hashlib").sha256(stored).hexdigest()


def test_reingesting_the_same_file_creates_nothing(actors, tmp_path):
    path = _jsonl(tmp_path / "ads.jsonl", [_ad("1"), _ad("2")])
    ads_ingest(source=actors.source_a, rows=read_file(path))
    again = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert (again.new, again.revised, again.unchanged) == (0, 0, 2)
    assert AdRevision.objects.count() == 2
    assert Evidence.objects.count() == 2


def test_an_edited_ad_becomes_a_new_revision_and_the_old_version_is_kept(actors, tmp_path):
    ads_ingest(
        source=actors.source_a,
        rows=read_file(_jsonl(tmp_path / "a.jsonl", [_ad("1", "first text")])),
    )
    summary = ads_ingest(
        source=actors.source_a,
        rows=read_file(_jsonl(tmp_path / "b.jsonl", [_ad("1", "edited text")])),
    )
    assert summary.revised == 1
    ad = Ad.objects.get(external_id="1")
    assert ad.body == "edited text" and ad.revision_count == 2
    assert list(ad.revisions.values_list("number", "body")) == [
        (1, "first text"),
        (2, "edited text"),
    ]


def test_the_same_external_id_at_two_sources_is_two_ads(actors, tmp_path):
    path = _jsonl(tmp_path / "ads.jsonl", [_ad("1")])
    ads_ingest(source=actors.source_a, rows=read_file(path))
    ads_ingest(source=actors.source_b, rows=read_file(path))
    assert Ad.objects.filter(external_id="1").count() == 2


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_are_kept(
    actors, settings, tmp_path
):
    settings.INGEST_MAX_BODY_BYTES = 1_000_000
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps(_ad("good-1")).encode(),
        b'{"external_id": "bad-utf8", "body": "caf\xc3\x28"}',
        json.dumps(_ad("nul", "text with \u0000 NUL inside")).encode(),
        json.dumps({"title": "no id", "body": "x"}).encode(),
        json.dumps(_ad("future", posted_at="2199-01-01T00:00:00Z")).encode(),
        json.dumps(_ad("huge", "x" * 10_000_000)).encode(),
        json.dumps({"external_id": "wrong-type", "body": ["a", "list"]}).encode(),
        b"{not json",
        json.dumps({"external_id": "empty", "title": "", "body": "   "}).encode(),
        json.dumps(_ad("dup", "first")).encode(),
        json.dumps(_ad("dup", "second")).encode(),
        json.dumps(_ad("good-2")).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    rejected = {row["line"]: row["reason"] for row in summary.rejected}
    assert rejected[2].startswith("invalid UTF-8")
    assert rejected[4] == "missing external_id"
    assert "too large" in rejected[6]
    assert "must be text" in rejected[7]
    assert rejected[8].startswith("invalid JSON")
    assert "neither title nor body" in rejected[9]
    assert len(rejected) == 6
    assert set(Ad.objects.values_list("external_id", flat=True)) == {
        "good-1",
        "nul",
        "future",
        "dup",
        "good-2",
    }
    assert Ad.objects.get(external_id="nul").body == "text with  NUL inside"
    assert Ad.objects.get(external_id="future").posted_at is None
    assert any(w["line"] == 5 and "implausible" in w["message"] for w in summary.warnings)
    assert Ad.objects.get(external_id="dup").revision_count == 2


def test_csv_rows_keep_their_exact_bytes_and_multiline_bodies(actors, tmp_path):
    path = tmp_path / "ads.csv"
    raw_row = (
        b'7,"Title","line one\r\nline two, with comma",https://example.org/7,2026-02-01,Reno\r\n'
    )
    path.write_bytes(
        b"external_id,title,body,url,posted_at,location_text\r\n"
        + raw_row
        + b"8,Only,\xff\xfe broken,,,\r\n"
        + b"9,Short row\r\n"
    )
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert summary.new == 1
    assert [r["line"] for r in summary.rejected] == [4, 5]
    evidence = AdRevision.objects.get(ad__external_id="7").evidence
    assert evidence.read() == raw_row.rstrip(b"\r\n")
    assert Ad.objects.get(external_id="7").body == "line one\r\nline two, with comma"


def test_xlsx_files_are_ingested(actors, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "title", "body", "location_text"])
    sheet.append(["x1", "Spa", "Relaxing massage", "Reno, NV"])
    sheet.append([None, "no id", "body", ""])
    workbook.save(tmp_path / "ads.xlsx")
    summary = ads_ingest(source=actors.source_a, rows=read_file(tmp_path / "ads.xlsx"))
    assert summary.new == 1
    assert summary.rejected == [{"line": 3, "reason": "missing external_id", "external_id": ""}]


def test_unsupported_file_types_are_refused_clearly(actors, tmp_path):
    path = tmp_path / "ads.txt"
    path.write_text("hello")
    with pytest.raises(ValueError, match="unsupported file type"):
        list(read_file(path))


def test_ingest_command_prints_a_summary_and_creates_the_source(db, tmp_path):
    path = _jsonl(tmp_path / "ads.jsonl", [_ad("1"), {"external_id": "2"}])
    out = StringIO()
    call_command(
        "ingest", str(path), "--source", "cli-site", "--no-progress", stdout=out, stderr=StringIO()
    )
    text = out.getvalue()
    assert (
        "new: 1" in text
        and "rejected: 1" in text
        and "line 2: ad has neither title nor body" in text
    )
    out = StringIO()
    call_command(
        "ingest",
        str(path),
        "--source",
        "cli-site",
        "--json",
        "--no-progress",
        stdout=out,
        stderr=StringIO(),
    )
    assert json.loads(out.getvalue())["unchanged"] == 1


def test_verify_evidence_finds_an_altered_capture(actors, tmp_path):
    ads_ingest(source=actors.source_a, rows=records_from_payload([_ad("1"), _ad("2")]))
    call_command("verify_evidence", "--no-progress", stdout=StringIO(), stderr=StringIO())
    evidence = Evidence.objects.order_by("offset").last()
    full = Path(storages["evidence"].path(evidence.path))
    full.chmod(0o640)
    data = bytearray(full.read_bytes())
    data[evidence.offset] ^= 0x01  # flip one bit of the second capture
    full.write_bytes(bytes(data))
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 captures"):
        call_command("verify_evidence", "--no-progress", stdout=StringIO(), stderr=err)
    assert "content altered" in err.getvalue()


def test_evidence_files_are_written_read_only(actors):
    ads_ingest(source=actors.source_a, rows=records_from_payload([_ad("1")]))
    evidence = Evidence.objects.get()
    mode = Path(storages["evidence"].path(evidence.path)).stat().st_mode & 0o777
    assert mode == 0o440


def test_captures_of_one_chunk_share_one_segment_file(actors):
    ads_ingest(source=actors.source_a, rows=records_from_payload([_ad(str(i)) for i in range(5)]))
    assert Evidence.objects.values("path").distinct().count() == 1
    assert sorted(Evidence.objects.values_list("offset", flat=True))[0] == 0


def test_a_large_file_is_streamed_in_chunks(actors, tmp_path):
    path = _jsonl(tmp_path / "many.jsonl", [_ad(str(i), f"body {i}") for i in range(2500)])
    summary = ads_ingest(source=actors.source_a, rows=read_file(path), chunk_size=1000)
    assert summary.new == 2500
    assert Ad.objects.count() == 2500


def test_a_revised_ad_restarts_the_pipeline_and_keeps_its_first_capture(actors):
    from ads import pipeline
    from ads.models import PIPELINE_DONE, PipelineStatus

    ads_ingest(source=actors.source_a, rows=records_from_payload([_ad("1", "first"), _ad("2")]))
    before = {a.external_id: a for a in Ad.objects.all()}
    Ad.objects.filter(external_id="1").update(
        pipeline_stage=PIPELINE_DONE,
        pipeline_status=PipelineStatus.FAILED,
        pipeline_attempts=3,
        pipeline_error="boom",
        extracted={"kept": True},
    )
    summary = ads_ingest(
        source=actors.source_a,
        rows=records_from_payload([_ad("3"), _ad("1", "second"), _ad("2")]),
    )
    assert (summary.new, summary.revised, summary.unchanged) == (1, 1, 1)
    new = Ad.objects.get(external_id="3")
    revised = Ad.objects.get(external_id="1")
    unchanged = Ad.objects.get(external_id="2")
    # New ads first, then revised ones: the ids the pipeline is sent.
    assert summary.ad_ids == [new.pk, revised.pk]
    assert (revised.body, revised.revision_count) == ("second", 2)
    assert revised.pipeline_stage == pipeline.first_stage()
    assert (revised.pipeline_status, revised.pipeline_attempts, revised.pipeline_error) == (
        PipelineStatus.PENDING,
        0,
        "",
    )
    assert revised.extracted == {"kept": True}
    assert revised.captured_at == before["1"].captured_at
    assert revised.created_at == before["1"].created_at
    assert revised.updated_at > before["1"].updated_at
    assert revised.revisions.get(number=2).evidence.read() != (
        revised.revisions.get(number=1).evidence.read()
    )
    assert unchanged.last_seen_at > before["2"].last_seen_at
    assert unchanged.updated_at == before["2"].updated_at
    assert (new.revision_count, new.extracted, new.pipeline_stage) == (
        1,
        {},
        pipeline.first_stage(),
    )
    assert new.posted_at.isoformat() == "2026-03-01T10:00:00+00:00"
    assert new.revisions.get().posted_at == new.posted_at


def test_fields_that_are_not_utf8_or_too_large_are_rejected_by_name(actors, settings):
    settings.INGEST_MAX_TITLE_CHARS = 10  # titles up to 40 bytes are read, then cut to 10 chars
    rows = [
        {"external_id": "lone", "title": "bad \ud800 here"},
        {"external_id": "big", "title": "é" * 25},
        {"external_id": "ok", "title": "é" * 15},
        {"external_id": "ascii", "title": "x" * 41},
    ]
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    reasons = {row["external_id"]: row["reason"] for row in summary.rejected}
    assert reasons == {
        "lone": "field 'title' is not valid UTF-8 (at character 4)",
        "big": "field 'title' is too large (0.0 MB > 4e-05 MB limit)",
        "ascii": "field 'title' is too large (0.0 MB > 4e-05 MB limit)",
    }
    assert Ad.objects.get(external_id="ok").title == "é" * 10


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ingests_of_the_same_file_store_each_ad_and_capture_once(tmp_path, settings):
    import threading

    from django.db import connection

    from ads.models import Source

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    settings.PIPELINE_ENQUEUE = False  # only ingestion races here
    source = Source.objects.create(name="race")
    path = _jsonl(tmp_path / "race.jsonl", [_ad(str(i), f"body {i}") for i in range(3000)])
    barrier = threading.Barrier(2)
    summaries: list = []
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            barrier.wait()
            summaries.append(ads_ingest(source=source, rows=read_file(path), chunk_size=500))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(s.new for s in summaries) == 3000
    assert sum(s.unchanged for s in summaries) == 3000
    assert sum(s.revised for s in summaries) == 0
    assert Ad.objects.count() == AdRevision.objects.count() == Evidence.objects.count() == 3000
    call_command("verify_evidence", "--no-progress", stdout=StringIO(), stderr=StringIO())
