"""Gunicorn settings for the web process: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every setting can be overridden from the environment (names below) without editing this
file. Logs go to stderr as JSON lines, like the app's own (tracker/logs.py); the access log
names each request's X-Request-ID and the client address the proxy forwarded.
The error log's lines come from gunicorn itself (workers starting, timeouts).
"""

from __future__ import annotations

import multiprocessing
import os

from tracker.logs import DATE_FORMAT, FORMAT, RENAMED_FIELDS

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Gunicorn's own advice for sync workers: two per core plus one. They mostly wait on the
# database, so more than the cores is right; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request still running after 30 s is killed and logged; the slowest page is well
# under a second, and the API's uploads are capped at 4 MB.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than a reverse proxy's idle keep-alive (nginx: 75 s upstream default is off;
# 5 s suits a proxy on the same machine).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Restart workers now and then so a slow leak cannot grow for ever; jitter stops them
# all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Which proxies may set X-Forwarded-Proto for gunicorn itself. The app reads the client
# address through ProxyFix with TRUSTED_PROXIES hops; keep both pointing at the same proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# "-" is stderr; set GUNICORN_ACCESS_LOG to a path, or to nothing to turn it off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# tracker.logs.AccessFormatter turns each request's atoms into JSON fields.
access_log_format = "%(m)s %(U)s %(s)s"

# Gunicorn's own lines as JSON too, like the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    # The app installs its own JSON handler on the root logger (tracker.logs).
    "root": {"level": "WARNING", "handlers": []},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": FORMAT,
            "datefmt": DATE_FORMAT,
            "rename_fields": RENAMED_FIELDS,
        },
        "access": {
            "()": "tracker.logs.AccessFormatter",
            "fmt": FORMAT,
            "datefmt": DATE_FORMAT,
            "rename_fields": RENAMED_FIELDS,
        },
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        # No levels here: gunicorn sets them from `loglevel` (and --log-level) itself.
        "gunicorn.error": {"handlers": ["error"], "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "propagate": False},
    },
}
