# Image shared by the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDFs through Pango and HarfBuzz; DejaVu gives it a font to use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies before the code, so a code change reuses this layer.
COPY requirements.lock .
RUN pip install -r requirements.lock

COPY . .

# Settings refuse to load without SECRET_KEY; this one exists only for this command.
RUN SECRET_KEY=collectstatic-build-only python manage.py collectstatic --no-input

# The code stays root-owned (read-only for the app); only the documents directory is the
# app's, so a fresh named volume mounted there inherits that ownership.
RUN useradd --system --create-home --uid 10001 cep \
    && mkdir -p /srv/media \
    && chown cep:cep /srv/media
ENV MEDIA_ROOT=/srv/media
USER cep

EXPOSE 8000
CMD ["gunicorn", "cep.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
