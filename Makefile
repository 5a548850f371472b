.PHONY: run test lint format lock bench

run:  ## the platform with demo data: web on 127.0.0.1:8000 and a Celery worker
	bash scripts/run.sh

test:  ## the whole suite: ruff, migrations check, pytest on PostgreSQL and Redis
	bash scripts/test.sh

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

lock:  ## after changing pyproject.toml: install the ranges and pin what got installed
	bash scripts/lock.sh
