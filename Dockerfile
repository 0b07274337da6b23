# Quotetrail's HTTP API. SQLite in /data by default; set QUOTETRAIL_DATABASE_URL for PostgreSQL
# and QUOTETRAIL_API_KEYS for writes. tests/test_dockerfile.py runs these steps in a clean venv.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY quotetrail ./quotetrail
COPY seeds ./seeds
RUN pip install .
RUN useradd --create-home --uid 10001 quotetrail && mkdir /data && chown quotetrail /data
USER quotetrail
ENV QUOTETRAIL_DATABASE_URL=sqlite:////data/quotetrail.db
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["quotetrail", "serve", "--host", "0.0.0.0", "--port", "8000"]
