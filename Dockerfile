# The image that docker-compose's web, worker and beat services run.
FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango; the fonts make every PDF look the same on every machine.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# With DEBUG off the portal serves hashed names from the manifest: collect with DEBUG off too, or
# every page fails on its first {% static %} (the key below is for this build step only).
RUN DEBUG=false SECRET_KEY=collectstatic-build-step-only-never-used-at-run-time-0000 \
    python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /data && chown portal /data
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
