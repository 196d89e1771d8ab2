"""Compare checkov's JSON report with the accepted findings; exit 1 on anything new.

Usage: ``.venv/bin/python audit/compare.py REPORT.json audit/accepted.yaml``.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

import yaml


def failed_checks(report: object) -> list[tuple[str, str, str]]:
    runs = report if isinstance(report, list) else [report]
    return sorted({(check["check_id"], check["resource"], check["check_name"])
                   for run in runs for check in run["results"]["failed_checks"]})


def main(report_file: str, accepted_file: str) -> int:
    failed = failed_checks(json.loads(Path(report_file).read_text()))
    accepted = yaml.safe_load(Path(accepted_file).read_text())
    new, used = [], set()
    for check_id, resource, name in failed:
        match = next((i for i, entry in enumerate(accepted)
                      if entry["check"] == check_id and fnmatch.fnmatch(resource, entry["resource"])), None)
        if match is None:
            new.append(f"{check_id} {resource}: {name}")
        else:
            used.add(match)
    print(f"checkov: {len(failed)} failed checks, {len(failed) - len(new)} accepted, {len(new)} new")
    for index, entry in enumerate(accepted):
        if index not in used:
            print(f"note: accepted {entry['check']} {entry['resource']} no longer fails; remove it")
    for line in new:
        print(f"new: {line}; fix it, or accept it with a reason in {accepted_file}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
