"""The benchmark's smoke mode (tiny data, a few samples of everything) runs end to end, so the harness can't rot.

It runs `python -m bench --smoke` as a subprocess (the benchmark starts bot processes and its own event loop)
and checks the results it writes, not the numbers: targets are for the full run on a quiet machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(240)
def test_bench_smoke_runs_every_phase(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (out / "results.md").read_text(encoding="utf-8").startswith("# peerbot benchmark results")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    full = results["full"]

    measured = {f["family"]: f for f in full["families"] if f.get("stats")}
    assert {"help", "crisis"} <= set(measured), full["families"]
    for family in full["families"]:
        assert family.get("stats") or family.get("reason"), family
    for key in ("help", "crisis"):
        stats = measured[key]["stats"]
        assert stats["errors"] == {}, stats
        assert stats["latency"]["n"] == stats["samples"] > 0
        assert stats["bot_internal"]["n"] == stats["samples"]
        assert measured[key]["ratio_p99"] is not None

    assert full["startup"]["serving_s"] > 0
    assert full["scheduler"]["delivered"] == full["scheduler"]["reminders"] > 0
    assert full["throughput"]["peerbot"]["answered"] > 0
    assert full["memory_kb"]["VmHWM"] > 0
    assert full["locked_crisis"]["latency"]["n"] > 0
    assert results["small"]["families"], "the growth run measured nothing"
    assert {t["verdict"] for t in results["targets"]} <= {"PASS", "MISS", "n/a"}
    assert full["bot_exit_status"] == 0
