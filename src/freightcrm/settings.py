"""One settings module; every knob is an environment variable with a safe default.

The variables are listed in the README ("Configuration"). The same code runs the demo (SQLite in the
data folder) and production (PostgreSQL via DATABASE_URL).
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
env = environ.Env()

DATA_DIR = Path(env.str("FREIGHTCRM_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("FREIGHTCRM_DEBUG", default=False)
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """A secret from the environment, else one generated once and kept in the data folder (0600)."""
    configured = env.str("FREIGHTCRM_SECRET_KEY", default="")
    if configured:
        return configured
    from freightcrm.core.keyfile import read_or_create_secret

    return read_or_create_secret(SECRET_KEY_FILE)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("FREIGHTCRM_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("FREIGHTCRM_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "freightcrm.core",
    "freightcrm.customers",
    "freightcrm.shipments",
    "freightcrm.service",
    "freightcrm.intake",
    "ninja",  # its templates and static files: the API docs page works offline
    "freightcrm.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "freightcrm.core.middleware.ChineseFirstLocaleMiddleware",
    "freightcrm.api.middleware.ApiMiddleware",  # API: language from Accept-Language, JSON 404/405
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "freightcrm.core.middleware.FailClosedMiddleware",
]

ROOT_URLCONF = "freightcrm.urls"
WSGI_APPLICATION = "freightcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'freightcrm.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    # Chinese trigram search needs a UTF-8 collation type (see DESIGN.md); template0 allows choosing it.
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = "template0"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep each worker thread's connection between requests: opening one per request costs PostgreSQL a
# new backend process and SQLite its PRAGMAs (measured in bench.api). `?conn_max_age=` in the URL wins.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("FREIGHTCRM_DB_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("FREIGHTCRM_LANGUAGE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("FREIGHTCRM_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the finders; the folder must exist
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    # Every stored file (documents, scans, uploaded sheets, error workbooks, exports) is sealed at
    # rest with the archive's encryption key: core.storage.SealedStorage.
    "default": {"BACKEND": "freightcrm.core.storage.SealedStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded documents (contracts, licences) are private: served only through a permission-checked view.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FREIGHTCRM_MAX_DOCUMENT_BYTES = env.int("FREIGHTCRM_MAX_DOCUMENT_MB", default=20) * 1024 * 1024
FREIGHTCRM_MAX_IMPORT_BYTES = env.int("FREIGHTCRM_MAX_IMPORT_MB", default=50) * 1024 * 1024
# An import's upload and error workbook are deleted this many days after the job was last used.
FREIGHTCRM_IMPORT_KEEP_DAYS = env.int("FREIGHTCRM_IMPORT_KEEP_DAYS", default=30)
# OCR intake (intake/ocr.py): largest photo accepted, longest side it is shrunk to before reading
# (reading time grows with pixels; 1280 keeps a licence legible), model threads per process.
FREIGHTCRM_MAX_OCR_BYTES = env.int("FREIGHTCRM_MAX_OCR_MB", default=15) * 1024 * 1024
FREIGHTCRM_OCR_MAX_SIDE = env.int("FREIGHTCRM_OCR_MAX_SIDE", default=1280)
FREIGHTCRM_OCR_THREADS = env.int("FREIGHTCRM_OCR_THREADS", default=2)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("FREIGHTCRM_SESSION_SECONDS", default=8 * 3600)
SESSION_COOKIE_SECURE = env.bool("FREIGHTCRM_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "admin:login"

# Encryption at rest (core.crypto): keys from the environment, else a key file in the data folder.
FREIGHTCRM_ENCRYPTION_KEYS = env.str("FREIGHTCRM_ENCRYPTION_KEYS", default="")
FREIGHTCRM_BLIND_INDEX_KEY = env.str("FREIGHTCRM_BLIND_INDEX_KEY", default="")
FREIGHTCRM_KEY_FILE = DATA_DIR / "keys.json"

# Background tasks (Django's tasks API through `django-tasks`): kept in the database and run by
# `freightcrm db_worker`; the daily refresh of the due list re-schedules itself at this local time.
TASKS = {
    "default": {
        "BACKEND": env.str("FREIGHTCRM_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
FREIGHTCRM_DAILY_TASKS_AT = env.str("FREIGHTCRM_DAILY_TASKS_AT", default="02:30")
# How often overdue complaints are escalated (the shortest target is one hour).
FREIGHTCRM_ESCALATION_EVERY_MINUTES = env.int("FREIGHTCRM_ESCALATION_EVERY_MINUTES", default=10)
# Care lists (service.care): which active customers count as important for holiday care.
FREIGHTCRM_CARE_IMPORTANT_TAGS = env.list("FREIGHTCRM_CARE_IMPORTANT_TAGS", default=["重点客户"])
FREIGHTCRM_CARE_IMPORTANT_SPEND = env.int("FREIGHTCRM_CARE_IMPORTANT_SPEND", default=50)  # CNY 10k a year

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("FREIGHTCRM_LOG_LEVEL", default="WARNING")},
}

UNFOLD = {
    "SITE_TITLE": _("Freight CRM"),
    "SITE_HEADER": _("Freight CRM"),
    "SITE_SUBHEADER": _("Logistics customer archive"),
    "SITE_SYMBOL": "local_shipping",
    "SHOW_LANGUAGES": True,
    "SHOW_VIEW_ON_SITE": False,
    "STYLES": [lambda request: "/static/freightcrm/admin.css"],
    "COLORS": {
        "primary": {
            "50": "oklch(97.1% .013 236.62)",
            "100": "oklch(95.1% .026 236.824)",
            "200": "oklch(90.1% .058 230.902)",
            "300": "oklch(82.8% .111 230.318)",
            "400": "oklch(74.6% .16 232.661)",
            "500": "oklch(68.5% .169 237.323)",
            "600": "oklch(58.8% .158 241.966)",
            "700": "oklch(50% .134 242.749)",
            "800": "oklch(44.3% .11 240.79)",
            "900": "oklch(39.1% .09 240.876)",
            "950": "oklch(29.3% .066 243.157)",
        },
    },
    "SIDEBAR": {"show_search": True, "show_all_applications": True},
}
