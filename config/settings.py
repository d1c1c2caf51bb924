"""Settings, read from the environment only (every variable is documented in README.md).

Two modes share one code path: *embedded* (SQLite, tasks run in-process) when no broker is set, and
*services* (PostgreSQL, Redis, Celery workers) when DATABASE_URL and CELERY_BROKER_URL point at
them.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Mode and secrets ---------------------------------------------------------------------------
DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production")

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET and DJANGO_ENV != "test"):
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set SECRET_KEY)")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")

# Keys for the audit chain and for partners' keyed identifier tokens. Separate from SECRET_KEY so
# that rotating one does not break the other (docs/operations.md).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", "" if PRODUCTION else f"audit:{SECRET_KEY}")
PARTNER_HMAC_KEY = env_str("PARTNER_HMAC_KEY", "" if PRODUCTION else f"partner:{SECRET_KEY}")
if PRODUCTION and (len(AUDIT_HMAC_KEY) < 32 or len(PARTNER_HMAC_KEY) < 32):
    raise ImproperlyConfigured("AUDIT_HMAC_KEY and PARTNER_HMAC_KEY (32+ chars) are required")
# One key for both would let whoever holds partners' tokens forge audit events, and the reverse.
if PRODUCTION and AUDIT_HMAC_KEY in {PARTNER_HMAC_KEY, SECRET_KEY}:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY must differ from PARTNER_HMAC_KEY and SECRET_KEY in production"
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and (not ALLOWED_HOSTS or any("*" in host for host in ALLOWED_HOSTS)):
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's hosts (no '*') in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    # SimpleAdminConfig: no autodiscovery, because django-leaflet's admin module needs GDAL
    # (GeoDjango), which we do not use; our admin modules are imported in urls.py.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "accounts",
    "audit",
    "ads",
    "analytics",
    "maps",
    "partners",
    "cases",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulMiddleware",
    "core.middleware.DeniedCallThrottleMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.NeutraliseBidiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "core.access.DenyByDefaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "cases.context_processors.unread_alerts",
            ],
            # core is shared code, not an app: its tags are named here.
            "libraries": {"navigation": "core.templatetags.navigation"},
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboard read while ingestion writes; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameter binding lets psycopg prepare a statement it has run
    # DB_PREPARE_THRESHOLD times on a connection, so PostgreSQL stops re-planning the API's
    # repeated joins (planning took 1.5 ms of a 0.1 ms lookup). Turn both off behind a
    # transaction-pooling pgbouncer.
    _server_side_binding = env_bool("DB_SERVER_SIDE_BINDING", True)
    _prepare_threshold = env_int("DB_PREPARE_THRESHOLD", 5, minimum=0)
    # PostgreSQL's JIT compiles any plan its cost model rates expensive: the queue as seen by a
    # viewer of some sources (per-item subqueries) paid 1.4 s of compiling for a 0.4 s query at
    # 1M ads (docs/bench-pages.md). Off unless DB_JIT says otherwise.
    _jit = "on" if env_bool("DB_JIT", False) else "off"
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": _server_side_binding,
        "prepare_threshold": _prepare_threshold if _server_side_binding else None,
        "options": f"-c jit={_jit}",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
EMBEDDED = not CELERY_BROKER_URL
if EMBEDDED:
    # Never reaches for a default AMQP server on localhost.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = EMBEDDED  # embedded mode: the same tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540, minimum=1)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Unacknowledged messages of a dead worker come back after this many seconds; the sweep below
    # catches anything that still slips through.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=10),
}
CELERY_TIMEZONE = "UTC"

# --- Pipeline -----------------------------------------------------------------------------------
# Each task costs ~30 ms of CPU besides its ads (Celery, claim, ledger, enqueue): 128 ads a task
# cut worker CPU per ad 6-16% against 64 in two pairs of runs (docs/benchmarks.md, whole pipeline).
PIPELINE_BATCH_SIZE = env_int("PIPELINE_BATCH_SIZE", 128, minimum=1)
# A serial stage's task (linking) takes the waiting ads of up to this many batches at once.
PIPELINE_COALESCE_BATCHES = env_int("PIPELINE_COALESCE_BATCHES", 4, minimum=1)
PIPELINE_MAX_ATTEMPTS = env_int("PIPELINE_MAX_ATTEMPTS", 5, minimum=1)
PIPELINE_SWEEP_AFTER_SECONDS = env_int("PIPELINE_SWEEP_AFTER_SECONDS", 300, minimum=0)
PIPELINE_SWEEP_INTERVAL_SECONDS = env_int("PIPELINE_SWEEP_INTERVAL_SECONDS", 60, minimum=1)
PIPELINE_ENQUEUE = env_bool("PIPELINE_ENQUEUE", default=True)
# The stage order is declared in ads/pipeline.py (STAGES), the queues in config/celery.py.

# --- Ingestion and evidence ---------------------------------------------------------------------
EVIDENCE_ROOT = env_path("EVIDENCE_ROOT", VAR_DIR / "evidence")
INGEST_MAX_BODY_BYTES = env_int("INGEST_MAX_BODY_BYTES", 1_000_000, minimum=1)
INGEST_MAX_TITLE_CHARS = env_int("INGEST_MAX_TITLE_CHARS", 1_000, minimum=1)
INGEST_API_MAX_BATCH = env_int("INGEST_API_MAX_BATCH", 1_000, minimum=1)
DENIED_CALLS_PER_MINUTE = env_int("DENIED_CALLS_PER_MINUTE", 120, minimum=1)
INGEST_MAX_REPEATS_PER_BATCH = env_int("INGEST_MAX_REPEATS_PER_BATCH", 10, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_BYTES", 20_000_000, minimum=1)
CONNECTOR_USER_AGENT = env_str(
    "CONNECTOR_USER_AGENT", "anti-trafficking-research-bot/0.1 (+contact: operator)"
)
CONNECTOR_ALLOW_PRIVATE = env_bool("CONNECTOR_ALLOW_PRIVATE", default=False)
CONNECTOR_TIMEOUT_SECONDS = env_float("CONNECTOR_TIMEOUT_SECONDS", 10.0)
CONNECTOR_MAX_BYTES = env_int("CONNECTOR_MAX_BYTES", 5_000_000, minimum=1)
CONNECTOR_MIN_INTERVAL_SECONDS = env_float("CONNECTOR_MIN_INTERVAL_SECONDS", 2.0)
# --- Ad images (the media stage fetches them with the connectors' fetcher and its settings) -----
MEDIA_MAX_BYTES = env_int("MEDIA_MAX_BYTES", 10_000_000, minimum=1)
# Width x height above which an image is refused unread (decompression bombs).
MEDIA_MAX_PIXELS = env_int("MEDIA_MAX_PIXELS", 40_000_000, minimum=1)
MEDIA_MAX_IMAGES_PER_AD = env_int("MEDIA_MAX_IMAGES_PER_AD", 10, minimum=0)
MEDIA_FETCH_RETRIES = env_int("MEDIA_FETCH_RETRIES", 2, minimum=0)
# Wall-clock budget of one media batch; images not reached are recorded and retried next run.
MEDIA_BATCH_SECONDS = env_float("MEDIA_BATCH_SECONDS", 240.0)
# How long a revealed (unblurred) image stays revealed for the investigator who asked.
MEDIA_REVEAL_SECONDS = env_int("MEDIA_REVEAL_SECONDS", 600, minimum=1)

# Fonts embedded in the evidence packet's PDF (Debian's fonts-dejavu-core and fonts-symbola, which
# the Dockerfile and .ci/run install): text, bold, the ad text, and symbols and emoji for the
# characters the text font lacks. A missing file is logged and its characters are printed as
# [U+XXXX] rather than as empty boxes.
PACKET_FONT_TEXT = env_path(
    "PACKET_FONT_TEXT", Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
)
PACKET_FONT_BOLD = env_path(
    "PACKET_FONT_BOLD", Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
)
PACKET_FONT_MONO = env_path(
    "PACKET_FONT_MONO", Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
)
PACKET_FONT_SYMBOLS = env_path(
    "PACKET_FONT_SYMBOLS", Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
)

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Read-only files: evidence is written once and never changed.
        "OPTIONS": {
            "location": str(EVIDENCE_ROOT),
            "file_permissions_mode": 0o440,
            "directory_permissions_mode": 0o750,
        },
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Models -------------------------------------------------------------------------------------
MODEL_DIR = env_path("MODEL_DIR", VAR_DIR / "models")
RISK_MODEL_DIR = env_path("RISK_MODEL_DIR", MODEL_DIR / "active")
RISK_ENCODER_DIR = env_str("RISK_ENCODER_DIR", "")  # empty: the packaged all-MiniLM-L6-v2
RISK_ENCODER_BACKEND = env_str("RISK_ENCODER_BACKEND", "onnx-int8")
# Intra-op threads of the encoder in each process that scores (a Celery pool process). One: the
# worker scales by processes, and two processes of two spinning threads each on two cores spent
# twice the CPU per ad and five times the wall time (bench/pipeline.py, docs/benchmarks.md).
RISK_ENCODER_THREADS = env_int("RISK_ENCODER_THREADS", 1, minimum=1)
# The one definition of "flagged" and of "possible minor", stored on every AdScore row; pages,
# charts, maps and exports read the stored flags.
RISK_FLAG_THRESHOLD = env_float("RISK_FLAG_THRESHOLD", 0.5)
MINOR_FLAG_THRESHOLD = env_float("MINOR_FLAG_THRESHOLD", 0.5)
# When a head learnt from investigators' decisions replaces the lead score on pages
# (analytics/scoring/decisions.py): enough decisions of both kinds, and held-out figures that beat
# the lead score and are calibrated.
DECISION_HEAD_MIN_DECISIONS = env_int("DECISION_HEAD_MIN_DECISIONS", 300)
DECISION_HEAD_MIN_PER_CLASS = env_int("DECISION_HEAD_MIN_PER_CLASS", 30)
DECISION_HEAD_MAX_ECE = env_float("DECISION_HEAD_MAX_ECE", 0.05)

# --- Geocoding ----------------------------------------------------------------------------------
GEOCODER_BACKEND = env_str("GEOCODER_BACKEND", "gazetteer")
GEOCODER_URL = env_str("GEOCODER_URL", "")
GEOCODER_TIMEOUT_SECONDS = env_float("GEOCODER_TIMEOUT_SECONDS", 5.0)
# The map answers unwindowed requests from its rollup on PostgreSQL (maps/rollup.py); off: live.
MAP_ROLLUP = env_bool("MAP_ROLLUP", True)
# Up to this many located ads in view are drawn one by one; more are drawn as grid clusters.
MAP_MAX_POINTS = env_int("MAP_MAX_POINTS", 2_000)

# --- Access, sessions, retention ----------------------------------------------------------------
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
RETENTION_DAYS = env_int("RETENTION_DAYS", 180, minimum=1)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=365)
# Signed checkpoints of the audit chain, written where the database cannot change them.
AUDIT_CHECKPOINT_DIR = env_path("AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints")
AUDIT_CHECKPOINT_INTERVAL_SECONDS = env_int("AUDIT_CHECKPOINT_INTERVAL_SECONDS", 3600, minimum=60)
AUDIT_CHECKPOINT_EMAIL = env_list("AUDIT_CHECKPOINT_EMAIL", [])

# How often beat weighs the stored text links again under the matured shingle counts.
LINKS_RECHECK_INTERVAL_SECONDS = env_int("LINKS_RECHECK_INTERVAL_SECONDS", 3600, minimum=60)
# Periodic work, run by `celery -A config beat`; each task carries its own queue.
CELERY_BEAT_SCHEDULE = {
    "pipeline sweep": {
        "task": "ads.tasks.pipeline_sweep",
        "schedule": float(PIPELINE_SWEEP_INTERVAL_SECONDS),
    },
    "poll due sources": {"task": "ads.tasks.sources_poll_due", "schedule": 60.0},
    "retention purge": {"task": "ads.tasks.purge_expired", "schedule": 24 * 3600.0},
    "watchlist digests": {"task": "cases.tasks.watchlists_digest", "schedule": 300.0},
    "audit chain checkpoint": {
        "task": "audit.tasks.audit_checkpoint",
        "schedule": float(AUDIT_CHECKPOINT_INTERVAL_SECONDS),
    },
    "audit tallies": {"task": "audit.tasks.audit_flush_tallies", "schedule": 60.0},
    "text links rechecked": {
        "task": "analytics.tasks.links_recheck",
        "schedule": float(LINKS_RECHECK_INTERVAL_SECONDS),
    },
    "queue items follow merged and split networks": {
        "task": "cases.tasks.networks_reshaped_sync",
        "schedule": 60.0,
    },
}
# Nobody reads a TOTP seed back (not even an admin, whose power would otherwise cover the
# auditor's second factor): the admin shows no key, QR code or config URL.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", ["admin", "auditor"] if PRODUCTION else [])

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("LOGIN_COOLOFF_HOURS", 1.0)
# Lock the pair (account, address): five failures from one address lock that account from that
# address only, so nobody can lock another user out from elsewhere, or everyone behind one proxy.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Web hardening ------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# Addresses (or CIDR networks) of the reverse proxies whose X-Forwarded-For is believed.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
try:
    TRUSTED_PROXY_NETWORKS = tuple(ipaddress.ip_network(p, strict=False) for p in TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Static files, i18n -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Email (alerts) -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not PRODUCTION
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "alerts@localhost")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")  # absolute links in alert emails

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.access.PolicyPermission",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["accounts.authentication.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_THROTTLE_RATE", "600/min"),
        "lookup": env_str("API_LOOKUP_THROTTLE_RATE", "60/min"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
# Partners' regional statistics are the same for every partner and change slowly: computed at most
# once per this many seconds per query (0: every call). Every call is still audited.
PARTNER_STATS_CACHE_SECONDS = env_int("PARTNER_STATS_CACHE_SECONDS", 60, minimum=0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Anti-trafficking leads API",
    "DESCRIPTION": "Partner and investigator API. Partners see keyed tokens, never raw ids.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages follow the policy table like every other view (signed in).
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.IsAuthenticated",
        "core.access.PolicyPermission",
    ],
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "ads.models.EntityKind",
        "IdentifierKindEnum": "partners.serializers.IDENTIFIER_KIND_CHOICES",
    },
}

# A tile server's URL template ("https://tiles.example.org/{z}/{x}/{y}.png"; "{s}" for
# subdomains); empty: the offline outlines and place labels. Its origin is added to the pages'
# Content-Security-Policy img-src (core.middleware), so no other image host is allowed.
MAP_TILES_URL = env_str("MAP_TILES_URL", "")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION", "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (39.5, -98.35),
    "DEFAULT_ZOOM": 4,
    "TILES": MAP_TILES_URL,
    "NO_GLOBALS": True,
}

# --- Logging ------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}
