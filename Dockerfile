# The image that docker-compose's web, worker and beat services run.
FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango; the fonts make every PDF look the same on every machine.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DATA_DIR=/data STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# With DEBUG off, as the portal runs: the manifest of hashed names that every page's {% static %}
# reads is written only then. The key is thrown away after the step (collectstatic signs nothing)
# and REDIS_URL and CLAMD_URL are never contacted; they only satisfy the production start-up guard.
# tests/test_static_production.py runs this very line.
RUN DEBUG=false SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" REDIS_URL=redis://unused-at-build:6379/0 CLAMD_URL=unix:///unused-at-build/clamd.ctl python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /data && chown portal /data
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-", "--logger-class", "portal.logmasking.TokenMaskingLogger"]
