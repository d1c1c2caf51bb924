"""A source's structured fields kept as source facts; unknown columns named; XLSX progress."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from ads.models import Ad, Source
from ads.readers import read_file, records_from_payload
from ads.records import AdRecord
from ads.services import ads_ingest, content_hash

pytestmark = pytest.mark.django_db

HEADER = [
    "external_id",
    "title",
    "body",
    "Age",
    "phone_number",
    "email",
    "social_link",
    "posted_date",
    "images",
    "category",
    "city",
    "state",
    "mystery",
]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _row(ext: str, **values: str) -> list[str]:
    base = {
        "external_id": ext,
        "title": f"Synthetic ad {ext}",
        "body": "Synthetic body written for the test",
        "Age": "24",
        "phone_number": "(702) 555-0143",
        "email": "Someone@Example.org",
        "social_link": "https://www.instagram.com/synthetic_kay/?hl=en",
        "posted_date": "2026-03-01",
        "images": "https://img.example.org/1.jpg https://img.example.org/2.jpg",
        "category": "escort",
        "city": "Reno",
        "state": "NV",
        "mystery": "x",
    }
    base.update(values)
    return [base[h] for h in HEADER]


def test_structured_columns_become_source_facts_on_the_ad_and_its_revision(actors, tmp_path):
    path = _csv(tmp_path / "ads.csv", HEADER, [_row("1")])
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert (summary.new, summary.rejected, summary.warnings) == (1, [], [])
    ad = Ad.objects.get(external_id="1")
    assert ad.source_facts == {
        "ages": [24],
        "phones": ["+17025550143"],
        "emails": ["someone@example.org"],
        "handles": ["instagram:synthetic_kay"],
        "links": ["https://instagram.com/synthetic_kay"],
        "category": "escort",
        "image_urls": ["https://img.example.org/1.jpg", "https://img.example.org/2.jpg"],
    }
    assert ad.revisions.get().source_facts == ad.source_facts
    # The source's city and state are the location the geocoding stage reads.
    assert ad.location_text == "Reno, NV"
    assert ad.posted_at.isoformat() == "2026-03-01T00:00:00+00:00"
    stated = ad.stated
    assert stated.ages == (24,) and stated.phones == ("+17025550143",)
    assert stated.location == "Reno, NV" and stated.title == "Synthetic ad 1"
    assert ("Age", "24") in stated.rows and (
        "Social handle",
        "instagram:synthetic_kay",
    ) in stated.rows
    assert summary.facts_kept == {
        "ages": 1,
        "phones": 1,
        "emails": 1,
        "handles": 1,
        "links": 1,
        "category": 1,
        "image_urls": 1,
    }


def test_unknown_columns_are_named_once_per_file(actors, tmp_path):
    path = _csv(tmp_path / "ads.csv", HEADER, [_row("1"), _row("2"), _row("3")])
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert summary.unknown_columns == ["mystery"]
    jsonl = tmp_path / "ads.jsonl"
    rows = [
        {"external_id": "a", "body": "one", "colour": "red"},
        {"external_id": "b", "body": "two", "colour": "blue", "Weight": 3},
        {"external_id": "c", "body": "three", "colour": "green"},
    ]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    summary = ads_ingest(source=actors.source_a, rows=read_file(jsonl))
    assert summary.unknown_columns == ["colour", "Weight"]
    assert summary.to_json()["unknown_columns"] == ["colour", "Weight"]


def test_ages_outside_18_to_99_or_not_digits_are_warnings_for_their_line(actors, tmp_path):
    path = _csv(
        tmp_path / "ads.csv",
        HEADER,
        [
            _row("young", Age="17"),
            _row("words", Age="twenty"),
            _row("old", Age="100"),
            _row("fraction", Age="25.5"),
            _row("blank", Age="N/A"),
            _row("two", Age="['21', '23']"),
        ],
    )
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert summary.new == 6
    messages = {w["line"]: w["message"] for w in summary.warnings}
    assert set(messages) == {3, 4, 5}
    assert "'twenty'" in messages[3] and "'100'" in messages[4] and "'25.5'" in messages[5]
    facts = dict(Ad.objects.values_list("external_id", "source_facts"))
    # A stated age under 18 is kept: it is the evidence of a possible minor.
    assert facts["young"]["ages"] == [17] and "ages" not in facts["blank"]
    assert facts["two"]["ages"] == [21, 23]
    assert summary.facts_filler == {"age": 1}


def test_phones_are_read_with_the_sources_country(actors):
    uk = Source.objects.create(name="uk-site", default_country="GB", unit=actors.unit_a)
    row = {"external_id": "1", "body": "Synthetic", "phone": "020 7946 0018"}
    ads_ingest(source=uk, rows=records_from_payload([row]))
    assert Ad.objects.get(source=uk).source_facts["phones"] == ["+442079460018"]
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload([row]))
    assert "phones" not in Ad.objects.get(source=actors.source_a).source_facts
    assert summary.warnings == [
        {
            "line": 1,
            "message": "phone '020 7946 0018' is not a valid phone number for US; not kept",
        }
    ]


def test_a_social_sites_home_page_or_filler_never_becomes_a_fact(actors):
    filler = [
        "https://twitter.com/",
        "instagram.com",
        "https://www.instagram.com/explore/",
        "http://facebook.com/sharer.php",
        "none",
    ]
    rows = [
        {"external_id": str(i), "body": "Synthetic", "social_link": value}
        for i, value in enumerate(filler)
    ]
    rows.append({"external_id": "list", "body": "Synthetic", "links": ", ".join(filler)})
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert summary.warnings == []
    assert all(ad.source_facts == {} for ad in Ad.objects.all())
    assert summary.facts_filler == {"social": 10}
    assert summary.facts_kept == {}


def test_social_cells_name_handles_the_way_extraction_does(actors):
    rows = [
        {"external_id": "1", "body": "Synthetic", "social": "snap: synthetic_two"},
        {"external_id": "2", "body": "Synthetic", "social": "https://twitter.com/Synthetic_Two"},
        {"external_id": "3", "body": "Synthetic", "social": "@nobody_knows_where"},
    ]
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    facts = dict(Ad.objects.values_list("external_id", "source_facts"))
    # The extraction normaliser reads number words as digits, in a text and in a field alike.
    assert facts["1"] == {"handles": ["snapchat:synthetic_2"]}
    assert facts["2"]["handles"] == ["twitter:synthetic_2"]
    assert facts["2"]["links"] == ["https://twitter.com/Synthetic_Two"]
    assert facts["3"] == {}
    assert [w["line"] for w in summary.warnings] == [3]


def test_reingesting_keeps_facts_stable_and_a_changed_fact_is_a_new_revision(actors, tmp_path):
    first = _csv(tmp_path / "a.csv", HEADER, [_row("1"), _row("2")])
    ads_ingest(source=actors.source_a, rows=read_file(first))
    again = ads_ingest(source=actors.source_a, rows=read_file(first))
    assert (again.new, again.revised, again.unchanged) == (0, 0, 2)
    edited = _csv(tmp_path / "b.csv", HEADER, [_row("1", Age="31"), _row("2")])
    summary = ads_ingest(source=actors.source_a, rows=read_file(edited))
    assert (summary.revised, summary.unchanged) == (1, 1)
    ad = Ad.objects.get(external_id="1")
    assert ad.source_facts["ages"] == [31]
    assert [r.source_facts["ages"] for r in ad.revisions.order_by("number")] == [[24], [31]]


def test_a_row_without_facts_hashes_as_before_facts_existed():
    record = AdRecord(external_id="1", title="t", body="b")
    assert content_hash(record) == content_hash(record, {})
    assert content_hash(record) != content_hash(record, {"ages": [30]})
    # Image URLs never made a new version (feeds' ads keep their hashes now they are facts).
    assert content_hash(record) == content_hash(record, {"image_urls": ["https://x.example/1"]})


def test_a_malformed_row_among_fact_rows_is_reported_and_the_rest_goes_on(actors, tmp_path):
    path = tmp_path / "ads.csv"
    _csv(path, HEADER, [_row("1")])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("2,too,few\r\n")
        handle.write(",".join(_row("3")) + "\r\n")
    summary = ads_ingest(source=actors.source_a, rows=read_file(path))
    assert summary.new == 2
    assert summary.rejected == [
        {"line": 3, "reason": "expected 13 columns, found 3", "external_id": ""}
    ]
    assert Ad.objects.get(external_id="3").source_facts["ages"] == [24]


def test_the_ingest_command_reports_facts_and_unknown_columns(db, tmp_path):
    path = _csv(tmp_path / "ads.csv", HEADER, [_row("1"), _row("2", Age="11")])
    out = StringIO()
    call_command("ingest", str(path), "--source", "cli", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "warnings: 1" in text
    assert "warning line 3: age '11' is not a whole number from 12 to 99; not kept" in text
    assert "source facts kept (ads): ages 1, phones 2" in text
    assert "unknown columns (not read): mystery" in text
    out = StringIO()
    call_command("ingest", str(path), "--source", "cli2", "--no-progress", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["unknown_columns"] == ["mystery"]
    assert data["source_facts"]["kept"]["phones"] == 2
    assert data["warnings"] == [
        {"line": 3, "message": "age '11' is not a whole number from 12 to 99; not kept"}
    ]


def test_row_ids_let_a_file_without_ids_be_ingested_and_reingested(db, tmp_path):
    path = _csv(tmp_path / "noids.csv", ["label", "extracted_text"], [["3", "one"], ["2", "two"]])
    out = StringIO()
    call_command("ingest", str(path), "--source", "s", "--no-progress", "--json", stdout=out)
    assert json.loads(out.getvalue())["rejected"] == 2
    for expected in ("new", "unchanged"):
        out = StringIO()
        call_command(
            "ingest", str(path), "--source", "s", "--no-progress", "--json", "--row-ids", stdout=out
        )
        data = json.loads(out.getvalue())
        assert data[expected] == 2 and data["unknown_columns"] == ["label"]
    assert set(Ad.objects.values_list("external_id", "body")) == {
        ("noids.csv:2", "one"),
        ("noids.csv:3", "two"),
    }


def _xlsx(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "body", "poster_age"])
    for i in range(rows):
        sheet.append([f"x{i}", f"Synthetic body {i}", 30])
    workbook.save(path)
    return path


class _Recorder:
    def __init__(self) -> None:
        self.total: float | None = None
        self.n = 0.0

    def reset(self, total: float | None = None) -> None:
        self.total, self.n = total, 0

    def update(self, n: float = 1) -> None:
        self.n += n


def test_xlsx_progress_counts_rows_read_against_the_sheets_rows(actors, tmp_path):
    path = _xlsx(tmp_path / "ads.xlsx", 7)
    progress = _Recorder()
    rows = read_file(path, progress=progress)
    first = next(rows)
    assert progress.total == 7 and progress.n == 1
    summary = ads_ingest(source=actors.source_a, rows=[first, *rows])
    assert progress.n == progress.total == 7
    assert summary.new == 7 and summary.facts_kept == {"ages": 7}
    assert Ad.objects.get(external_id="x3").source_facts == {"ages": [30]}


def test_the_ingest_command_shows_xlsx_progress_up_to_100_percent(db, tmp_path):
    path = _xlsx(tmp_path / "ads.xlsx", 5)
    err = StringIO()
    call_command("ingest", str(path), "--source", "x", stdout=StringIO(), stderr=err)
    assert "100%" in err.getvalue() and "5/5" in err.getvalue()


def test_csv_progress_reaches_the_files_size(actors, tmp_path):
    path = _csv(tmp_path / "ads.csv", HEADER, [_row(str(i)) for i in range(20)])
    progress = _Recorder()
    ads_ingest(source=actors.source_a, rows=read_file(path, progress=progress))
    assert progress.n == progress.total == path.stat().st_size


def test_the_ad_page_shows_source_facts_as_stated_and_escaped(actors):
    row = {
        "external_id": "page",
        "body": "Synthetic",
        "age": 27,
        "category": "<script>alert(1)</script>",
    }
    ads_ingest(source=actors.source_a, rows=records_from_payload([row]))
    ad = Ad.objects.get(external_id="page")
    html = (
        actors.client_for("investigator_a").get(reverse("cases:ad", args=[ad.pk])).content.decode()
    )
    assert "Stated by the source" in html
    assert "<dt>Age</dt><dd><bdi>27</bdi></dd>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cells_that_wrap_values_in_lists_or_objects_are_read(actors):
    rows = [
        {
            "external_id": "1",
            "body": "Synthetic",
            "phone": (
                "[{'kind': 'phone', 'name': ['7025550143', '7025550144']}, "
                "{'name': '702.555.0145'}]"
            ),
            "age": "['22']",
            "email": ["kay@example.org", {"value": "Lee@Example.org"}],
        },
        {"external_id": "2", "body": "Synthetic", "phone": "[{'nested': {'deeper': 1}}"},
    ]
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    facts = dict(Ad.objects.values_list("external_id", "source_facts"))
    assert facts["1"] == {
        "ages": [22],
        "phones": ["+17025550143", "+17025550144", "+17025550145"],
        "emails": ["kay@example.org", "lee@example.org"],
    }
    assert facts["2"] == {}
    assert [w["line"] for w in summary.warnings] == [2]


def test_hostile_cells_cost_a_warning_not_the_batch(actors):
    deep = "[" * 5000 + "]" * 5000
    rows = [
        {"external_id": "deep", "body": "Synthetic", "age": deep},
        {"external_id": "big", "body": "Synthetic", "phone": "[" + "9" * 50_000 + "]"},
        {"external_id": "port", "body": "Synthetic", "social": "http://[::1/x"},
        {"external_id": "ok", "body": "Synthetic", "age": "40"},
    ]
    summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert summary.new == 4 and summary.rejected == []
    assert [w["line"] for w in summary.warnings] == [1, 2, 3]
    assert Ad.objects.get(external_id="ok").source_facts == {"ages": [40]}
