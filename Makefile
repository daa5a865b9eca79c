# tajo-brevo: every command a developer or CI runs.
# `make test` works on a fresh machine with only python3: it creates .venv itself.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Not called SPEC: `make update-spec SPEC=path` names the new upstream spec.
EFFECTIVE := openapi/brevo-contacts.effective.yml
GEN_OUT := generated/brevo_contacts
GEN_ARGS := --meta none --overwrite --config openapi/generator.yml --fail-on-warning
# Generator post-hooks call `ruff`: use the pinned one from the venv.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup demo fleet-demo test unit fuzz example pythons generate update-spec check-generated check-spec lint mock contract bench clean production-shapes

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

## Start a local Brevo mock, provision it, run the guide's scenarios and a bulk sync (< 30 s).
demo: $(STAMP)
	$(BIN)/tajo-brevo demo

## Many accounts on Celery, locally: Redis, a mock of 4 accounts, two workers (< 1 min).
fleet-demo: $(STAMP)
	$(PY) examples/fleet/demo.py

## Regenerate the effective spec, the client and the lock (the only way generated/ changes).
generate: $(STAMP)
	$(PY) -m tajo_brevo.spec effective
	$(BIN)/openapi-python-client generate --path $(EFFECTIVE) --output-path $(GEN_OUT) $(GEN_ARGS)
	rm -rf $(GEN_OUT)/.ruff_cache
	$(PY) -m tajo_brevo.spec lock

## Bump the pin: make update-spec SPEC="file1.yml file2.yml ..." (or SPEC=dir/) [ALLOW_STALE=1]
## Several files (upstream's split by tag) are merged into one pin. Validates, reports the
## changes, re-applies corrections, regenerates, locks (every source file and its sha256),
## then `make test`. Paths are separated by spaces.
update-spec: $(STAMP)
	@test -n "$(SPEC)" || { echo "usage: make update-spec SPEC=\"file1.yml file2.yml ...\" (or SPEC=directory)" >&2; exit 2; }
	$(PY) -m tajo_brevo.spec update $(SPEC) --no-tests $(if $(ALLOW_STALE),--allow-stale)
	$(MAKE) test

## Regenerate into a temp dir and fail on any difference from what is committed.
check-generated: $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PY) -m tajo_brevo.spec effective --output $$tmp/effective.yml >/dev/null; \
	diff -u $(EFFECTIVE) $$tmp/effective.yml || { echo "check-generated: $(EFFECTIVE) is stale: run make generate" >&2; exit 1; }; \
	$(BIN)/openapi-python-client generate --path $$tmp/effective.yml --output-path $$tmp/brevo_contacts $(GEN_ARGS) >/dev/null; \
	rm -rf $$tmp/brevo_contacts/.ruff_cache; \
	diff -r -x .ruff_cache -x __pycache__ $(GEN_OUT) $$tmp/brevo_contacts || { echo "check-generated: $(GEN_OUT) differs from the generator's output: never edit it by hand, run make generate" >&2; exit 1; }; \
	echo "check-generated: effective spec and generated client are what the generator produces"

## The pin is byte-for-byte what spec.lock records.
check-spec: $(STAMP)
	$(PY) -m tajo_brevo.spec check

## Rebuild tests/client/production_shapes/ from the official SDK's response types, then test it:
## make production-shapes SDK=5.1.0 [WHEEL=path/to/brevo_python-X-py3-none-any.whl]
SDK ?= 5.1.0
production-shapes: $(STAMP)
	$(PY) tests/client/production_shapes/refresh.py --sdk $(SDK) $(if $(WHEEL),--wheel $(WHEEL))
	$(PY) -m pytest -q tests/client/test_production_shapes.py

lint: $(STAMP)
	$(BIN)/ruff check wrapper tests contract_tests bench examples conftest.py noxfile.py
	$(BIN)/ruff format --check wrapper tests contract_tests bench examples conftest.py noxfile.py
	$(BIN)/mypy

## Serve the stateful Brevo mock on 127.0.0.1 (MOCK_PORT, MOCK_KEY, MOCK_ARGS to change).
MOCK_PORT ?= 8080
MOCK_KEY ?= tajo-brevo-mock-key
mock: $(STAMP)
	$(BIN)/tajo-brevo mock --host 127.0.0.1 --port $(MOCK_PORT) --api-key $(MOCK_KEY) $(MOCK_ARGS)

## Contract suite against BREVO_BASE_URL with BREVO_API_KEY (read-only unless
## CONTRACT_ARGS=--allow-writes); JUnit XML in CONTRACT_JUNIT.
CONTRACT_JUNIT ?= junit-contract.xml
contract: $(STAMP)
	@test -n "$$BREVO_BASE_URL" || { echo "make contract: set BREVO_BASE_URL (e.g. http://127.0.0.1:8080/v3 for make mock)" >&2; exit 2; }
	@test -n "$$BREVO_API_KEY" || { echo "make contract: set BREVO_API_KEY" >&2; exit 2; }
	$(BIN)/tajo-brevo contract --base-url "$$BREVO_BASE_URL" --junit $(CONTRACT_JUNIT) $(CONTRACT_ARGS)

## pytest: tests/, contract_tests/ and every code block of README.md, docs/, ARCHITECTURE.md
## and CONTRIBUTING.md (run by Sybil from conftest.py against a local mock).
## The suite on both cores (pytest-xdist): every server a test needs is its own, on a free
## port, so tests share nothing across workers. One file's tests stay on one worker
## (loadfile): a Markdown page's blocks share one namespace, in order. UNIT_ARGS=-n0: one core.
UNIT_ARGS ?= -n 2 --dist loadfile
unit: $(STAMP)
	$(PY) -m pytest $(UNIT_ARGS)

## Open-ended run of the bad-argument property test (a new seed each run, no derandomize):
## make fuzz [FUZZ_EXAMPLES=20000]. Not part of `make test`, which runs it derandomized.
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	TAJO_FUZZ=1 TAJO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/client/test_bad_arguments_property.py

## The example service's own tests, as a user runs them: the built wheel with [mock] and
## examples/loyalty_service installed into a fresh virtualenv (pip's cache is reused).
EXAMPLE := examples/loyalty_service
example: $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$$tmp/dist" . ; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
		"$$(ls "$$tmp"/dist/tajo_brevo-*.whl)[mock]" "./$(EXAMPLE)[test]"; \
	cd $(EXAMPLE) && "$$tmp/venv/bin/python" -m pytest -p no:cacheprovider -n 2

## The built wheel with [mock] on each other supported Python found here (noxfile.py): the
## example's tests and a loopback sync. A version not installed is skipped, not failed.
pythons: $(STAMP)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$$tmp" . ; \
	TAJO_BREVO_WHEEL="$$(ls "$$tmp"/tajo_brevo-*.whl)" $(BIN)/nox --noxfile noxfile.py

## Every benchmark (bench/bench_*.py --write): results in bench/results/<topic>.md and
## PNG plots, indexed in bench/RESULTS.md. Not part of `make test`.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
	@touch $@

bench: $(BENCH_STAMP)
	@set -e; for script in bench/bench_*.py; do \
		echo "== $$script"; $(PY) $$script --write; \
	done
	$(PY) bench/index.py

test: $(STAMP) check-spec check-generated lint unit example pythons

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
