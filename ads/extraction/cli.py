"""The extract_entities command's work, as a plain function testable without Django.

Input: JSON lines `{"id": ..., "text": "...", "region": "US"?, "url": "..."?}`. Output: one
JSON line per input line with everything `Extraction.to_json` holds, plus "region" and
"region_rule": the country national numbers were read in and the rule that chose it
(region.py: a line's own "region" is rule "line"; otherwise its URL, the --region default as
the source's setting, a country the text names, an international prefix).
A line that cannot be read (not JSON,
not an object, no string "text") writes `{"line": N, "error": "..."}` to the error stream and
the run goes on; blank lines are skipped.

Exit code: 0 when at least one line was extracted, or when the input was empty; 1 when there
were lines but none could be read (a wrong file is an error a script should notice).
"""

from __future__ import annotations

import json
import logging
from typing import IO

from ads.extraction import extract
from ads.extraction.region import resolve_region

logger = logging.getLogger(__name__)


def run(in_stream: IO[str], out_stream: IO[str], err_stream: IO[str], region: str | None) -> int:
    """Extract every JSON line of `in_stream`; `region` is the default for lines without one."""
    read = failed = 0
    for number, line in enumerate(in_stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("a line must be a JSON object")
            text = record.get("text")
            if not isinstance(text, str):
                raise ValueError('"text" must be a string')
            line_region = record.get("region")
            if line_region is not None and not isinstance(line_region, str):
                raise ValueError('"region" must be a string or null')
            url = record.get("url") or ""
            if not isinstance(url, str):
                raise ValueError('"url" must be a string')
            if "region" in record:
                used, rule, fallback = (line_region or "").upper() or None, "line", None
            else:
                choice = resolve_region(url=url, text=text, source=region)
                used, rule, fallback = choice.region, choice.rule, choice.fallback
            result = extract(text, region=used, fallback_region=fallback)
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            failed += 1
            err_stream.write(json.dumps({"line": number, "error": str(exc)}) + "\n")
            continue
        read += 1
        payload = result.to_json(record.get("id"))
        payload["region"], payload["region_rule"] = used, rule
        out_stream.write(json.dumps(payload, ensure_ascii=False) + "\n")
    logger.debug("extract_entities: %d lines extracted, %d rejected", read, failed)
    return 1 if failed and not read else 0
