"""Benchmark: "Record results" by a CSV upload of 50,000 rows through a real `clientocracy serve` process.

    python -m bench.bench_results_upload [--rows 50000] [--stores sqlite,postgres] [--rounds 1] [--json]

For each store kind, on a fresh store: a team, its lead, a metric and a started two-arm experiment; the lead signs
in through /login as a browser does, and the file (``arm,value`` rows under a header, under 1 MiB) is posted to
``/experiments/{key}/results`` as the page's form posts it: parsed, validated, judged and recorded in one
transaction through the one command path. Reported: the upload's wall time from the request to the page's 303
(every row in the store and this server's views caught up), rows per second, the file's size, and the experiment
page loaded right after (its 50,000 observations aggregated by the views). Each round uses a new experiment of
the same store, so a later round uploads into a store that already holds the earlier ones.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.api_client import cpu_seconds, seed, serving
from bench.bench_common import fresh_store, report

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
UPLOAD_KEY = re.compile(r'name="upload_key" value="([^"]+)"')  # the form's one-time key (web.upload_keys)


def results_file(rows: int) -> bytes:
    """``rows`` observations of two arms under a header, values with one decimal (about 15 bytes a row)."""
    lines = ["arm,value"] + [f"{('control', 'treatment')[i % 2]},{80 + (i * 7919) % 200 / 10}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def experiment(key: str) -> list[dict[str, Any]]:
    return [{"type": "ProposeExperiment", "experiment": key, "team": "kitchen", "hypothesis": "Warmer plates",
             "metric": "ontime", "design": "ab", "at": "2025-12-02T00:00:00Z"},
            {"type": "StartExperiment", "experiment": key, "at": "2025-12-03T00:00:00Z"}]


def upload_round(base: str, token: str, key: str, data: bytes, rows: int) -> dict[str, float]:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=600) as http:
        login = CSRF.search(http.get("/login").text)
        assert login, "no csrf_token on /login"
        assert http.post("/login", data={"token": token, "csrf_token": login.group(1), "next": "/"}).status_code == 303
        form = http.get(f"/experiments/{key}").text
        found, once = CSRF.search(form), UPLOAD_KEY.search(form)
        assert found and once, "no csrf_token or upload_key on the experiment page"
        started = time.perf_counter()
        answer = http.post(f"/experiments/{key}/results", data={"csrf_token": found.group(1),
                                                                 "upload_key": once.group(1)},
                           files={"file": ("results.csv", data, "text/csv")})
        upload = time.perf_counter() - started
        assert answer.status_code == 303, answer.text[-2000:]
        started = time.perf_counter()
        shown = http.get(f"/experiments/{key}")
        page = time.perf_counter() - started
        assert shown.status_code == 200 and f">{rows // 2}<" in shown.text, "the page does not count them"
    return {"upload_s": upload, "page_after_s": page}


def bench(kind: str, rows: int, rounds: int, workdir: Path) -> list[dict[str, Any]]:
    data = results_file(rows)
    keys = [f"upload-{n}" for n in range(rounds)]
    found = []
    with fresh_store(kind, workdir, "upload") as url:
        token = seed(url, [line for key in keys for line in experiment(key)])
        with serving(url, workdir / f"views-{kind}.duckdb", workdir / f"server-{kind}.log") as (base, pid):
            for key in keys:
                before = cpu_seconds(pid)
                timing = upload_round(base, token, key, data, rows)
                found.append({"store": kind, "rows": rows, "file_bytes": len(data), **timing,
                              "server_cpu_s": cpu_seconds(pid) - before,  # the upload and the page after
                              "rows_per_s": rows / timing["upload_s"], "load_avg_1m": os.getloadavg()[0]})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory() as tmp:
        rows = [row for kind in args.stores.split(",") for row in bench(kind, args.rows, args.rounds, Path(tmp))]
    report(f"POST /experiments/{{key}}/results: a CSV of {args.rows:,} rows in one transaction", rows, args.json)


if __name__ == "__main__":
    main()
