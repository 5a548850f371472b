"""Settings of the CEP platform, read from the environment (see the README's table)."""

import os
import secrets
import sys
import warnings
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The test suite runs beside a running platform (`make run` and `make test` at the same time):
# under pytest the defaults below are the suite's own Redis databases, queue and media folder,
# so neither takes the other's tasks, cache entries or files (tests/test_suite_isolation.py).
UNDER_PYTEST = "pytest" in sys.modules
_REDIS_DB = {"broker": 10, "cache": 11} if UNDER_PYTEST else {"broker": 0, "cache": 1}

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-never-use-in-production"
elif not SECRET_KEY:
    # Tools (migration checks, collectstatic) run without one; a random key keeps an unset
    # production setting safe (nothing signed can be forged), at the cost of sessions that do
    # not survive a restart. The compose file refuses to start without SECRET_KEY.
    SECRET_KEY = secrets.token_urlsafe(50)
    warnings.warn("SECRET_KEY is not set: using a random key for this process.", stacklevel=1)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "widget_tweaks",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cep.apps.CepConfig",
    "cep.referentials.apps.ReferentialsConfig",
    "cep.security.apps.SecurityConfig",
    "cep.closure.apps.ClosureConfig",
    "cep.space.apps.SpaceConfig",
    "cep.continuity.apps.ContinuityConfig",
    "cep.duplicates.apps.DuplicatesConfig",
    "cep.managers.apps.ManagersConfig",
    "cep.search.apps.SearchConfig",
    "accueil",
    "conseil",
    "accompagnement",
    "synthese",
    "indicateurs",
    "devdata.apps.DevdataConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cep.security.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the views: every answer to a signed-in person is marked private, no-store.
    "cep.security.middleware.PrivateResponseMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cep.security.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so the operator's scope covers the view and nothing before it needs one.
    "cep.middleware.TenancyMiddleware",
    # Inside the scope: a service's refusal that no view caught becomes a French message.
    "cep.errors.ServiceRefusalMiddleware",
]

# No inline script or style: see cep/security.py.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "") or None

ROOT_URLCONF = "cep.urls"
WSGI_APPLICATION = "cep.wsgi.application"
ASGI_APPLICATION = "cep.asgi.application"

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
                "cep.context_processors.platform",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"
DSFR_MARK_OPTIONAL_FIELDS = True

# --- Database: PostgreSQL in production and tests; SQLite only as the demo's fallback.
SQLITE_FALLBACK_PATH = Path(os.environ.get("CEP_SQLITE_PATH", BASE_DIR / "var" / "demo.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_FALLBACK_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL with the row-level security setting kept in step with the scope (cep.rls).
    DATABASES["default"]["ENGINE"] = "cep.db"
# The role the application connects as in production, granted its rights after each `migrate`
# (run as the owner of the tables); empty when one role does both, as in the demo.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
if not os.environ.get("DATABASE_URL"):
    SQLITE_FALLBACK_PATH.parent.mkdir(parents=True, exist_ok=True)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors hold no permission
GUARDIAN_USER_OBJ_PERMS_MODEL = "cep.OperatorUserPermission"
GUARDIAN_GROUP_OBJ_PERMS_MODEL = "cep.OperatorGroupPermission"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: after this many failed attempts for one identifier (or from one address)
# within the window, logins are refused until the window has passed.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 8 * 3600  # a working day, at most
# A session without any request for this long ends (cep.security.middleware): long
# enough for an interview held without touching the screen, short enough for a forgotten tab.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", "3600"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS only outside development: HSTS for a year (subdomains and preload list included), and
# any plain HTTP request redirected. Behind a reverse proxy that ends TLS, it says so in
# X-Forwarded-Proto (TRUST_X_FORWARDED_PROTO=1). The health check answers over HTTP for the
# container's own probe.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # runserver and tests serve from the apps, no collectstatic needed
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(
    os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / ("test-media" if UNDER_PYTEST else "media"))
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or UNDER_PYTEST
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CEP <ne-pas-repondre@cep.example>")

# --- Cache (login throttling): Redis, a database of its own; in-process only for a demo without
# Redis (CACHE_URL=locmem://).
CACHE_URL = os.environ.get("CACHE_URL", f"redis://127.0.0.1:6379/{_REDIS_DB['cache']}")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if CACHE_URL.startswith("locmem")
        else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    )
}

# --- Celery: Redis as broker; eager in-process when the demo has no Redis.
REDIS_URL = os.environ.get("REDIS_URL", f"redis://127.0.0.1:6379/{_REDIS_DB['broker']}")
CELERY_BROKER_URL = REDIS_URL
# One queue name per installation sharing a Redis server: the worker consumes only this one.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "cep-tests" if UNDER_PYTEST else "cep")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A message a dead worker took is given to another one after this many seconds. It must exceed
# the longest task (the synthèse's time limit) and the longest retry delay, or a running task
# would be delivered twice (harmless, the tasks are idempotent, but wasteful).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "synthese-sweep-stuck": {
        "task": "synthese.tasks.sweep_stuck_documents",
        "schedule": 300.0,
    },
    "indicateurs-send-due-surveys": {
        "task": "indicateurs.tasks.send_due_surveys",
        "schedule": 3600.0,  # hourly: a survey due today leaves the same day
    },
    "cep-apply-retention": {
        "task": "cep.managers.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=45),  # nightly, after the managers could read it
    },
    "cep-purge-audit": {
        "task": "cep.tasks.purge_old_audit_events",
        "schedule": crontab(hour=3, minute=15),  # nightly
    },
    "cep-expire-transfers": {
        "task": "cep.continuity.tasks.expire_transfers",
        "schedule": 3600.0,  # hourly: a transfer past its time stops being readable soon after
    },
    "accueil-resend-lost-cancellations": {
        "task": "accueil.tasks.resend_lost_cancellations",
        "schedule": 600.0,  # every 10 minutes: a cancellation reaches people before the session
    },
    "indicateurs-rebuild-snapshots": {
        "task": "indicateurs.tasks.rebuild_recent_snapshots",
        # Nightly, so a month is stored the night after it ends and redone the next nights
        # while late records (a service entered a few days later) still come in.
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- API
REST_FRAMEWORK = {
    # The token first: its "WWW-Authenticate: Token" makes a missing, unknown or revoked key a
    # 401 (DRF takes the header of the first class; the session's has none, hence a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cep.api.auth.MembershipTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cep.api.permissions.HasOperatorPermission"],
    "DEFAULT_PAGINATION_CLASS": "cep.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # A service's refusal is a field-level 400; messages in French, naming no model.
    "EXCEPTION_HANDLER": "cep.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de la plateforme CEP",
    "DESCRIPTION": (
        "Bénéficiaires, parcours et prestations d'un opérateur du conseil en évolution "
        "professionnelle. Chaque jeton appartient à une habilitation (un utilisateur dans un "
        "opérateur) : l'API ne montre que les données de cet opérateur."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status": each set of choices gets its own explicit name.
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "cep.models.Level",
        "ActionStatusEnum": "accompagnement.models.Action.Status",
        "FundingRequestStatusEnum": "accompagnement.models.FundingRequest.Status",
        "VersionStatusEnum": "conseil.models.AgreedVersion.Status",
        "RoutingStatusEnum": "accueil.models.Routing.Status",
        "SynthesisStatusEnum": "synthese.models.SynthesisDocument.Status",
        "TransferStatusEnum": "cep.continuity.models.Transfer.Status",
        "ServiceChannelEnum": "cep.models.Service.Channel",
        "AgreementChannelEnum": "conseil.models.AgreementChannel",
    },
}

# Collective information sessions: default number of places (the maximum, 20, is a rule).
INFORMATION_SESSION_DEFAULT_CAPACITY = int(
    os.environ.get("INFORMATION_SESSION_DEFAULT_CAPACITY", "12")
)

# Level-3 alerts on the référent's home page.
FUNDING_ANSWER_ALERT_DAYS = int(os.environ.get("FUNDING_ANSWER_ALERT_DAYS", "30"))
PLAN_INACTIVITY_ALERT_DAYS = int(os.environ.get("PLAN_INACTIVITY_ALERT_DAYS", "45"))

# Synthèse: render time limit, when a pending document counts as stuck, how long an e-mailed
# link stays valid, and the public address used in e-mails.
SYNTHESIS_RENDER_TIME_LIMIT_SECONDS = int(os.environ.get("SYNTHESIS_RENDER_TIME_LIMIT", "120"))
SYNTHESIS_STUCK_AFTER_SECONDS = int(os.environ.get("SYNTHESIS_STUCK_AFTER", "600"))
SYNTHESIS_LINK_MAX_AGE_SECONDS = int(os.environ.get("SYNTHESIS_LINK_MAX_AGE", str(14 * 86400)))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

PLATFORM_NAME = "Conseil en évolution professionnelle"
PLATFORM_TAGLINE = "Plateforme des opérateurs du CEP"
# Where a person reports an accessibility problem (the accessibility declaration, /accessibilite/).
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "accessibilite@cep.example"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step at INFO; its warnings are what matters.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Beneficiary space: how long an invitation link works, and how long an idle session lasts.
BENEFICIARY_INVITATION_DAYS = int(os.environ.get("BENEFICIARY_INVITATION_DAYS", "7"))
# Days without contact after which a file is anonymised by the nightly job (CNIL: the active
# file is kept 2 years after the last contact), unless a legal retention holds it.
FILE_RETENTION_DAYS = int(os.environ.get("FILE_RETENTION_DAYS", "730"))
# Days the audit trail keeps an event (CNIL: 6 to 12 months for access logs).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
# A second factor (TOTP) for managers and admins, and for the counsellors of operators that ask
# it. The demo (`make run`) turns it off so its accounts open with their password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Plateforme CEP"
# Seconds a counsellor's home alerts are kept before being computed again.
HOME_ALERTS_CACHE_SECONDS = int(os.environ.get("HOME_ALERTS_CACHE_SECONDS", "60"))
# Days the receiving operator has to accept or refuse a transfer before it expires.
TRANSFER_DECISION_DAYS = int(os.environ.get("TRANSFER_DECISION_DAYS", "15"))
BENEFICIARY_SESSION_IDLE_SECONDS = int(os.environ.get("BENEFICIARY_SESSION_IDLE", "1800"))
# Erasure: a file with a public funding granted is kept this many years for the funders' controls.
ERASURE_FUNDING_RETENTION_YEARS = int(os.environ.get("ERASURE_FUNDING_RETENTION_YEARS", "3"))
# Follow-up survey: how long its e-mailed link stays open.
SURVEY_LINK_MAX_AGE_SECONDS = int(os.environ.get("SURVEY_LINK_MAX_AGE", str(90 * 86400)))
# End of a parcours: days after its end during which the référent or a manager may reopen it
# (past them, a new parcours is opened, linked to the ended one).
PARCOURS_REOPEN_DAYS = int(os.environ.get("PARCOURS_REOPEN_DAYS", "90"))
# Days without contact after which "no news" is proposed as the end (never applied by itself).
NO_NEWS_ALERT_DAYS = int(os.environ.get("NO_NEWS_ALERT_DAYS", "90"))

# --- Indicators
# Published counts below this are masked (statistical secrecy), with secondary suppression.
STATISTICAL_SECRECY_THRESHOLD = int(os.environ.get("STATISTICAL_SECRECY_THRESHOLD", "11"))
# The nightly job redoes the closed months this far back (late records still come in).
INDICATOR_SNAPSHOT_MONTHS_BACK = int(os.environ.get("INDICATOR_SNAPSHOT_MONTHS_BACK", "2"))
# Managers' follow-up: an open parcours without any service for this many days is stale.
STALE_PARCOURS_DAYS = int(os.environ.get("STALE_PARCOURS_DAYS", "60"))
