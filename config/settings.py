"""One env-driven settings module.

Without environment variables the app runs embedded: SQLite under var/, tasks run in-process,
local-memory cache, email to the console. DATABASE_URL switches to PostgreSQL, REDIS_URL to
Celery on Redis and a Redis cache. DJANGO_DEBUG=0 (the default) is production mode, in which
the app refuses to start without a strong SECRET_KEY.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.release import code_stamp

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
TESTING = env_bool("DJANGO_TESTING")

# Secrets: a development key only when DEBUG or testing; production refuses weak ones.
INSECURE_DEV_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = INSECURE_DEV_KEY


def check_secret_key(key: str) -> None:
    """Refuse a missing or weak secret: at least 50 characters, 5 distinct, no insecure prefix."""
    if not key:
        raise ImproperlyConfigured("SECRET_KEY is not set. Set it to a random string of 50+ characters.")
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak: use 50+ random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )


if not (DEBUG or TESTING):
    check_secret_key(SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.SchedulerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "django_celery_beat",
    "import_export",
    "health_check",
    "csp",
    "django_guid",
    "djangosaml2",
    "guardian",
    # Ours, lowest layer first
    "tenants",
    "notifications",
    "absences",
    "credentials",
    "scheduling",
    "swaps",
    "analytics",
    "integrations",
    "integrations.imports",
    "integrations.feeds",
    "integrations.exports",
    "mobile",
    "integrations.jobs",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tenants.middleware.ActiveProgramMiddleware",
    "tenants.mfa.SecondFactorMiddleware",
    # Last: turns a sign-in that axes locked out into the login page's lockout message.
    "axes.middleware.AxesMiddleware",
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
                "tenants.context_processors.active_program",
                "notifications.context_processors.unread_notifications",
                "swaps.context_processors.swap_approvals",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "scheduler.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and background work: Redis when REDIS_URL is set, else in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Keys carry a stamp of the code (config.release): a deploy never reads what older templates or classes cached.
    CACHES = {
        "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": code_stamp(BASE_DIR)}
    }
    # Sessions read from the shared cache (written through to the database): one query less on every request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Results are kept only by tasks that ask (ignore_result=False): a chord's callback (analytics contingency fan-out)
# waits on its group's results, which needs a result backend; every other task stores nothing.
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "notifications.tasks.*": {"queue": "notifications"},
    "scheduling.tasks.*": {"queue": "solver"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# Notifications: each user's daily digest at their hour, and emails held for quiet hours, checked hourly.
CELERY_BEAT_SCHEDULE["notifications-digests"] = {
    "task": "notifications.tasks.digests_send_due_task",
    "schedule": crontab(minute=0),
}
CELERY_BEAT_SCHEDULE["notifications-release-held"] = {
    "task": "notifications.tasks.email_logs_release_due_task",
    "schedule": crontab(minute=0),
}
CELERY_BEAT_SCHEDULE["notifications-release-held-push"] = {
    "task": "notifications.tasks.push_logs_release_due_task",
    "schedule": crontab(minute=0),
}
# Credentials: certification expiry reminders (180/90/30/14/7 days), daily; each is sent once.
CELERY_BEAT_SCHEDULE["credentials-certification-reminders"] = {
    "task": "credentials.tasks.certification_reminders_send",
    "schedule": crontab(minute=30, hour=11),
}
# Swaps: open swaps past their expiry (the program's days, or the shift's start) expire, every 15 minutes.
CELERY_BEAT_SCHEDULE["swaps-expire"] = {
    "task": "swaps.tasks.swaps_expire_task",
    "schedule": crontab(minute="*/15"),
}
# Analytics: each program's fairness and resilience level snapshot nightly (its managers hear of a rise to ORANGE or
# worse), and the N-1 contingency analysis of each program's coming block weekly, on Sunday night.
CELERY_IMPORTS = ("analytics.tasks_periodic",)
CELERY_BEAT_SCHEDULE["analytics-snapshots-nightly"] = {
    "task": "analytics.tasks_periodic.analytics_snapshots_nightly_task",
    "schedule": crontab(minute=15, hour=7),  # 02:15 in the Eastern programs, after the day's changes
}
CELERY_BEAT_SCHEDULE["analytics-contingency-weekly"] = {
    "task": "analytics.tasks_periodic.analytics_contingency_weekly_task",
    "schedule": crontab(minute=30, hour=7, day_of_week=0),
}
# Background jobs: their files are removed JOB_FILE_DAYS days after the job finished, daily.
CELERY_BEAT_SCHEDULE["jobs-purge-files"] = {
    "task": "integrations.jobs.tasks.job_files_purge_task",
    "schedule": crontab(minute=50, hour=3),
}
# Exports: saved export templates emailed weekly or monthly at their hour, checked hourly; each period goes once.
CELERY_BEAT_SCHEDULE["exports-deliveries"] = {
    "task": "integrations.exports.tasks.export_deliveries_send_due_task",
    "schedule": crontab(minute=5),
}
# Analytics: daily, coordinators hear (once per quarter) when the quarter starting within 4 weeks has unbalanced FMIT.
CELERY_BEAT_SCHEDULE["analytics-fmit-balance-daily"] = {
    "task": "analytics.tasks_periodic.analytics_fmit_balance_daily_task",
    "schedule": crontab(minute=45, hour=7),
}
# Audit log: events older than two years are purged, daily.
CELERY_BEAT_SCHEDULE["audit-purge"] = {
    "task": "tenants.tasks.audit_purge_task",
    "schedule": crontab(minute=40, hour=3),
}
# Idempotency-Keys past IDEMPOTENCY_KEY_HOURS are purged, daily.
CELERY_BEAT_SCHEDULE["idempotency-keys-purge"] = {
    "task": "tenants.tasks.idempotency_keys_purge_task",
    "schedule": crontab(minute=45, hour=3),
}

# Auth: sign-in by email (allauth) on an invite-only site; a new address is verified by a link before its first
# sign-in; passwords of 12+ characters. Failed sign-ins are counted per account and per address (django-axes):
# 5 lock both out for 15 minutes, each further lockout within a day doubles it (up to a day), an admin unlocks
# (the user admin's action, or the "Access attempts" admin). Every attempt is kept (AccessLog, AccessFailureLog).
# Managers (program admins and coordinators, staff, superusers) and members of a program that asks for it pass
# a second factor (allauth.mfa: TOTP, passkeys + recovery codes) before anything else, and before the admin site.
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any check
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "tenants.saml_backend.InstitutionSaml2Backend",
    "guardian.backends.ObjectPermissionBackend",  # one person's rows (tenants.ownership)
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors hold no object permissions
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_ADAPTER = "tenants.adapters.InviteOnlyAccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": None}  # failed sign-ins: django-axes below (lockout + admin unlock)
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = "tenants.login_security.cool_off"
AXES_USERNAME_CALLABLE = "tenants.login_security.username_of"
AXES_LOCKOUT_CALLABLE = "tenants.login_security.lockout_response"
# A success does not wipe the count: interleaving sign-ins to an account of one's own would reset the address's.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False
# Behind a reverse proxy, the client address is the X-Forwarded-For entry this many proxies from the right.
AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_PROXY_COUNT"]) if os.environ.get("AXES_PROXY_COUNT") else None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ADAPTER = "tenants.adapters.SecondFactorAdapter"
# Passkeys (WebAuthn, the fido2 package): added on the security page, they sign in without a password (the device
# checks a fingerprint, face or PIN) and count as the second factor. No sign-up by passkey: accounts are invited.
# The browser binds a passkey to the host name: https in production, http://localhost (not 127.0.0.1) in development.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Residency Scheduler")

# Single sign-on (SAML, djangosaml2): one service provider per institution, configured from the institution's
# settings["sso"] for each request (docs/sso.md). The SP key pair comes from files; debug and tests make one in var/.
SAML_CONFIG_LOADER = "tenants.saml.sp_config_for_request"
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "")
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"  # no auto-submitted form, no script
SAML_DJANGO_USER_MAIN_ATTRIBUTE = "email"
SAML_CSP_HANDLER = ""  # the redirect binding needs no CSP exception

# Email: console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))  # seconds; a hung SMTP server fails the attempt
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Residency Scheduler <scheduler@localhost>")
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")  # public address, for links in emails
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Web push (VAPID): base64url keys, e.g. from `manage.py vapid_keys`. Without them push is off, except with DEBUG,
# where a key pair is made once into VAR_DIR/vapid.json (notifications/webpush.py). Subscriptions are accepted
# only for the browsers' push services named here (host or parent domain, https): the server posts to them.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "")  # mailto:someone@your.org, told to the push services
WEBPUSH_SERVICE_HOSTS = env_list(
    "WEBPUSH_SERVICE_HOSTS",
    "fcm.googleapis.com,android.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com",
)
WEBPUSH_TIMEOUT = int(os.environ.get("WEBPUSH_TIMEOUT", "10"))  # seconds; a hung push service fails the attempt

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Background jobs (integrations/jobs, docs/import.md): an export of more than EXPORT_JOB_ROWS rows and an import
# of more than IMPORT_JOB_ROWS rows run in the background with a progress page. Their files live under
# JOB_FILES_ROOT (outside MEDIA_ROOT, never served but through the job's download view) for JOB_FILE_DAYS days;
# a job queued or running for JOB_STALE_HOURS is taken for dead.
EXPORT_JOB_ROWS = int(os.environ.get("EXPORT_JOB_ROWS", "10000"))
IMPORT_JOB_ROWS = int(os.environ.get("IMPORT_JOB_ROWS", "1000"))
JOB_FILES_ROOT = Path(os.environ.get("JOB_FILES_ROOT", VAR_DIR / "private" / "jobs"))
JOB_FILE_DAYS = 7
JOB_STALE_HOURS = 6

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal access tokens first, so an unauthenticated request gets 401 with WWW-Authenticate: Bearer;
        # the older `Token <key>` keys keep working for existing integrations.
        "tenants.authentication.PersonalAccessTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.api_permissions.ProgramRolePermission"],
    # JSON bounded in size, depth and numbers (config/parsers.py); forms and uploads as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["tenants.filters.FilterBackend"],  # bounded query parameters
    "DEFAULT_PAGINATION_CLASS": "tenants.pagination.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.problems.problem_exception_handler",
    # One bucket per token, per user (at their role's rate in the active program) or per anonymous address.
    "DEFAULT_THROTTLE_CLASSES": ["tenants.throttles.RoleRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        scope: os.environ.get(f"API_RATE_{scope.upper()}", default)
        for scope, default in {
            "anonymous": "60/min",
            "resident": "600/min",
            "coordinator": "1200/min",
            "admin": "1200/min",
            "token": "1200/min",
        }.items()
    },
}
# Idempotency-Key: a POST that starts work, retried with the same key, is answered from this store for 24 h.
IDEMPOTENCY_KEY_HOURS = 24
SPECTACULAR_SETTINGS = {
    # postprocess_schema_enums is drf-spectacular's default; then the Idempotency-Key refusals and every operation's 429
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tenants.idempotency.document_idempotency_refusals",
        "tenants.throttles.document_rate_limit",
    ],
    "TITLE": "Residency Scheduler API",
    "DESCRIPTION": "Schedules, people and rotations of a residency program. "
    "Send X-Organization-ID to choose the program; errors are RFC 7807 problem+json.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Swagger UI served from our own static files: hospital networks often block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set several serializers share (a swap's kind: read, requested, needing approval).
    "ENUM_NAME_OVERRIDES": {
        "SwapKindEnum": "swaps.models.Swap.Kind",
        "PersonKindEnum": "scheduling.models.Person.Kind",
        "RotationKindEnum": "scheduling.models.RotationTemplate.Kind",
        "AbsenceKindEnum": "absences.models.AbsenceKind",
        "AbsenceStatusEnum": "absences.models.Absence.Status",
        "SwapStatusEnum": "swaps.models.Swap.Status",
        "ContingencyStatusEnum": "analytics.models.ContingencyAnalysis.Status",
        "FileJobStatusEnum": "integrations.jobs.models.FileJob.Status",
    },
}

# Security (production mode; DEBUG relaxes what needs HTTPS on localhost).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not (DEBUG or TESTING)
CSRF_COOKIE_SECURE = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if (DEBUG or TESTING) else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and stylesheets only from our own static files, no inline
# script or event handler, no framing, forms post only here (CSP_FORM_ACTION adds a SAML IdP's address for
# the SSO post binding, whose auto-submitting script carries the request's nonce). Style *attributes* stay
# allowed ('unsafe-inline' in style-src-attr only): the schedule paints each rotation in the colour the
# program chose, stored in the database; a <style> element is still refused.
FORM_ACTION_ORIGINS = env_list("CSP_FORM_ACTION")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *FORM_ACTION_ORIGINS],
    }
}
# Swagger UI and ReDoc start with an inline script and style (see config/csp.py); ReDoc runs a blob: worker.
API_DOCS_CSP_DIRECTIVES = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "style-src-elem": [SELF, UNSAFE_INLINE],
    "worker-src": [SELF, "blob:"],
}
# Permissions-Policy (django-permissions-policy): no page of ours uses these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope")
    + ("magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking")
}

# Logs: one JSON object a line in production (python-json-logger), readable lines with DEBUG; both carry the
# request's id (django-guid: the X-Request-ID header when a proxy sends a UUID, else a new one, echoed back).
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID"}
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if (DEBUG or TESTING) else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step (and its own stylesheets at import) at INFO; django-guid each new id.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},  # pysaml2's schemas log a line at every start
    },
}

# Domain defaults
DEFAULT_PROGRAM_TIME_ZONE = "America/New_York"

# History and spreadsheets: the admin's history pages only show past versions (a revert would skip the
# services' rules); cells of admin exports that a spreadsheet would run as a formula are written as text.
SIMPLE_HISTORY_REVERT_DISABLED = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
