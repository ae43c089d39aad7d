# The two commands: `make run` (the main job) and `make test` (everything). Each sets itself up.
# `make check` is the inner loop: lint and every test that needs no Terraform, no emulator and no VPN software.
# `make plans` records the real plans the review tests read (tests/plans/), against the local emulator.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
# checkov pins old boto3 and packaging, so it gets its own virtualenv; its binary is linked into .venv/bin.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp-$(CHECKOV_VERSION)

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

# What `make check` leaves out: the markers are declared in pyproject.toml.
CHECK_TIER := not terraform and not emulator and not e2e and not vpn_software

.PHONY: setup run test check lint plans bench bench-review docs clean

setup: $(STAMP) $(NODE_STAMP) $(CHECKOV_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHECKOV_STAMP): $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check 'checkov==$(CHECKOV_VERSION)'
	ln -sf $(abspath $(CHECKOV_VENV))/bin/checkov $(BIN)/checkov
	touch $@

run: setup
	$(BIN)/vpnctl deploy dev --local

lint: $(STAMP)
	$(BIN)/ruff check .

# Two workers: the check tier is CPU work, and this machine has two cores; work stealing evens out the long tests.
check: $(STAMP) $(CHECKOV_STAMP) lint
	$(BIN)/pytest -m "$(CHECK_TIER)" -n 2 --dist worksteal --durations=10

# OpenVPN and strongSwan for the end-to-end certificate and tunnel tests (apt, when missing). Two
# processes side by side: the check tier in one (its report follows at the end), and in the other the
# Terraform pipelines in background threads while the tests that read them wait for them. The pipelines
# mostly sleep in the provider's fixed waits, so the check tier uses the CPU they leave.
CHECK_LOG := build/logs/make-test-check-tier.log
test: setup lint
	.ci/system-packages
	mkdir -p $(dir $(CHECK_LOG))
	$(BIN)/pytest -m "$(CHECK_TIER)" -p no:cacheprovider > $(CHECK_LOG) 2>&1 & checking=$$!; \
	trap 'kill $$checking 2>/dev/null' INT TERM; \
	$(BIN)/pytest -m "not ($(CHECK_TIER))" --durations=20; heavy=$$?; \
	wait $$checking; checked=$$?; \
	echo "---- the check tier, run alongside ($(CHECK_LOG)) ----"; cat $(CHECK_LOG); \
	exit $$(( heavy || checked ))

plans: setup
	$(BIN)/python -m tests.recorded_plans

bench: setup
	$(BIN)/python -m benchmarks.synth --runs 3 --sites 10 100 500 2000

# Review speed: the shipped environments and generated ones of 10, 50 and 200 sites (sharded too), beside the
# code of an earlier commit; then 200 sites applied at -parallelism 30. JSON beside the synth benchmark's, in build/.
bench-review: setup
	$(BIN)/python -m benchmarks.review --sites 10 50 200 --shards 4
	$(BIN)/python -m benchmarks.apply_parallel --sites 200 --parallelism 30 --json build/bench-apply-parallel.json

# The generated references under docs/reference/, from the schema's models and the constructs' source.
docs: $(STAMP)
	$(BIN)/python -m docs.generate

clean:
	rm -rf cdktf.out build
