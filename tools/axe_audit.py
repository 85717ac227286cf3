"""Run axe-core on a page open in Playwright and summarise what it finds.

axe-core is vendored from npm (``package-lock.json``) by tools/vendor_assets.py
into ``_vendor/axe-core/axe.min.js``, which the site never publishes or loads:
only tests/test_accessibility.py and tools/benchmark.py inject it into a page
they have opened. Every rule axe runs by default is run (WCAG 2.0-2.2 A and
AA, and its best practices such as ``region``); axe reports only what it can
check in the rendered page, so this is a floor, not a certificate.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AXE_SCRIPT = ROOT / "_vendor" / "axe-core" / "axe.min.js"
IMPACTS = ("critical", "serious", "moderate", "minor")
#: Impacts that fail tests/test_accessibility.py.
FAILING = ("critical", "serious")

# Runs axe on the whole document and keeps, for each violated rule, its id,
# impact, help text and every offending node's target selector and HTML.
RUN_AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300)})),
  }));
}"""


def axe_version() -> str:
    """The vendored axe-core's version, from _vendor/versions.json."""
    versions = json.loads((AXE_SCRIPT.parent.parent / "versions.json").read_text())
    return versions["axe-core"]


def audit(page: Any) -> list[dict]:
    """Inject axe-core into the Playwright ``page`` and return its violations.

    Each violation is a dict with ``id`` (the rule), ``impact``, ``help`` and
    ``nodes`` (each with ``target``, a CSS selector, and ``html``).
    """
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `make vendor`")
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(RUN_AXE_JS)


def count_by_impact(violations: list[dict]) -> dict[str, int]:
    """Offending nodes per impact (a rule failing on three elements counts three)."""
    counts: Counter[str] = Counter()
    for violation in violations:
        counts[violation["impact"] or "minor"] += len(violation["nodes"])
    return {impact: counts.get(impact, 0) for impact in IMPACTS}


def is_widget_node(node: dict) -> bool:
    """Whether an offending node belongs to a widget (rendered by the ipywidgets html-manager)."""
    return any(mark in node["target"] + node["html"] for mark in ("widget-", "jupyter-widgets", "noUi-"))


def origin(violation: dict, node: dict) -> str:
    """Where an offending node comes from: a widget, a static figure or the page."""
    if is_widget_node(node):
        return "widget"
    if violation["id"] == "image-alt" and node["html"].startswith("<img"):
        return "static figure"
    return "page"


def describe(violations: list[dict], impacts: tuple[str, ...] = FAILING) -> list[str]:
    """One line per violated rule of the given impacts: rule, impact, count, origin, an example."""
    lines = []
    for violation in violations:
        if violation["impact"] not in impacts:
            continue
        origins = Counter(origin(violation, node) for node in violation["nodes"])
        where = ", ".join(f"{count} {name}" for name, count in sorted(origins.items()))
        example = violation["nodes"][0]
        lines.append(f"{violation['id']} ({violation['impact']}): {len(violation['nodes'])} nodes"
                     f" [{where}]; e.g. {example['target']}: {example['html'][:160]}")
    return lines
