# Every target installs what is missing first, from Pipfile.lock. Nothing is installed
# outside this directory: pipenv lives in its own virtualenv (.venv-tools), so a
# distribution's Python (PEP 668, "externally-managed-environment") works as it is.
#   make test PYTHON=python3.12            the app's venv (.venv) on another Python
#   make test PYTHON=python3.13 VENV=.venv-py3.13   a second venv beside the first
PYTHON ?= python3
PIPENV_VERSION ?= 2026.10.3
VENV ?= .venv
TOOLS := .venv-tools
PY := $(VENV)/bin/python
PIPENV := $(TOOLS)/bin/pipenv
CONFIG ?=
VARS ?= values.tfvars
# The interpreter PYTHON names, also when only pyenv knows it (a version not selected);
# empty when there is none. PYTHON_TAG is its major.minor.
PYTHON_EXE := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
	ls -d $$(pyenv root 2>/dev/null)/versions/*/bin/$(PYTHON) 2>/dev/null | tail -n 1)
PYTHON_TAG := $(if $(PYTHON_EXE),$(shell $(PYTHON_EXE) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))

export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
# What a first run costs on a 2-CPU machine (docs/setup.md has the measurements).
FIRST_INSTALL := about 1 to 2 minutes with the downloads, 0.55 GB
FIRST_WARM_UP := about 20 s, 0.6 GB of jsii and provider caches in ~/.cache
FIRST_DEV_INSTALL := about 30 s, 0.2 GB

.PHONY: install install-dev bytecode synth test lint bench apply destroy clean docs audit check-pythons check-pep668 check-node

# Synthesis needs the app's packages only; the test tools, linters and stubs come with the
# targets that use them (install-dev).
install: $(VENV)/.installed-$(PYTHON_TAG)

install-dev: $(VENV)/.installed-dev-$(PYTHON_TAG)

$(PIPENV):
	@test -n "$(PYTHON_TAG)" || { echo "error: PYTHON=$(PYTHON) does not run; fix: install Python 3.11+ or name one, e.g. make PYTHON=python3.12" >&2; exit 2; }
	@echo "preparing pipenv in $(TOOLS)/ (first run: about 20 s, 60 MB)"
	@rm -rf $(TOOLS)
	@# python3-venv (ensurepip) is a separate package on Debian/Ubuntu: without it, borrow the system pip once.
	@$(PYTHON_EXE) -m venv $(TOOLS) >/dev/null 2>&1 || { rm -rf $(TOOLS) && $(PYTHON_EXE) -m venv --without-pip $(TOOLS) && \
		$(PYTHON_EXE) -m pip --python $(TOOLS)/bin/python install --quiet --disable-pip-version-check pip; } || \
		{ echo "error: $(PYTHON_EXE) can make no virtualenv; fix: apt-get install python3-venv (Debian/Ubuntu)" >&2; exit 2; }
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "pipenv==$(PIPENV_VERSION)"

# The venv is made here (quietly) rather than by pipenv, so PYTHON picks its interpreter and
# a venv of another Python is replaced. VIRTUAL_ENV makes pipenv install into it.
$(VENV)/.installed-$(PYTHON_TAG): Pipfile.lock | $(PIPENV)
	@test -n "$(PYTHON_TAG)" || { echo "error: PYTHON=$(PYTHON) does not run; fix: install Python 3.11+ or name one, e.g. make PYTHON=python3.12" >&2; exit 2; }
	@echo "installing packages into $(VENV)/ (first run: $(FIRST_INSTALL))"
	@$(PY) -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(PYTHON_TAG)")' 2>/dev/null || \
		$(TOOLS)/bin/python -m virtualenv --quiet --clear --python $(PYTHON_EXE) $(VENV)
	@VIRTUAL_ENV=$(abspath $(VENV)) $(PIPENV) sync --quiet
	@# jsii prints Node 20's end-of-life banner as eleven bytes literals unless told before its
	@# kernel starts, which an app that imports cdktf first does before any code of ours runs.
	@cp cli/silence_node_eol.pth "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/gke_inference_gateway_cdktf.pth"
	@# Make the lazy provider tarballs and let jsii finish its package index, so the
	@# first synth is as fast as the rest.
	@echo "preparing provider bindings (first run: $(FIRST_WARM_UP))"
	@$(PY) -m cli.warm_up
	@$(MAKE) --no-print-directory bytecode
	@rm -f $(VENV)/.installed*
	@touch $@

$(VENV)/.installed-dev-$(PYTHON_TAG): $(VENV)/.installed-$(PYTHON_TAG)
	@echo "installing the test tools and linters into $(VENV)/ (first run: $(FIRST_DEV_INSTALL))"
	@VIRTUAL_ENV=$(abspath $(VENV)) $(PIPENV) sync --dev --quiet
	@touch $@

# The project's own modules, compiled ahead: where PYTHONDONTWRITEBYTECODE is set, every run
# would otherwise compile them again (about 60 ms of each synth). Only changed files are redone.
bytecode:
	@$(PY) -m compileall -q -j 0 constructs_lib stacks cli >/dev/null

synth: install bytecode
	@echo "synthesizing (about 2 s)"
	@$(PY) main.py $(if $(CONFIG),--config $(CONFIG))

# Two workers, a test file each at a time (its module fixtures are built once): measured
# fastest on 2 CPUs (docs/performance.md). TEST_WORKERS=0 runs everything in this process.
# pytest keeps its rewritten test modules in __pycache__ unless PYTHONDONTWRITEBYTECODE
# is set, in which case each worker rewrites all of them again (about 2 s per run).
TEST_WORKERS ?= 2
test: install-dev bytecode
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

lint: install-dev
	$(PY) -m ruff check .

clean:
	rm -rf cdktf.out .pytest_cache

# Plain Terraform, stack by stack in dependency order (read from cdktf.out/manifest.json).
apply: synth
	$(PY) -m cli.deploy apply --var-file $(VARS)

destroy: install
	$(PY) -m cli.deploy destroy --var-file $(VARS)

bench: install-dev bytecode
	$(PY) bench/synth_bench.py
	$(PY) bench/yaml_bench.py

# Regenerate what the tests compare against: the configuration reference and, after a
# deliberate construct id change, the pinned construct tree.
docs: install-dev
	$(PY) -m cli.reference
	PYTHONPATH=.:tests $(PY) tests/pin_construct_tree.py

# Scripted checks of the set-up, not part of CI (each takes minutes); see .ci/.
check-pythons:
	.ci/check-pythons

check-pep668:
	.ci/check-pep668

check-node:
	.ci/check-node

# Security scan of the synthesized Kubernetes objects (not part of `make test`).
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: audit/requirements.txt | $(PIPENV)
	$(TOOLS)/bin/python -m virtualenv --quiet $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet -r audit/requirements.txt
	@touch $@

audit: install-dev $(AUDIT_VENV)/.installed
	rm -rf .audit && mkdir -p .audit
	$(PY) audit/extract.py .audit/manifests
	$(AUDIT_VENV)/bin/checkov --framework kubernetes --skip-download --quiet -o json \
		-d .audit/manifests > .audit/checkov.json || true
	$(PY) audit/compare.py .audit/checkov.json audit/accepted.yaml
