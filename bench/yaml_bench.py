"""Time and peak memory of refusing a 1 KB alias bomb ("billion laughs") configuration.

Run with ``make bench``. Prints the figures for the loader alone (in this process, peak
traced Python memory) and for the whole command line (a fresh ``main.py --explain``
process, peak resident memory of that process).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Nine levels of ten aliases each: 10**9 values once expanded.
BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
) + "\nmodel_servers: *a8\n"


def loader_figures(path: Path) -> tuple[float, float, str]:
    from cli.config_file import load_config
    from constructs_lib import ConfigError

    tracemalloc.start()
    started = time.perf_counter()
    try:
        load_config(str(path))
        outcome = "accepted (unexpected)"
    except ConfigError as error:
        outcome = error.problems[0].render()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20, outcome


def cli_figures(path: Path) -> tuple[float, float, int]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(path), "--explain"],
                            capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024, result.returncode


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bomb.yaml"
        path.write_text(BOMB)
        seconds, mib, outcome = loader_figures(path)
        cli_seconds, cli_mib, code = cli_figures(path)
    print(f"alias bomb: {len(BOMB)} bytes, 10^9 values once expanded")
    print(f"  loader:   {seconds * 1000:8.1f} ms  {mib:8.2f} MiB peak traced Python memory")
    print(f"  main.py:  {cli_seconds * 1000:8.1f} ms  {cli_mib:8.1f} MiB peak resident (whole process, "
          f"interpreter and imports included), exit {code}")
    print(f"  error:    {outcome}")
    return 0 if code == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
