"""The accessibility gate's tools: axe-core (from the npm registry, node_modules/axe-core,
pinned in package.json) injected into a page by Playwright, the page's sideways scrolling
measured at 320 px and at 200% zoom, and a tally of everything checked.

axe is read from node_modules and added to the page as script content: never from a CDN.
The app's Content-Security-Policy (script-src 'self', rightly) refuses inline script, so the
sweep's browser context bypasses CSP for the test's own script only (bypass_csp=True).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# A failing gate: any violation of these impacts.
BLOCKING = ("serious", "critical")
IMPACTS = ("minor", "moderate", "serious", "critical")
# WCAG 2.0/2.1/2.2 A and AA and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# 320 CSS px wide (WCAG 1.4.10 reflow), and a 1280 px window zoomed to 200% (640 CSS px).
NARROW_WIDTHS = {"320 px": 320, "200% zoom": 640}


SUMMARY_KEY = pytest.StashKey[list[str]]()


@dataclass
class Tally:
    """Every page checked, and every violation found, by impact."""

    pages: list[str] = field(default_factory=list)
    impacts: Counter[str] = field(default_factory=Counter)
    blocking: list[str] = field(default_factory=list)
    sideways: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{impact} {self.impacts[impact]}" for impact in reversed(IMPACTS))
        return (
            f"axe-core accessibility gate: {len(self.pages)} pages checked; violations by impact: {counts}; "
            f"pages scrolling sideways at 320 px or 200% zoom: {len(self.sideways)}"
        )


def axe_source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` (make assets) to install axe-core from package.json.")
    return AXE_JS.read_text(encoding="utf-8")


def _wide_enough(page, label: str) -> str | None:
    """None when the page does not scroll sideways at this width, else what overflows."""
    overflow = page.evaluate(
        """() => {
            const root = document.documentElement;
            if (root.scrollWidth <= root.clientWidth) return null;
            const wide = [...document.querySelectorAll('body *')]
              .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
              .slice(0, 3)
              .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                         (typeof el.className === 'string' && el.className
                           ? '.' + el.className.split(' ').join('.') : ''));
            return `${root.scrollWidth}px > ${root.clientWidth}px (${wide.join(', ')})`;
        }"""
    )
    return f"{label}: {overflow}" if overflow else None


def check_page(page, name: str, tally: Tally, *, source: str) -> None:
    """Run axe on the page as it is now, then measure its width at 320 px and 200% zoom."""
    page.add_script_tag(content=source)
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})); }",
        AXE_TAGS,
    )
    tally.pages.append(name)
    for violation in result:
        impact = violation["impact"] or "minor"
        tally.impacts[impact] += len(violation["nodes"])
        if impact in BLOCKING:
            for node in violation["nodes"]:
                tally.blocking.append(
                    f"{name} [{impact}] {violation['id']}: {violation['help']} at {node['target']}"
                    f" — {(node['summary'] or '').splitlines()[-1].strip()}"
                )
    size = page.viewport_size
    for label, width in NARROW_WIDTHS.items():
        page.set_viewport_size({"width": width, "height": size["height"]})
        problem = _wide_enough(page, label)
        if problem:
            tally.sideways.append(f"{name} {problem}")
    page.set_viewport_size(size)


def report(tally: Tally, config, artifacts: Path) -> None:
    """The totals in test-artifacts/axe-summary.json, and on CI's log: kept for the end of
    the run (tests/e2e/conftest.py prints them in pytest's terminal summary)."""
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "axe-summary.json").write_text(
        json.dumps(
            {
                "pages": tally.pages,
                "violations_by_impact": {impact: tally.impacts[impact] for impact in IMPACTS},
                "blocking": tally.blocking,
                "sideways": tally.sideways,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    config.stash.setdefault(SUMMARY_KEY, []).extend([tally.summary(), *tally.blocking, *tally.sideways])
