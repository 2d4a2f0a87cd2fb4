"""Archlab settings, read from the environment.

One file and one code path for every environment; what differs between a laptop, CI and production is set
through environment variables:

- ``DATABASE_URL``: default ``sqlite:///<project>/db.sqlite3``; PostgreSQL in CI and in docker-compose.
- ``REDIS_URL``: the Celery broker and result store; unset means Celery tasks run eagerly in-process.
- ``SECRET_KEY``: required when ``DEBUG`` is off.
- ``DEBUG``: ``true``/``false`` (default ``false``; ``make run`` sets it on).
- ``ALLOWED_HOSTS``: comma-separated host names.
- Security (defaults are safe for production; ``docs/operations.md`` lists the production values):
  ``SECURE_COOKIES`` (default: on when ``DEBUG`` is off), ``SECURE_SSL_REDIRECT``, ``SECURE_HSTS_SECONDS``,
  ``SECURE_HSTS_INCLUDE_SUBDOMAINS``, ``SECURE_HSTS_PRELOAD``, ``SECURE_PROXY_SSL_HEADER`` (e.g.
  ``HTTP_X_FORWARDED_PROTO`` behind a TLS proxy), ``CLIENT_IP_HEADER`` (e.g. ``HTTP_X_REAL_IP``: where the proxy
  puts the visitor's address), ``RATE_LIMITS_ENABLED``, ``RATE_LIMIT_EXEMPT_IPS``, ``LOGIN_FAILURE_LIMIT``,
  ``LOGIN_LOCKOUT_MINUTES``.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="insecure-dev-key-only-for-debug" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_ratelimit",
    "accounts",
    "designer",
    "quiz",
    "reviews",
    "workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.guards.RequestGuardMiddleware",  # oversized bodies (413) and unstorable text (400), before any view
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.ratelimit.RateLimitMiddleware",
    "config.errors.NotFoundMiddleware",  # a service's NotFound is a 404 page
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a locked-out sign-in into its answer
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username + address before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Celery: a broker when REDIS_URL is set, otherwise tasks run in-process (the embedded default).
REDIS_URL = env_str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged task returns to the queue after this long (acks_late): a killed worker's task is redone.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Publishing tries the broker once: with Redis down a request says "unavailable" at once instead of retrying
    # for seconds (the worker's own reconnecting follows CELERY_BROKER_CONNECTION_RETRY, not this).
    "max_retries": 0,
}
# Results live in the database (Estimate rows); a result store would also make every publish subscribe to Redis,
# which with Redis down retries for about 20 s before it gives up.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", default="celery")
# Monte Carlo samples per estimate: more is smoother and slower.
ESTIMATE_SAMPLES = env_int("ESTIMATE_SAMPLES", default=200_000)
# An estimate queued or running this long without progress has lost its message (a broker restarted without
# persistence) or its worker: the next look at it queues it again, well before the visibility timeout would.
ESTIMATE_STALE_S = env_int("ESTIMATE_STALE_S", default=120)

# The cache holds the rate-limit counts. Redis when REDIS_URL is set, so every web process counts together; an
# unreachable Redis is a cache miss (IGNORE_EXCEPTIONS) and rate limits fail open, never a 500. Without Redis, this
# process's memory: the embedded default is one process.
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "archlab",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "archlab"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "designer.api_errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Archlab API",
    "DESCRIPTION": "Design, validate and estimate serverless architectures; practise the workshop questions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's assets are served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.guards.document_refusals",
        "config.ratelimit.document_429",
    ],
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "designer:home"
LOGOUT_REDIRECT_URL = "designer:home"
# Console e-mail by default; set EMAIL_BACKEND (e.g. django.core.mail.backends.smtp.EmailBackend) in production.
MAILERS = {"default": {"BACKEND": env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")}}
# Diagrams and imports; a larger body is refused with 413 before anything reads it (config/guards.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---- security ----------------------------------------------------------------------------------------------
# Cookies are sent over HTTPS only when DEBUG is off (SECURE_COOKIES=false for a plain-http deployment), never read
# by scripts, and not sent on cross-site subrequests.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # the CSRF token reaches scripts through hx-headers
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS is usually ended by a proxy or load balancer: it says so in a header (e.g. HTTP_X_FORWARDED_PROTO).
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health probe speaks plain http
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: scripts and styles only from our own static files (no inline script, no inline style,
# no eval); pictures may be data: URIs (the review report embeds the diagram's SVG as one). The API docs page
# loosens style-src for itself only (config/urls.py). With DEBUG on the policy only reports (in the browser's
# console): Django's debug pages are inline styles and scripts.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CSP = {} if DEBUG else _CSP
SECURE_CSP_REPORT_ONLY = _CSP if DEBUG else {}

# Rate limits (config/ratelimit.py): URL name -> "METHODS RATE per KEY" rules, every rule must hold. KEY is ip or
# user_or_session. Sized for a classroom behind one address (a workshop of 300 joins within a few minutes).
RATE_LIMITS = {
    "accounts:login": ["POST 30/m per ip"],
    "accounts:signup": ["POST 30/h per ip"],
    "accounts:password-reset": ["POST 10/h per ip"],
    "accounts:team-join": ["GET,POST 60/m per ip"],
    "quiz:question": ["POST 30/m per user_or_session", "POST 300/m per ip"],
    "quiz-api-grade": ["POST 30/m per user_or_session", "POST 300/m per ip"],
    "workshops:join": ["GET,POST 1200/m per ip"],  # a room of 300 may share one NAT address
    "workshops:join-code": ["POST 1200/m per ip"],
    "workshops:play-answer": ["POST 30/m per user_or_session", "POST 3000/m per ip"],
}
RATELIMIT_ENABLE = env_bool("RATE_LIMITS_ENABLED", default=True)
RATELIMIT_FAIL_OPEN = True  # an unreachable cache lets requests through rather than refusing everyone
RATELIMIT_IP_META_KEY = "config.ratelimit.client_ip"
# Requests from these addresses are never counted: this machine's own health checks, load tests and test client.
RATE_LIMIT_EXEMPT_IPS = env_list("RATE_LIMIT_EXEMPT_IPS", default=["127.0.0.1", "::1"])
# Where a proxy puts the visitor's address (one address, e.g. HTTP_X_REAL_IP); empty: the connection's own address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", default="")
if not REDIS_URL:
    # django-ratelimit says local memory is not shared between processes: the embedded default is one process.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Sign-in throttling (django-axes): a username is locked out from an address after this many failed attempts, for
# this long; the lockout answer is accounts.views.signin_locked_out. Failed attempts are kept in the database.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.signin_locked_out"
AXES_CLIENT_IP_CALLABLE = "config.ratelimit.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; successful sign-ins are not logged to the database

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # django-axes says INFO on every start and failed sign-in; its warnings (lockouts) are the ones to read.
    "loggers": {"axes": {"level": "WARNING"}},
}
