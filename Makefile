# The two commands: `make run` (the main job) and `make test`. Each sets itself up.
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

.PHONY: setup run test bench clean

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

# OpenVPN and strongSwan for the end-to-end certificate and tunnel tests (apt, when missing).
test: setup
	.ci/system-packages
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m benchmarks.synth --runs 3 --sites 10 100 500 2000

clean:
	rm -rf cdktf.out build
