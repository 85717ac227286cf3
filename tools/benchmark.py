"""Print the course's performance figures (run with ``make bench``).

Book build:
  * clean build time (every chapter executed, empty cache),
  * unchanged-rebuild time (same output folder, nothing changed),
  * execution time of each chapter, as recorded in the execution cache.

Everything is built in a temporary folder; nothing in the repository changes.
These are measurements to read, not pass/fail tests.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_build(output: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"), "--output",
                    str(output)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def chapter_execution_seconds(output: Path) -> dict[str, float]:
    """Seconds each executed notebook took, from jupyter-cache's records."""
    from jupyter_cache import get_cache

    cache = get_cache(output / "_build" / ".jupyter_cache")
    return {Path(record.uri).relative_to(ROOT).as_posix(): record.data["execution_seconds"]
            for record in cache.list_cache_records()}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder)
        clean = timed_build(output)
        unchanged = timed_build(output)
        chapters = chapter_execution_seconds(output)
    print("Book build (2 cores):")
    print(f"  clean build, every chapter executed   {clean:8.1f} s")
    print(f"  unchanged rebuild                     {unchanged:8.1f} s")
    print("  execution time per chapter:")
    for name, seconds in sorted(chapters.items(), key=lambda item: -item[1]):
        print(f"    {name:<40} {seconds:8.2f} s")
    print(f"    {'total':<40} {sum(chapters.values()):8.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
