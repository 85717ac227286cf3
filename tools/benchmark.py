"""Print the course's performance figures (run with ``make bench``).

Book build:
  * clean build time (every chapter executed, empty cache),
  * unchanged-rebuild time (same output folder, nothing changed),
  * execution time of each chapter, as recorded in the execution cache.

Widgets (``actgrad.widgets.precomputed_figure``): the Python time of each state,
i.e. what a kernel callback redrawing the figure would cost, measured during the
clean build (an IPython startup file in a temporary IPYTHONDIR wraps
``render_states`` and logs every state's seconds); per widget the median and
the maximum, against a target of 50 ms. On the site a move costs no Python at
all: the browser switches to a stored image, and that switch is timed too.

Site, in headless Chromium (Debian's /usr/bin/chromium) on loopback:
  * page weight: the HTML plus every file of the site it loads (kB, from the
    built files, by kind), and split into the page's own bytes and the shared
    ones. Own: the page's HTML file (which holds its widgets' pictures, inline
    in the saved widget state) and every other file it loads from outside
    _static/ (its figures in _images/). Shared: every file under _static/ (the
    theme's styles, scripts and fonts, MathJax, require.js, the widget
    manager), the same for every page, which the browser caches after the
    first page a reader opens,
  * load time: navigation start to the load event and to "ready" (load event
    fired, every formula typeset by MathJax, every widget rendered), median of
    3 cold loads,
  * accessibility: the violations axe-core (vendored, tools/axe_audit.py)
    finds once the page is ready, counted as offending elements per impact
    (critical, serious, moderate, minor).

Everything is built in a temporary folder; nothing in the repository changes.
``--html DIR`` measures an already built site (e.g. _build/html) instead and
skips the build figures. These are measurements to read, not pass/fail tests.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

import axe_audit  # tools/ is on sys.path: it holds this script
from figure_widgets import mark_figure_widgets

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOADS = 3
#: Python time per widget state above which a kernel callback would feel sluggish.
CALLBACK_TARGET = 0.050

# IPython startup file for the clean build's kernels: log the render time of
# every state of every precomputed figure (one JSON line per figure).
WIDGET_TIMER = """
import json as _json, os as _os

try:
    import actgrad.widgets.precomputed as _precomputed

    def _timed_render_states(render, controls, _inner=_precomputed.render_states, **options):
        states = _inner(render, controls, **options)
        names = [control.description for control in _precomputed._normalise(controls).values()]
        with open(_os.environ["ACTGRAD_WIDGET_TIMES"], "a") as _log:
            _log.write(_json.dumps({"render": getattr(render, "__module__", "?") + "."
                                    + getattr(render, "__qualname__", "?"),
                                    "controls": names, "seconds": list(states.seconds)}) + "\\n")
        return states

    _precomputed.render_states = _timed_render_states
except Exception as _error:  # never break a chapter for a benchmark
    print("widget timer not installed:", _error)
"""

# Runs in every page before its own scripts: records, in ms since navigation
# start, when the page is "ready": load event fired, every formula typeset,
# every widget view rendered with its images loaded.
READY_JS = """
(() => {
  const check = () => {
    if (document.readyState !== 'complete') return false;
    const maths = document.querySelectorAll('.math').length;
    if (maths && document.querySelectorAll('.math mjx-container, mjx-container.MathJax').length < maths)
      return false;
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    if (![...views].every(s => s.parentElement.querySelector('.jupyter-widgets'))) return false;
    return [...document.images].every(i => i.complete);
  };
  const timer = setInterval(() => {
    if (check()) { window.__benchReady = performance.now(); clearInterval(timer); }
  }, 5);
})();
"""

# Switches a figure widget's first control in the page and times, with
# requestAnimationFrame, how long until another image is shown (ms), or null.
SWITCH_JS = """async ([root, forward]) => {
  const shown = () => [...root.querySelectorAll('img')].find(i => i.getBoundingClientRect().width > 0);
  const control = root.querySelector('.widget-slider, .widget-toggle-buttons, .widget-dropdown');
  const before = shown() && shown().src;
  const start = performance.now();
  if (control.classList.contains('widget-slider')) {
    control.querySelector('.noUi-handle').dispatchEvent(new KeyboardEvent('keydown',
      {key: forward ? 'ArrowRight' : 'ArrowLeft', bubbles: true, cancelable: true}));
  } else if (control.classList.contains('widget-toggle-buttons')) {
    const buttons = [...control.querySelectorAll('button')];
    const active = buttons.findIndex(b => b.classList.contains('mod-active'));
    buttons[(active + 1) % buttons.length].click();
  } else {
    const select = control.querySelector('select');
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event('change', {bubbles: true}));
  }
  while (performance.now() - start < 5000) {
    await new Promise(requestAnimationFrame);
    const now = shown();
    if (now && now.src !== before && now.complete) return performance.now() - start;
  }
  return null;
}"""
KINDS = {".html": "html", ".js": "scripts", ".css": "styles", ".woff": "fonts", ".woff2": "fonts",
         ".ttf": "fonts", ".otf": "fonts", ".eot": "fonts", ".png": "images", ".jpg": "images",
         ".jpeg": "images", ".svg": "images", ".gif": "images", ".ico": "images"}


def timed_build(output: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"), "--output",
                    str(output)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def widget_timer_env(folder: Path) -> tuple[dict[str, str], Path]:
    """Environment whose IPython kernels log every precomputed figure's state times."""
    startup = folder / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-actgrad-widget-timer.py").write_text(WIDGET_TIMER)
    log = folder / "widget-times.jsonl"
    env = dict(os.environ, IPYTHONDIR=str(folder / "ipython"), ACTGRAD_WIDGET_TIMES=str(log))
    env.pop("MPLBACKEND", None)
    return env, log


def chapter_execution_seconds(output: Path) -> dict[str, float]:
    """Seconds each executed notebook took, from jupyter-cache's records."""
    from jupyter_cache import get_cache

    cache = get_cache(output / "_build" / ".jupyter_cache")
    return {Path(record.uri).relative_to(ROOT).as_posix(): record.data["execution_seconds"]
            for record in cache.list_cache_records()}


def page_names(html: Path) -> list[str]:
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if "_static" not in p.parts and p.name not in {"genindex.html", "search.html"})


def widget_pages(html: Path, records: list[dict]) -> list[str]:
    """The page showing each logged widget, found by its control descriptions in the saved state."""
    import html as html_escape

    texts = {name: (html / name).read_text(encoding="utf-8") for name in page_names(html)}
    found = []
    for record in records:
        labels = [json.dumps(html_escape.escape(d))[1:-1] for d in record["controls"]]
        pages = [name for name, text in texts.items() if all(label in text for label in labels)]
        found.append(", ".join(pages) or "?")
    return found


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def measure_site(html: Path) -> dict[str, dict]:
    """Weight, load times and client-side widget switch times of every page."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    results: dict[str, dict] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name in page_names(html):
                results[name] = measure_page(browser, base, name, html)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def measure_page(browser, base: str, name: str, html: Path) -> dict:
    loads, ready, weight, switches, outside = [], [], defaultdict(int), [], set()
    own, shared, axe = 0, 0, {}
    for attempt in range(LOADS):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.add_init_script(READY_JS)
        urls: list[str] = []
        page.on("response", lambda response, urls=urls: urls.append(response.url))
        page.goto(base + name, wait_until="load", timeout=120_000)
        page.wait_for_function("() => window.__benchReady !== undefined", timeout=120_000)
        ready.append(page.evaluate("() => window.__benchReady"))
        loads.append(page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd"))
        if attempt == 0:
            page.wait_for_load_state("networkidle")
            for url in dict.fromkeys(urls):
                parts = urlsplit(url)
                if not url.startswith(base):
                    outside.add(url) if not url.startswith(("data:", "blob:")) else None
                    continue
                target = html / unquote(parts.path.lstrip("/"))
                if target.is_dir():
                    target = target / "index.html"
                if target.is_file():
                    size = target.stat().st_size
                    weight[KINDS.get(target.suffix.lower(), "other")] += size
                    if target.relative_to(html).parts[0] == "_static":
                        shared += size
                    else:
                        own += size
            axe = axe_audit.count_by_impact(axe_audit.audit(page))
            for index in range(mark_figure_widgets(page, "data-bench-widget")):
                root = page.locator(f"[data-bench-widget='{index}']").element_handle()
                times = [page.evaluate(SWITCH_JS, [root, step % 2 == 0]) for step in range(6)]
                switches.append([t for t in times if t is not None])
        context.close()
    return {"weight": dict(weight), "load": statistics.median(loads), "ready": statistics.median(ready),
            "switches": switches, "outside": sorted(outside), "own": own, "shared": shared, "axe": axe}


def print_build(clean: float, unchanged: float, chapters: dict[str, float]) -> None:
    print("Book build (2 cores):")
    print(f"  clean build, every chapter executed   {clean:8.1f} s")
    print(f"  unchanged rebuild                     {unchanged:8.1f} s")
    print("  execution time per chapter:")
    for name, seconds in sorted(chapters.items(), key=lambda item: -item[1]):
        print(f"    {name:<40} {seconds:8.2f} s")
    print(f"    {'total':<40} {sum(chapters.values()):8.2f} s")


def print_widgets(records: list[dict], pages: list[str]) -> None:
    print(f"\nWidget callbacks: Python time per state (target < {CALLBACK_TARGET * 1000:.0f} ms)")
    print("  Each state is rendered once, at build time; on the site and in JupyterLab a")
    print("  control move only switches images in the browser (0 ms of Python, see below).")
    print(f"    {'widget (page)':<58} {'states':>6} {'median':>8} {'max':>8} {'total':>8}")
    for record, page in zip(records, pages, strict=True):
        seconds = record["seconds"]
        label = f"{record['render'].split('.')[-1]} ({page})"
        flag = "  over target" if max(seconds) > CALLBACK_TARGET else ""
        print(f"    {label:<58} {len(seconds):>6} {statistics.median(seconds) * 1000:>6.1f}ms"
              f" {max(seconds) * 1000:>6.1f}ms {sum(seconds):>7.2f}s{flag}")


def print_site(site: dict[str, dict]) -> None:
    kinds = ["html", "scripts", "styles", "fonts", "images", "other"]
    print(f"\nSite pages in headless Chromium (cold loads, median of {LOADS})")
    print(f"    {'page':<40}" + "".join(f"{k:>9}" for k in kinds)
          + f"{'total':>9}  {'load':>7} {'ready':>7}")
    print(f"    {'':<40}" + "".join(f"{'kB':>9}" for _ in kinds) + f"{'kB':>9}  {'ms':>7} {'ms':>7}")
    for name, figures in site.items():
        weight = figures["weight"]
        print(f"    {name:<40}" + "".join(f"{weight.get(k, 0) / 1000:>9.0f}" for k in kinds)
              + f"{sum(weight.values()) / 1000:>9.0f}  {figures['load']:>7.0f} {figures['ready']:>7.0f}")
        for url in figures["outside"]:
            print(f"      loaded from outside the site: {url}")
    print(f"\n  Page weight, time until ready and axe-core {axe_audit.axe_version()} violations (offending")
    print("  elements per impact). Own kB: the HTML (with its widgets' pictures inline) and the files")
    print("  it loads from outside _static/ (its figures); shared kB: _static/ (theme, MathJax,")
    print("  widget manager), which the browser caches after the first page.")
    impacts = axe_audit.IMPACTS
    print(f"    {'page':<40}{'own kB':>9}{'shared kB':>11}{'ready ms':>10}  "
          + " ".join(f"{i:>8}" for i in impacts))
    for name, figures in site.items():
        print(f"    {name:<40}{figures['own'] / 1000:>9.0f}{figures['shared'] / 1000:>11.0f}"
              f"{figures['ready']:>10.0f}  " + " ".join(f"{figures['axe'].get(i, 0):>8}" for i in impacts))
    totals = {i: sum(f["axe"].get(i, 0) for f in site.values()) for i in impacts}
    print(f"    {'all pages':<40}{'':>9}{'':>11}{'':>10}  " + " ".join(f"{totals[i]:>8}" for i in impacts))
    print("\n  Widget control moves on the site (key press or click to the new image shown, ms):")
    for name, figures in site.items():
        for index, times in enumerate(figures["switches"]):
            if times:
                print(f"    {name:<40} widget {index}: median {statistics.median(times):6.1f} ms,"
                      f" max {max(times):6.1f} ms over {len(times)} moves")
            else:
                print(f"    {name:<40} widget {index}: the image did not switch")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", type=Path, help="measure this built site only (no build figures)")
    args = parser.parse_args()
    if args.html is not None:
        if not CHROMIUM.exists():
            sys.exit(f"error: no {CHROMIUM}: `make system` installs it")
        print_site(measure_site(args.html.resolve()))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "book"
        env, log = widget_timer_env(Path(folder))
        clean = timed_build(output, env)
        unchanged = timed_build(output, env)
        chapters = chapter_execution_seconds(output)
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        html = output / "_build" / "html"
        pages = widget_pages(html, records)
        site = measure_site(html) if CHROMIUM.exists() else None
    print_build(clean, unchanged, chapters)
    print_widgets(records, pages)
    if site is None:
        print(f"\n(no {CHROMIUM}: `make system` installs it; the site figures were skipped)")
    else:
        print_site(site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
