"""Write every literal Kubernetes object of the synthesized stacks to YAML files for
checkov, which does not read ``kubernetes_manifest`` inside Terraform JSON.

Usage: ``.venv/bin/python audit/extract.py OUTDIR``. Several configurations are covered, so that
options which change the pods (hardening off, token from a variable) are scanned too.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stacks.app import build_app  # noqa: E402
from stacks.config import AppConfig  # noqa: E402

CONFIGS = {"default": AppConfig()}


def extract(outdir: Path) -> list[Path]:
    written = []
    for name, config in CONFIGS.items():
        with tempfile.TemporaryDirectory() as scratch:
            build_app(config, outdir=scratch, state_root=scratch).synth()
            for stack_file in sorted(Path(scratch).glob("stacks/*/cdk.tf.json")):
                stack = json.loads(stack_file.read_text())
                for body in stack.get("resource", {}).get("kubernetes_manifest", {}).values():
                    manifest = body["manifest"]
                    if not isinstance(manifest, dict):
                        continue
                    path = outdir / f"{name}--{stack_file.parent.name}--{manifest['kind']}--" \
                                     f"{manifest['metadata']['name'].split(':')[-1]}.yaml"
                    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
                    written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    print(f"wrote {len(extract(target))} manifests to {target}")
