"""The audit's gate: accepted findings pass, anything new fails (checkov itself runs in
`make audit`, in its own virtualenv)."""

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "audit"))

import compare  # noqa: E402


def _report(tmp_path, failures):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"results": {"failed_checks": [
        {"check_id": check, "resource": resource, "check_name": "n"} for check, resource in failures]}}))
    return str(path)


def test_accepted_findings_pass_and_new_ones_fail(tmp_path, capsys):
    accepted = str(ROOT / "audit" / "accepted.yaml")
    assert compare.main(_report(tmp_path, [("CKV_K8S_21", "Secret.default.x")]), accepted) == 0
    assert compare.main(_report(tmp_path, [("CKV_K8S_29", "Deployment.default.x")]), accepted) == 1
    assert "new: CKV_K8S_29 Deployment.default.x" in capsys.readouterr().out


def test_every_accepted_finding_has_a_reason():
    for entry in yaml.safe_load((ROOT / "audit" / "accepted.yaml").read_text()):
        assert set(entry) == {"check", "resource", "reason"} and len(entry["reason"]) > 30
