.PHONY: run test unit validate setup train lint captures scale bench bench-console bench-statistiques bench-lheo profiling help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*## /\t/'

run:  ## Install what is missing, train if needed, start the assistant and its web chat
	./scripts/run.sh

test:  ## Install what is missing and run every test (lint, unit, data, conversations, NLU)
	./scripts/test.sh

unit:  ## Only the unit tests (tests/unit: no server, no database server, no model)
	./scripts/unit.sh

validate:  ## Check the data: rasa data validate, the catalogue (dry run) and the data tests
	./scripts/validate.sh

setup:  ## Only install (virtual environment, dependencies, catalogue database)
	./scripts/setup.sh

train:  ## Only train the model (skipped when nothing changed)
	./scripts/train.sh

bench:  ## Conversational benchmark against a rasa init reference (docs/benchmarks.md)
	./scripts/bench.sh

bench-console:  ## Cost of the counsellors' console for the chat (20 live watchers, docs/benchmarks.md)
	./scripts/bench-console.sh

bench-statistiques:  ## Time of the statistics page and the map over 1,000,000 records on PostgreSQL (target < 1 s)
	./scripts/bench-statistiques.sh

bench-lheo:  ## Time and peak memory of the LHEO import of 100,000 generated actions, SQLite and PostgreSQL (targets < 2 min, < 500 MB)
	./scripts/bench-lheo.sh

profiling:  ## Profile of the hot path with py-spy (time of each stage per message, docs/benchmarks.md)
	./scripts/profiling.sh

scale:  ## Run the scale-out deployment: nginx, two Rasa servers, PostgreSQL, Redis (docs/deployment.md)
	./scripts/scale.sh

captures:  ## Regenerate the web chat screenshots in docs/ (headless Chromium)
	./scripts/captures.sh

lint:  ## ruff on the code
	.venv/bin/ruff check bot tests tools
