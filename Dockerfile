# Internboard production image: one image for every app process.
#   web     gunicorn config.wsgi:application -c config/gunicorn.conf.py (default)
#   worker  celery -A config worker -l info
#   beat    celery -A config beat -l info --schedule /tmp/celerybeat-schedule
#   migrate python manage.py migrate --noinput
# docker-compose.yml runs them all; configuration comes from the environment
# only (README lists the variables): nothing secret is baked in.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings

WORKDIR /app

# The app runs as an unprivileged user that owns nothing in /app: code,
# compiled translations and collected static files stay read-only to it.
RUN groupadd --system --gid 10001 internboard \
    && useradd --system --uid 10001 --gid internboard --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin internboard

# Uploaded attachments (MEDIA_ROOT): the one place the app writes; docker-compose
# mounts a named volume here, which takes this owner when first created.
RUN mkdir -p /var/lib/internboard/media \
    && chown internboard:internboard /var/lib/internboard/media

# Dependencies first, so a code change does not reinstall them. Every pin in
# requirements.txt has a binary wheel, so no compiler is needed.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt && pip check

COPY . .

# .mo files are not committed: compile them from the .po catalogs with Babel
# (pure Python, no system gettext in the image).
RUN pybabel compile --domain django --directory locale --statistics

# Collect and hash static files for WhiteNoise. The settings refuse to load
# without SECRET_KEY when DEBUG is off; this throwaway key exists only for this
# one command and is not kept in the image's environment. Real keys come from
# the environment at run time.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput

USER internboard:internboard

EXPOSE 8000

# Liveness: /healthz answers 200 while the process serves. The request carries
# a Host that ALLOWED_HOSTS accepts (its first concrete entry), otherwise
# Django would answer 400. Python, not curl: the slim image has no curl.
# Worker and beat containers share this image: compose gives them their own.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = [x.strip().lstrip('.') for x in os.environ.get('ALLOWED_HOSTS', '').split(',') if x.strip() not in ('', '*')] + ['localhost']; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h[0]}), timeout=4)"]

CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
