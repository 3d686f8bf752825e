# ciphertrust.cckm developer entry points. `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# ansible-core series for the main virtualenv; `make test-matrix` loops over the others.
CORE ?= 2.19
MAIN_CORE := 2.19
NEWEST_CORE := 2.21
# The Python each ansible-core series runs on here (2.20 and newer need 3.12+), found by .ci/find-python.
CORE_PYTHON := $(if $(filter 2.2%,$(CORE)),3.13,3.11)
PYTHON ?= $(shell .ci/find-python $(CORE_PYTHON))
# Checkers (ansible-lint, ansible-builder, ansible-runner, antsibull) only in the main virtualenv.
TOOLS_REQUIREMENTS := $(if $(filter $(CORE),$(MAIN_CORE)),-r tests/requirements-tools.txt,)
CACHE ?= $(HOME)/.cache/ciphertrust-cckm
# Keyed by the requirements and the interpreter it is built from, so a change of either builds a new one.
VENV_HASH := $(shell { echo "$(PYTHON)"; cat requirements.txt tests/requirements.txt tests/requirements-tools.txt; } | sha256sum | cut -c1-12)
VENV ?= $(CACHE)/venv-core$(CORE)-py$(CORE_PYTHON)-$(VENV_HASH)
BIN := $(VENV)/bin
COLLECTIONS := $(CURDIR)/.build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/ciphertrust/cckm
# The unit tests mostly wait on the simulator's pauses (7 s of CPU in 45 s): more workers than cores, each
# stealing work from the others so the longest waits do not queue up on one.
PYTEST_WORKERS ?= 4
# The playbook tests spend much of their time waiting on timeouts and retry pauses: a worker more than cores
# (4 were slower: ansible-playbook start-ups crowd each other out beside sanity).
INTEGRATION_WORKERS ?= 3

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

.PHONY: help venv collection lint pytest-unit pytest-modules integration check test demo simulator clean sanity derive

help:
	@echo "make demo   - start the CM simulator holding a fleet and write the sync_report page on it"
	@echo "make check  - the inner loop: lint, unit tests, in-process module tests (about a minute)"
	@echo "make test   - everything CI runs: check, playbook tests, ansible-test units and sanity, docs, Galaxy import"
	@echo "make simulator - run the CM simulator in the foreground (Ctrl-C stops it; ARGS='--help' lists its options)"
	@echo "make bench  - benchmarks against uri + until and ping; writes docs/performance.md and .png"
	@echo "make release - release galaxy.yml's version (docs/releasing.md)"

# Virtualenvs are cached outside the clone, keyed by ansible-core series and requirements hash,
# and built under a temporary name so an interrupted build is never reused.
venv: $(BIN)/.complete
$(BIN)/.complete:
	@test -n "$(PYTHON)" || { echo "No Python $(CORE_PYTHON) for ansible-core $(CORE): .ci/find-python $(CORE_PYTHON) found none"; exit 1; }
	@echo "Building virtualenv $(VENV) with $(PYTHON)"
	rm -rf "$(VENV).tmp"
	$(PYTHON) -m venv "$(VENV).tmp"
	"$(VENV).tmp/bin/pip" install --quiet --upgrade pip
	"$(VENV).tmp/bin/pip" install --quiet "ansible-core==$(CORE).*" -r requirements.txt -r tests/requirements.txt \
	  $(TOOLS_REQUIREMENTS)
	rm -rf "$(VENV)" && mv "$(VENV).tmp" "$(VENV)"
	# venv scripts carry the path they were built at: rebuild them for the final place.
	$(PYTHON) -m venv --upgrade "$(VENV)" >/dev/null
	sed -i "s#$(VENV).tmp#$(VENV)#g" $$(grep -rl "$(VENV).tmp" "$(BIN)" || true)
	touch "$@"

# Ansible finds the collection at ansible_collections/ciphertrust/cckm: link the work tree there.
collection: $(COLLECTION_LINK)
$(COLLECTION_LINK):
	mkdir -p "$(dir $@)"
	ln -sfn "$(CURDIR)" "$@"

lint: venv collection
	$(BIN)/ruff check plugins extensions tests docs tools .ci
	$(BIN)/ruff format --check plugins extensions tests docs tools .ci
	$(BIN)/ansible-lint --offline --nocolor
	$(BIN)/antsibull-changelog lint
	cd "$(COLLECTION_LINK)" && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# pytest-*: our pytest runs in the virtualenv; ansible-test-units: ansible-test's own `units` run of tests/unit.
pytest-unit: venv collection
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist worksteal tests/unit

# Each module's main() in-process against the simulator: option and validation cases (tests/modules).
pytest-modules: venv collection
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/modules

# The inner loop: what a change must pass before the playbook tests. The unit tests mostly wait on the
# simulator, so lint runs beside them.
check: venv collection
	$(MAKE) --no-print-directory -j2 --output-sync=target lint pytest-unit pytest-modules

# What follows from the table of clouds (the info modules, the lists of clouds elsewhere): tools/derive.py.
derive: venv collection
	$(BIN)/python tools/derive.py

# PYTEST_MARK narrows the playbook tests (default: all but the benchmark's smoke run, which is bench-smoke's).
PYTEST_MARK ?= not bench
integration: venv collection
	$(BIN)/python -m pytest -q -n $(INTEGRATION_WORKERS) --dist worksteal --durations=10 -m "$(PYTEST_MARK)" tests/integration

# The benchmark's quick smoke run (tests/integration/test_bench_smoke.py), on its own.
.PHONY: bench-smoke
bench-smoke: venv collection
	$(BIN)/python -m pytest -q -p no:cacheprovider -m bench tests/integration

# The fault, bad-input, TLS, secrets and concurrency matrix alone (make test runs it within
# `integration`), with a table of outcomes and requests per fault.
FAULT_REPORT := $(CURDIR)/.build/fault-matrix.jsonl
.PHONY: test-faults
test-faults: venv collection
	mkdir -p .build && rm -f "$(FAULT_REPORT)"
	CCKM_FAULT_REPORT="$(FAULT_REPORT)" $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) \
	  tests/integration/test_faults.py tests/integration/test_bad_input.py tests/integration/test_tls.py \
	  tests/integration/test_secrets.py tests/integration/test_concurrency.py
	$(BIN)/python tests/fault_report.py "$(FAULT_REPORT)"

# Benchmarks against uri + until and ansible.builtin.ping (docs/performance.md); make test runs a quick smoke of it.
.PHONY: bench
bench: venv collection
	$(BIN)/python -m tests.perf.bench $(BENCH_ARGS)

# Sanity on the oldest supported ansible-core (2.16, as in Automation Platform 2.5) and the newest;
# on the newest core too the unit tests (through ansible-test units: check ran them with pytest on 2.19),
# the in-process module tests, and the playbook tests whose controller side differs between cores
# (marked every_core); `make test-matrix` runs all of them on every core.
# The playbook tests wait on the simulator about half the time, so the packaging and sanity checks and the
# benchmark's smoke run (bench-smoke) run beside them (two jobs at once, each ending at about the same time;
# --output-sync keeps each one's output together).
.PHONY: test test-playbooks test-packaging-and-sanity
test: check
	$(MAKE) --no-print-directory -j2 --output-sync=recurse test-playbooks test-packaging-and-sanity

test-playbooks: integration

test-packaging-and-sanity: venv collection
	$(MAKE) --no-print-directory docs galaxy-import bench-smoke
	$(MAKE) --no-print-directory sanity CORE=2.16
	$(MAKE) --no-print-directory ansible-test-units pytest-modules integration CORE=$(NEWEST_CORE) PYTEST_MARK="every_core and not tools" \
	  INTEGRATION_WORKERS=2
	$(MAKE) --no-print-directory sanity CORE=$(NEWEST_CORE)

# A release of galaxy.yml's version (docs/releasing.md): the fragments become its CHANGELOG.rst section
# (antsibull-changelog finds the new modules, filters and roles by version_added), then the checks.
.PHONY: release next-version
release: venv collection
	$(BIN)/antsibull-changelog lint
	cd "$(COLLECTION_LINK)" && $(BIN)/antsibull-changelog release --reload-plugins
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_release.py
	$(MAKE) --no-print-directory docs galaxy-import
	@echo "Released $$(sed -n 's/^version: //p' galaxy.yml): $$(ls $(DIST)/ciphertrust-cckm-*.tar.gz)"

# After a release, main names the next version: make next-version VERSION=1.1.0
next-version:
	@echo "$(VERSION)" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$$' || { echo "VERSION=X.Y.Z, the version after the release"; exit 1; }
	sed -i 's/^version: .*/version: $(VERSION)/' galaxy.yml

# Build the Galaxy tarball and import-check it as Galaxy does; any warning or error fails.
DIST := $(CURDIR)/.build/dist
.PHONY: build galaxy-import
build: venv
	rm -rf "$(DIST)" && $(BIN)/ansible-galaxy collection build --output-path "$(DIST)" .

galaxy-import: build
	cd "$(DIST)" && GALAXY_IMPORTER_CONFIG=$(CURDIR)/.ci/galaxy-importer.cfg PATH="$(BIN):$$PATH" \
	  $(BIN)/python -m galaxy_importer.main ciphertrust-cckm-*.tar.gz 2>&1 | tee importer.log
	! grep -iE "^(WARNING|ERROR)|[^_]warning:|error:" "$(DIST)/importer.log"
	grep -q "Importer processing completed successfully" "$(DIST)/importer.log"

# An execution environment build context with the collection from its tarball (no Galaxy needed):
# build it with `podman build -t cckm-ee .build/ee/context`. No container engine is needed here.
EE_DIR := $(CURDIR)/.build/ee
.PHONY: ee-context
ee-context: build
	rm -rf "$(EE_DIR)" && mkdir -p "$(EE_DIR)"
	cp docs/ee/execution-environment-local.yml docs/ee/requirements-local.yml "$(EE_DIR)/"
	cp "$(DIST)"/ciphertrust-cckm-*.tar.gz "$(EE_DIR)/ciphertrust-cckm.tar.gz"
	cd "$(EE_DIR)" && $(BIN)/ansible-builder create -f execution-environment-local.yml -c context --output-filename Containerfile
	@echo "Build context: $(EE_DIR)/context; build it with: podman build -t cckm-ee $(EE_DIR)/context"

# The docsite (plugin pages and docs/docsite/rst) with antsibull-docs and Sphinx, warnings as errors.
# It builds offline: intersphinx reads a local inventory of the few Ansible docs labels the pages link to.
DOCS_DIR := $(CURDIR)/.build/docs
.PHONY: docs
docs: venv collection
	rm -rf "$(DOCS_DIR)" && mkdir -p "$(DOCS_DIR)"
	$(BIN)/antsibull-docs sphinx-init --use-current --dest-dir "$(DOCS_DIR)" ciphertrust.cckm
	$(BIN)/python docs/docsite/offline/make_ansible_inventory.py "$(DOCS_DIR)/ansible_devel.inv"
	sed -i "s#^intersphinx_mapping = {#intersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '$(DOCS_DIR)/ansible_devel.inv')}\n_online_intersphinx_mapping = {#" "$(DOCS_DIR)/conf.py"
	cd "$(DOCS_DIR)" && PATH="$(BIN):$$PATH" ./build.sh
	@echo "Documentation: $(DOCS_DIR)/build/html/index.html"

# Unit and integration tests under every supported ansible-core, each in its own virtualenv with a
# Python it supports (tests of the packaging tools, in the main virtualenv only, run in `make test`),
# then the integration tests once more with the modules running on Python 3.9. It prints what ran,
# and what could not and why; it fails if anything that ran failed.
MATRIX ?= 2.16 2.17 2.18 2.19 2.20 2.21
MODULE_PYTHON := 3.9
MODULES_VENV := $(CACHE)/modules-py$(MODULE_PYTHON)-$(shell sha256sum requirements.txt | cut -c1-12)
.PHONY: test-matrix core-python
core-python:
	@echo $(CORE_PYTHON)
test-matrix:
	MATRIX="$(MATRIX)" MODULE_PYTHON=$(MODULE_PYTHON) MODULES_VENV="$(MODULES_VENV)" MAIN_CORE=$(MAIN_CORE) .ci/test-matrix

demo: venv collection
	$(BIN)/python tests/demo.py

# ARGS: more options (make simulator ARGS='--help'); a later --seed or --port wins over these.
simulator: venv collection
	$(BIN)/python -m tests.simulator --seed fleet --port 8443 $(ARGS)

clean:
	rm -rf .build tests/output .pytest_cache .ruff_cache

# ansible-test wants the collection at ansible_collections/<ns>/<name> as a real directory:
# run it on a copy of the tracked files, with a get-pip stand-in (it cannot download one here).
SANITY_DIR := $(CURDIR)/.build/sanity-core$(CORE)/ansible_collections/ciphertrust/cckm
.PHONY: sanity-copy sanity ansible-test-units
sanity-copy: venv
	$(BIN)/python .ci/get_pip_standin.py
	rm -rf "$(SANITY_DIR)" && mkdir -p "$(SANITY_DIR)"
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$(SANITY_DIR)"
	# its own git index, or ansible-test would read this repository's, where .build is ignored
	cd "$(SANITY_DIR)" && git init -q && git add -A

sanity: sanity-copy
	cd "$(SANITY_DIR)" && $(BIN)/ansible-test sanity --venv --python $(CORE_PYTHON) --color no

ansible-test-units: sanity-copy
	cd "$(SANITY_DIR)" && $(BIN)/ansible-test units --venv --python $(CORE_PYTHON) --color no --requirements
