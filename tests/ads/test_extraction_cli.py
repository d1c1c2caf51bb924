"""The extract_entities command: JSON lines in, JSON lines out, bad lines reported on stderr."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from ads.extraction.cli import run


def run_lines(lines: list[str], region: str | None = "US") -> tuple[int, list[dict], list[dict]]:
    out, err = io.StringIO(), io.StringIO()
    code = run(io.StringIO("\n".join(lines) + "\n"), out, err, region)
    parse = lambda s: [json.loads(x) for x in s.getvalue().splitlines()]  # noqa: E731
    return code, parse(out), parse(err)


def test_each_input_line_gives_one_output_line_with_every_field() -> None:
    code, out, err = run_lines(
        [
            json.dumps({"id": 1, "text": "call 212-555-0147 $200 hh"}),
            json.dumps({"id": "b", "text": "kandi at gmail dot com"}),
        ]
    )
    assert code == 0 and err == []
    assert [o["id"] for o in out] == [1, "b"]
    assert out[0]["phones"] == ["+12125550147"]
    assert out[0]["prices"][0]["amount"] == 200
    assert out[1]["emails"] == ["kandi@gmail.com"]
    for field in ("phones", "emails", "ages", "prices", "handles", "urls", "names", "emojis"):
        assert field in out[0]
    assert out[0]["spans"][0] == {"kind": "phone", "value": "+12125550147", "start": 5, "end": 17}


def test_line_region_overrides_the_default_region() -> None:
    _, out, _ = run_lines([json.dumps({"id": 1, "text": "020 7946 0958", "region": "GB"})])
    assert out[0]["phones"] == ["+442079460958"]
    _, out, _ = run_lines([json.dumps({"id": 1, "text": "020 7946 0958"})], region="GB")
    assert out[0]["phones"] == ["+442079460958"]
    _, out, _ = run_lines([json.dumps({"id": 1, "text": "020 7946 0958"})], region="US")
    assert out[0]["phones"] == []


def test_malformed_lines_are_reported_and_the_run_goes_on() -> None:
    code, out, err = run_lines(
        [
            "not json",
            json.dumps([1, 2]),
            json.dumps({"id": 3}),
            json.dumps({"id": 4, "text": 5}),
            "",
            json.dumps({"id": 6, "text": "212 555 0147"}),
        ]
    )
    assert code == 0
    assert [o["id"] for o in out] == [6]
    assert [e["line"] for e in err] == [1, 2, 3, 4]
    assert all(e["error"] for e in err)


def test_nothing_readable_is_exit_code_one() -> None:
    code, out, err = run_lines(["garbage", "{"])
    assert code == 1 and out == [] and len(err) == 2


def test_empty_input_is_exit_code_zero() -> None:
    code, out, err = run_lines([])
    assert (code, out, err) == (0, [], [])


def test_management_command_reads_a_file(tmp_path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text(json.dumps({"id": 9, "text": "IG: kandi_x, 19yo"}) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("extract_entities", str(path), "--region", "US", stdout=out, stderr=io.StringIO())
    (line,) = [json.loads(x) for x in out.getvalue().splitlines()]
    assert line["id"] == 9
    assert line["handles"] == ["instagram:kandi_x"]
    assert line["ages"] == [19]
