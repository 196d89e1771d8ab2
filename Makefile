# Every target installs what is missing first (pipenv itself included), from Pipfile.lock.
PYTHON ?= python3
PIPENV_VERSION ?= 2026.10.3
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?=
VARS ?= values.tfvars

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install synth test lint bench apply destroy clean docs audit

install: $(VENV)/.installed

$(VENV)/.installed: Pipfile.lock
	@$(PYTHON) -m pipenv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet "pipenv==$(PIPENV_VERSION)" || \
		$(PYTHON) -m pip install --quiet --user "pipenv==$(PIPENV_VERSION)"
	$(PYTHON) -m pipenv sync --dev
	@# Build the lazy provider tarballs now, so the first synth is as fast as the rest.
	$(PY) -c "import constructs_lib"
	@touch $@

synth: install
	$(PY) main.py $(if $(CONFIG),--config $(CONFIG))

test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .

clean:
	rm -rf cdktf.out .pytest_cache

# Plain Terraform, stack by stack in dependency order (read from cdktf.out/manifest.json).
apply: synth
	$(PY) -m stacks.deploy apply --var-file $(VARS)

destroy: install
	$(PY) -m stacks.deploy destroy --var-file $(VARS)

bench: install
	$(PY) bench/synth_bench.py
	$(PY) bench/yaml_bench.py

# Regenerate what the tests compare against: the configuration reference and, after a
# deliberate construct id change, the pinned construct tree.
docs: install
	$(PY) -m stacks.reference
	PYTHONPATH=.:tests $(PY) tests/pin_construct_tree.py

# Security scan of the synthesized Kubernetes objects (not part of `make test`).
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: audit/requirements.txt
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet -r audit/requirements.txt
	@touch $@

audit: install $(AUDIT_VENV)/.installed
	rm -rf .audit && mkdir -p .audit
	$(PY) audit/extract.py .audit/manifests
	$(AUDIT_VENV)/bin/checkov --framework kubernetes --skip-download --quiet -o json \
		-d .audit/manifests > .audit/checkov.json || true
	$(PY) audit/compare.py .audit/checkov.json audit/accepted.yaml
