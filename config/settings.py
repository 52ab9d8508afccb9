"""Settings for 地域資源マップ. Every value that differs between machines comes from the environment
(see README.md and .env.example); nothing else should need editing."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "directory",
    "plans",
    "api",
    "mapviews",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateForSignedInUsers",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directory.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and a writer work at once; a 64 MiB page cache and memory-mapped reads keep search
    # off the disk (measured by `manage.py benchmark_search`). IMMEDIATE transactions take the write lock
    # when they begin, so a write that first reads (the If-Match check of an edit) never works from a
    # snapshot another writer has just made stale.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command=(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
            " PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;"
        ),
        transaction_mode="IMMEDIATE",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins (the login page and the admin's) are counted per account and per client by django-axes:
# the LOGIN_FAILURE_LIMIT-th failure of either locks it out for LOGIN_COOLOFF_MINUTES after the last one,
# right password or not. The backend only refuses locked-out logins; ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "directory.throttling.client_address"  # as the request rates name a client
AXES_LOCKOUT_CALLABLE = "config.views.login_locked_out"
AXES_DISABLE_ACCESS_LOG = True  # failures are counted; successful logins are not recorded
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "directory:home"
LOGOUT_REDIRECT_URL = "directory:home"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("英語"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS. A deployment (DEBUG off) is served over HTTPS behind a proxy that sets X-Forwarded-Proto: every
# protection is on unless its variable turns it off; development (DEBUG on) runs plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Only behind a proxy that sets (and never passes on) X-Forwarded-Proto may the header say a request is HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", not DEBUG) else None
)

# Content-Security-Policy of every response (django-csp): our own files only; an inline <script> or <style>
# runs only with the request's nonce (the map's folium document and the Swagger UI carry it). The map page
# adds its tile host to img-src (mapviews/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Domain settings.
# 確認日 (verified_at) badges: confirmed within VERIFIED_FRESH_MONTHS is fresh, within VERIFIED_STALE_MONTHS
# getting old; older (or never) is 未確認 and in the coordinator's queue.
VERIFIED_FRESH_MONTHS = env_int("VERIFIED_FRESH_MONTHS", 6, minimum=1)
VERIFIED_STALE_MONTHS = env_int("VERIFIED_STALE_MONTHS", 12, minimum=1)
if VERIFIED_STALE_MONTHS < VERIFIED_FRESH_MONTHS:
    raise ImproperlyConfigured(
        f"VERIFIED_STALE_MONTHS ({VERIFIED_STALE_MONTHS}) must be at least VERIFIED_FRESH_MONTHS "
        f"({VERIFIED_FRESH_MONTHS})"
    )
# A vacancy report older than this many days no longer counts as a current vacancy.
VACANCY_FRESH_DAYS = env_int("VACANCY_FRESH_DAYS", 30, minimum=1)
# Map tiles: GSI 淡色地図 by default, OpenStreetMap as an option, "none" for offline use.
MAP_TILES = env_choice("MAP_TILES", "gsi-pale", {"gsi-pale", "osm", "none"})
# The region (slug) a map shows when its search names no area; empty: the first region by name.
MAP_DEFAULT_REGION = env_str("MAP_DEFAULT_REGION", "")
# The most pins one map draws (the first in the search's order); the page says when there were more.
MAP_MAX_MARKERS = env_int("MAP_MAX_MARKERS", 20000, minimum=1)

# django-filter's empty choice in the search forms' drop-downs, instead of "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("指定しない")
# Ratings older than this many months (not confirmed by their author since) no longer count.
RATING_WINDOW_MONTHS = env_int("RATING_WINDOW_MONTHS", 36, minimum=1)
# The public sees a rating aggregate only where at least this many professionals rated (never fewer than 3).
RATING_PUBLIC_MIN_RATERS = env_int("RATING_PUBLIC_MIN_RATERS", 3, minimum=3)
# The address the reminders of `remind_stale` link to.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# E-mail (remind_stale): printed to the console in development, SMTP otherwise unless set.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "地域資源マップ <noreply@localhost>"

# One cache for every worker: request rates are counted there. Redis when REDIS_URL is set (several
# machines), else files under CACHE_DIR, which every worker of this machine shares (a database cache would
# turn each anonymous read into a write transaction of about six queries).
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "cache")),
        # Past this many entries Django drops a third of them, request counts included.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.StandardPagination",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",  # refuses a body nested too deep with a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "120/minute"),
        "user": env_rate("API_THROTTLE_USER", "1200/minute"),
        # The HTML map, its popups and the CSV export (directory/throttling.py), per signed-in user or client.
        "map": env_rate("MAP_THROTTLE", "60/minute"),
        "pin": env_rate("MAP_PIN_THROTTLE", "600/minute"),
        "csv": env_rate("CSV_THROTTLE", "10/minute"),
    },
    # How many proxies of ours add to X-Forwarded-For: the client is the address that many from its end.
    # 0 ignores the header (a client may write anything there).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "地域資源マップ API",
    "DESCRIPTION": "Community resource catalogue for Japanese disability welfare (障害福祉).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the public validator: the page asks nothing of other hosts (and the policy forbids it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_error_answers",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ResourceKindEnum": "directory.choices.ResourceKind",
        "VisibilityEnum": "directory.choices.Visibility",
        "ResourceStatusEnum": "directory.choices.ResourceStatus",
        "FeeKindEnum": "directory.choices.FeeKind",
        "FeeUnitEnum": "directory.choices.FeeUnit",
        "DayTypeEnum": "directory.choices.DayType",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "WARNING", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    },
}
