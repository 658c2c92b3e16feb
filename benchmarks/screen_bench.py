"""Screening throughput on one core: ``python benchmarks/screen_bench.py`` from the repo root.

Generates 10,000 varied valid facts documents (seeded, so every run screens the same
ones) from the golden cases, screens them one after another in this one process,
and prints documents per CPU-second (``time.process_time``: the noise of other processes
on a shared machine does not count) and peak memory. The target is at least 20,000
documents per CPU-second on one core (issue 13), validation included and the full result
built; the figures are informative, so the script exits 0 either way. ``make bench``
(benchmarks/bench.py) prints the same figure, measured by :func:`measure` here.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from screening.engine import screen  # noqa: E402  (needs the repo root on sys.path)

GOLDEN = REPO_ROOT / "tests" / "data" / "golden.json"
TARGET_PER_SECOND = 20_000  # documents per CPU-second, one core (issue 13)
MEDICATIONS = [
    "Sertraline 100 mg", "Lexapro 10 mg", "Xanax 1mg", "Adderall XR 20 mg", "bupropion HCl XL 300mg",
    "Lamotrigine 100 mg", "hydrocodone/acetaminophen 5/325", "amlodipine 5 mg + tramadol 50 mg",
    "Theophylline 300 mg ER", "Sudafed", "metformin ER 500 mg", "Zorblatex", "levothyroxine 75 mcg",
    "Zoloft (sertraline)", "quetiapine 50 mg qhs", "Vyvanse 30 mg",
]  # fmt: skip
TRI = ["yes", "no", "no", "no", "unknown"]


def vary(base: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid variation of a golden document."""
    doc = copy.deepcopy(base)
    assessed = date(2026, 11, 20) - timedelta(days=rng.randint(0, 2000))
    doc["assessment_date"] = assessed.isoformat()

    def before(days: int) -> str:
        return (assessed - timedelta(days=days)).isoformat()

    patient = doc.get("patient") or {}
    patient.update(
        date_of_birth=before(rng.randint(16 * 365, 90 * 365)),
        weight_kg=rng.choice([None, rng.randint(45, 160), round(rng.uniform(45, 160), 1)]),
        height_cm=rng.randint(150, 200),
    )
    doc["patient"] = patient
    vitals = doc.get("vitals") or {}
    vitals.update(
        bp_systolic=rng.randint(95, 200),
        bp_diastolic=rng.randint(55, 125),
        bp_source=rng.choice(["measured", "measured", "self_reported"]),
        bp_date=before(rng.randint(0, 45)),
    )
    doc["vitals"] = vitals
    medical = doc.get("medical") or {}
    for key in ("aneurysm", "glaucoma", "sleep_apnea", "hypertension_diagnosed", "lung_disease"):
        medical[key] = rng.choice(TRI)
    if medical.get("cardiovascular_event") == "yes" or rng.random() < 0.1:
        medical["cardiovascular_event"] = "yes"
        medical["cardiovascular_event_date"] = before(rng.randint(0, 900))
    doc["medical"] = medical
    instruments = doc.get("instruments") or {}
    instruments["phq9"] = [rng.randint(0, 3) for _ in range(8)] + [rng.choice([0] * 8 + [1, None])]
    instruments["gad7"] = [rng.randint(0, 3) for _ in range(7)]
    instruments["auditc"] = [rng.randint(0, 2) for _ in range(3)]
    instruments["dast10"] = [rng.choice(["no", "no", "no", "yes"]) for _ in range(10)]
    instruments["cssrs"] = {"q1": rng.choice(["no", "no", "yes"]), "q2": "no", "q6": rng.choice(["no", "no", None])}
    doc["instruments"] = instruments
    doc["routes"] = rng.choice([["esketamine"], ["ketamine"], ["esketamine", "ketamine"], None])
    doc["medications"] = [{"name": name} for name in rng.sample(MEDICATIONS, rng.randint(0, 4))]
    return doc


def generate(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    bases = [case["facts"] for case in json.loads(GOLDEN.read_text(encoding="utf-8"))]
    return [vary(rng.choice(bases), rng) for _ in range(count)]


def measure(documents: list[dict[str, Any]]) -> tuple[float, float, dict[str, int]]:
    """Screen every document once: (CPU seconds, documents per CPU-second, outcomes counted).

    The first document is screened once before the clock starts, to warm the caches as a
    running service would be. CPU time of this process (``time.process_time``), not wall time.
    """
    screen(documents[0])
    overall: dict[str, int] = {}
    started = time.process_time()
    for doc in documents:
        result = screen(doc)
        overall[result["overall"]] = overall.get(result["overall"], 0) + 1
    elapsed = time.process_time() - started
    return elapsed, len(documents) / elapsed, overall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    documents = generate(args.count, args.seed)
    elapsed, per_second, overall = measure(documents)

    # Peak memory of screening alone (traced separately: tracing slows the timed run).
    tracemalloc.start()
    for doc in documents[:2000]:
        screen(doc)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    print(f"documents: {len(documents)} (seed {args.seed}), one core")
    print(
        f"CPU time: {elapsed:.3f} s  ->  {per_second:,.0f} documents per CPU-second (target >= {TARGET_PER_SECOND:,})"
    )
    print(f"peak memory while screening (tracemalloc): {traced_peak / 1024:,.0f} KiB")
    print(f"peak resident set of the process (incl. the {len(documents)} documents): {max_rss_kib / 1024:,.1f} MiB")
    print("outcomes: " + ", ".join(f"{level} {n}" for level, n in sorted(overall.items(), key=lambda kv: -kv[1])))
    if per_second < TARGET_PER_SECOND:
        print(f"below the target of {TARGET_PER_SECOND:,} documents per CPU-second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
