"""Synth speed and memory against the floor every cdktf app pays (``floor_app.py``): lazy vs
naive provider loading, each shipped configuration, the first synth after a fresh install,
the slow path when the provider cache is unusable, scaling with app size, the test suite.

Run with ``make bench``. Prints a table and writes ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    wall_s: float
    peak_python_mib: float
    peak_node_mib: float
    peak_total_mib: float


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # the process has just exited
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _rss_mib(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20
    except OSError:
        return 0.0


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def measure(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall time and peak resident memory of a process tree, sampled every 20 ms."""
    peaks = {"python": 0.0, "node": 0.0, "total": 0.0}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, stack = [], [process.pid]
            while stack:
                pid = stack.pop()
                tree.append(pid)
                stack += _children(pid)
            by_kind = {"python": 0.0, "node": 0.0}
            for pid in tree:
                kind = "node" if _comm(pid).startswith("node") else "python"
                by_kind[kind] += _rss_mib(pid)
            for kind, value in by_kind.items():
                peaks[kind] = max(peaks[kind], value)
            peaks["total"] = max(peaks["total"], sum(by_kind.values()))
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed: {stderr.decode()[-2000:]}")
    return Run(wall, peaks["python"], peaks["node"], peaks["total"])


def summarize(runs: list[Run]) -> dict[str, float]:
    walls = [run.wall_s for run in runs]
    return {
        "median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
        "peak_python_mib": max(run.peak_python_mib for run in runs),
        "peak_node_mib": max(run.peak_node_mib for run in runs),
        "peak_total_mib": max(run.peak_total_mib for run in runs),
    }


def beside_floor(command: list[str], floor: list[str], env: dict[str, str],
                 runs: int) -> tuple[list[Run], list[Run]]:
    """``command`` and the floor, alternating: a ratio is taken against floor runs made
    beside it, since this machine's speed drifts by a quarter within minutes."""
    own, floors = [], []
    for _ in range(runs):
        floors.append(measure(floor, env))
        own.append(measure(command, env))
    return own, floors


def ratio_to(floors: list[Run], runs: list[Run]) -> dict[str, float]:
    floor_s = statistics.median(run.wall_s for run in floors)
    return {"floor_s": floor_s, "to_floor": statistics.median(run.wall_s for run in runs) / floor_s}


def scaled_config(servers: int) -> dict:
    """An app with ``servers`` model servers, each with its own base model, two adapters and
    their InferenceModels, behind one gateway: one pool per base model, told apart by the
    body-based router."""
    return {
        "model_servers": [{
            "name": f"vllm-{index}",
            "model": f"org/base-model-{index}",
            "adapters_config_map": f"vllm-{index}-adapters",
            "adapters": [{"id": f"adapter-{index}-a", "source": "org/a"},
                         {"id": f"adapter-{index}-b", "source": "org/b"}],
        } for index in range(servers)],
    }


def resources_written(outdir: Path) -> int:
    total = 0
    for path in outdir.glob("stacks/*/cdk.tf.json"):
        body = json.loads(path.read_text())
        total += sum(len(items) for items in body.get("resource", {}).values())
        total += len(body.get("module", {}))
    return total


def fresh_install(synth: list[str], env: dict[str, str], scratch: Path, runs: int) -> dict:
    """A machine that has just run ``make install``: empty caches (ours and jsii's, in
    ``scratch``), then the warm-up, then the first synth beside warm ones. Also a synth
    without the warm-up, and the slow path: a provider cache that cannot be written."""
    caches = scratch / "caches"
    fresh = {**env, "GKE_INFERENCE_GATEWAY_CDKTF_CACHE": str(caches / "ours"),
             "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(caches / "jsii")}
    cold = measure(synth, fresh)  # no warm-up at all: what 'make install' used to leave
    shutil.rmtree(caches)
    warm_up = measure([PYTHON, "-m", "cli.warm_up"], fresh)
    first = measure(synth, fresh)
    warm = [measure(synth, fresh) for _ in range(runs)]
    blocker = scratch / "not-a-directory"
    blocker.write_text("")
    unusable = {**fresh, "GKE_INFERENCE_GATEWAY_CDKTF_CACHE": str(blocker / "cache")}
    measure(synth, unusable)  # jsii extracts the original tarballs once
    slow = [measure(synth, unusable) for _ in range(runs)]
    summary = {"cold_first_synth": summarize([cold]), "warm_up": summarize([warm_up]),
               "first_synth": summarize([first]), "warm_synth": summarize(warm),
               "unusable_cache": summarize(slow)}
    summary["first_to_warm"] = first.wall_s / summary["warm_synth"]["median_s"]
    summary["slow_to_warm"] = summary["unusable_cache"]["median_s"] / summary["warm_synth"]["median_s"]
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    results: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                 "python": platform.python_version(), "processor": platform.machine()}}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "cdktf.out"
        synth = [PYTHON, "main.py", "--quiet", "--outdir", str(out)]
        naive = [PYTHON, "bench/naive_main.py", "--quiet", "--outdir", str(out)]
        floor = [PYTHON, "bench/floor_app.py", str(Path(scratch) / "floor.out")]
        measure(synth, env)  # warm the jsii package cache and the OS file cache
        measure(floor, env)
        lazy_runs, floor_runs = [], []
        for _ in range(args.runs):  # alternating, so both see the same machine
            floor_runs.append(measure(floor, env))
            lazy_runs.append(measure(synth, env))
        naive_runs = [measure(naive, env) for _ in range(args.runs)]
        results["floor"] = summarize(floor_runs)
        floor_s = results["floor"]["median_s"]
        examples = {}
        for config in sorted(ROOT.glob("config*.example.yaml")):
            runs, floors = beside_floor(synth + ["--config", str(config)], floor, env, args.runs)
            examples[config.name] = summarize(runs) | ratio_to(floors, runs)
        results["examples"] = examples
        results["default_synth"] = {"lazy": summarize(lazy_runs), "naive": summarize(naive_runs)}
        results["default_synth"]["speedup"] = (results["default_synth"]["naive"]["median_s"]
                                               / results["default_synth"]["lazy"]["median_s"])
        results["default_synth"]["to_floor"] = results["default_synth"]["lazy"]["median_s"] / floor_s
        results["fresh_install"] = fresh_install(synth, env, Path(scratch), args.runs)
        scaling = {}
        sizes = (1, 10, 50)
        configs = {}
        for servers in sizes:
            configs[servers] = Path(scratch) / f"servers-{servers}.yaml"
            configs[servers].write_text(yaml.safe_dump(scaled_config(servers)))
        scaled: dict[int, list[Run]] = {servers: [] for servers in sizes}
        for _ in range(args.runs):  # round robin, so that every size sees the same machine
            for servers in sizes:
                scaled[servers].append(measure(synth + ["--config", str(configs[servers])], env))
        for servers in sizes:
            measure(synth + ["--config", str(configs[servers])], env)  # leaves its output to count
            summary = summarize(scaled[servers])
            written = resources_written(out)
            summary |= {"resources": written, "resources_per_s": written / summary["median_s"]}
            scaling[str(servers)] = summary
        scaling["ratio_50_to_1"] = scaling["50"]["median_s"] / scaling["1"]["median_s"]
        results["scaling"] = scaling
        if not args.skip_tests:
            # The floor just before and just after: the machine's speed drifts over minutes.
            floors = [measure(floor, env) for _ in range(args.runs)]
            start = time.perf_counter()
            subprocess.run(["make", "--no-print-directory", "test"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            results["test_suite_s"] = time.perf_counter() - start
            floors += [measure(floor, env) for _ in range(args.runs)]
            results["test_suite_floor_s"] = statistics.median(r.wall_s for r in floors)
            results["test_suite_to_floor"] = results["test_suite_s"] / results["test_suite_floor_s"]
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    return 0


def render(results: dict) -> str:
    default = results["default_synth"]
    lines = [
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}, "
        f"Python {results['machine']['python']}",
        "",
        "| default app synth | median s | min s | max s | peak Python MiB | peak Node MiB | peak total MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, key in (("lazy provider loading", "lazy"), ("naive (eager) imports", "naive")):
        row = default[key]
        lines.append(f"| {label} | {row['median_s']:.2f} | {row['min_s']:.2f} | {row['max_s']:.2f} | "
                     f"{row['peak_python_mib']:.0f} | {row['peak_node_mib']:.0f} | {row['peak_total_mib']:.0f} |")
    lines += [f"\nspeed-up: {default['speedup']:.1f}x", "",
              f"floor (a cdktf app with one stack and one output): {results['floor']['median_s']:.2f} s; "
              f"default app: {default['to_floor']:.2f}x the floor", "",
              "| configuration | median s | floor beside it s | x floor |", "|---|---|---|---|"]
    lines += [f"| {name} | {row['median_s']:.2f} | {row['floor_s']:.2f} | {row['to_floor']:.2f} |"
              for name, row in results["examples"].items()]
    lines += ["",
              "| after a fresh install (empty caches) | median s | min s | max s | peak total MiB |",
              "|---|---|---|---|---|"]
    fresh = results["fresh_install"]
    for label, key in (("first synth, no warm-up", "cold_first_synth"), ("warm-up (make install)", "warm_up"),
                       ("first synth after the warm-up", "first_synth"), ("warm synth", "warm_synth"),
                       ("provider cache unusable (slow path)", "unusable_cache")):
        row = fresh[key]
        lines.append(f"| {label} | {row['median_s']:.2f} | {row['min_s']:.2f} | {row['max_s']:.2f} | "
                     f"{row['peak_total_mib']:.0f} |")
    lines += [f"\nfirst synth / warm synth: {fresh['first_to_warm']:.2f}x; "
              f"slow path / warm synth: {fresh['slow_to_warm']:.2f}x", "",
              "| model servers | median s | resources + modules | resources/s | peak total MiB |",
              "|---|---|---|---|---|"]
    for servers in ("1", "10", "50"):
        row = results["scaling"][servers]
        lines.append(f"| {servers} | {row['median_s']:.2f} | {row['resources']} | "
                     f"{row['resources_per_s']:.1f} | {row['peak_total_mib']:.0f} |")
    lines.append(f"\n50 servers / 1 server: {results['scaling']['ratio_50_to_1']:.2f}x")
    if "test_suite_s" in results:
        lines.append(f"test suite (make test): {results['test_suite_s']:.1f} s, "
                     f"{results['test_suite_to_floor']:.0f} floor synths "
                     f"(floor {results['test_suite_floor_s']:.2f} s just before and after)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
