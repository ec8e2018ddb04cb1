"""Settings shared by every environment; everything that varies comes from the environment."""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from saas_platform.email_url import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)

# The studio's host is the allow-list: the tenant middleware answers 404 to any host that
# is not a Domain row, so Django's own ALLOWED_HOSTS check would only turn that into a 400.
ALLOWED_HOSTS = ["*"]

BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost").lower()
# Port appended to studio URLs we build ourselves (sign-up redirect, e-mails); empty in production.
PUBLIC_PORT = os.environ.get("PUBLIC_PORT", "")
PUBLIC_SCHEME = os.environ.get("PUBLIC_SCHEME", "https")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "billing",
    "operator_console",
    "public_site",
    "saas_platform.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files as static files: /api/docs/ needs no CDN
    "sorl.thumbnail",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "saas_platform.accounts",
    "studio.core",
    "studio.audit",
    "studio.sms",
    "studio.dashboard",
    "studio.api_tokens",
    "studio.schools",
    "studio.shoots",
    "studio.photos",
    "studio.retouching",
    "studio.catalogue",
    "studio.access",
    "studio.orders",
    "studio.payments",
    "studio.ledger",
    "studio.payroll",
    "studio.commissions",
    "studio.parents",
    "studio.storefront",
    "studio.downloads",
    "studio.plan",
    "studio.domains",
    "studio.settings",
    "studio.exports",
    "studio.reports",
    "studio.privacy",
    "studio.campaigns",
    "studio.preorders",
    "studio.yearbook",
    "studio.demo",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Studio"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New studios are copied from this schema instead of running every migration (README, "How
# tenancy works", Sign-up).
TENANT_BASE_SCHEMA = "studio_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Spare studio schemas kept ready (copied and migrated ahead of time by
# ``tenants.tasks.spare_schemas_refill``), so a sign-up renames one instead of copying the
# base schema; 0 = none, every sign-up copies (README, "Sign-up").
TENANT_SPARE_SCHEMAS = int(os.environ.get("TENANT_SPARE_SCHEMAS", "3"))
TENANT_SUBPROCESS_PARALLEL = int(os.environ.get("TENANT_MIGRATION_PARALLEL", "4"))
# The cached host lookup lives in tenants.middleware; unknown hosts get a plain 404.
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False

MIDDLEWARE = [
    "tenants.middleware.CachedTenantMiddleware",
    "saas_platform.api_errors.ApiJsonErrorsMiddleware",  # JSON errors under /api/, always
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "saas_platform.i18n.StudioLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "saas_platform.accounts.middleware.SchemaBoundSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "billing.middleware.LicenceReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "saas_platform.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "saas_platform.urls_public"
WSGI_APPLICATION = "saas_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saas_platform.context_processors.platform",
                "billing.context_processors.licence_banner",
            ],
            "builtins": ["saas_platform.templatetags.formatting"],
        },
    }
]


def database_from_url(url: str) -> dict:
    """``CONN_MAX_AGE`` (seconds, default 60) bounds how long a server backend lives, and so how
    many studios' catalogs it caches (``infra/README.md``, "Database connections")."""
    config = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    config["ENGINE"] = "django_tenants.postgresql_backend"
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", "")

# Back-pressure (saas_platform.backpressure): database connections one web process may hold
# (default WEB_THREADS, the gunicorn threads, so every thread keeps one), how long a request may
# have waited before it is answered "busy" (503) instead, and the Retry-After it is given.
WEB_DB_CONNECTIONS = int(
    os.environ.get("WEB_DB_CONNECTIONS") or os.environ.get("WEB_THREADS") or "8"
)
WEB_SHED_QUEUE_MS = int(os.environ.get("WEB_SHED_QUEUE_MS") or "1000")
WEB_RETRY_AFTER = int(os.environ.get("WEB_RETRY_AFTER") or "5")
REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASES = {"default": database_from_url(DATABASE_URL)} if DATABASE_URL else {}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]


def caches_from_url(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # Tenant-prefixed keys: the same key in two studios never collides.
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }


CACHES = caches_from_url(REDIS_URL) if REDIS_URL else {}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# New passwords are hashed with Argon2 (Django's recommended hasher: memory-hard, 100 MiB per
# hash, so guessing on GPUs costs far more than against PBKDF2, in less time per sign-up than
# PBKDF2's 1M iterations; benchmarks/provision.py times both). Existing PBKDF2 hashes still
# verify and are rehashed with Argon2 at the owner's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions and CSRF cookies stay on the host that set them: no parent-domain cookie.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("uk", _("Ukrainian"))]
# One date and time format per language (saas_platform/formats/), used by pages, e-mails and PDFs.
FORMAT_MODULE_PATH = ["saas_platform.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
# Where collectstatic writes; set it when running from an installed package (BASE_DIR is then
# site-packages).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "saas_platform" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# One process's scratch space (a file being put together from its chunks, a ZIP being
# unpacked, a copy of an original from S3); never shared, emptied as each job ends. Chunks of
# uploads in progress live in the originals storage, which every process shares.
UPLOAD_TEMP_DIR = os.environ.get(
    "UPLOAD_TEMP_DIR", os.path.join(tempfile.gettempdir(), "pictureday-uploads")
)
# Where a worker builds a studio's export ZIP before storing it (as large as the export);
# the system's temporary folder when unset.
EXPORT_TEMP_DIR = os.environ.get("EXPORT_TEMP_DIR") or None
# What the uploader sends per request, and the most the API accepts for one chunk (refused by
# its Content-Length, before the body is read).
UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024
UPLOAD_CHUNK_MAX_BYTES = int(
    os.environ.get("UPLOAD_CHUNK_MAX_BYTES", str(UPLOAD_CHUNK_BYTES + 1024 * 1024))
)
# An upload nobody went on with for this long is given up: marked rejected with the reason,
# its chunk objects deleted (``uploads_abandoned_sweep``, hourly).
UPLOAD_ABANDON_HOURS = int(os.environ.get("UPLOAD_ABANDON_HOURS", "72"))
# Parents' thumbnails and previews are reached through signed links (saas_platform.images):
# a link names one studio, photo and rendition, expires after one to two of these windows
# and dies at once when something is withdrawn (local storage; S3's presigned links by expiry).
IMAGE_LINK_SECONDS = int(os.environ.get("IMAGE_LINK_SECONDS", "300"))
IMAGE_URL_PREFIX = "/images/"
# How long a browser keeps an image it fetched (its URL changes with the window and version).
IMAGE_LINK_CACHE_SECONDS = 86400
# How long the download links of a paid order work; parents can ask for new ones.
DOWNLOAD_LINK_DAYS = int(os.environ.get("DOWNLOAD_LINK_DAYS", "30"))
MAX_ZIP_BYTES = 4 * 1024**3
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_CHUNK_BYTES + 1024 * 1024
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))
# Media keys are prefixed by the current schema: "<MEDIA_ROOT>/<schema>/...".
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# sorl-thumbnail makes the logo's display sizes (studio.settings): under the studio's
# "branding/", the one public part of its media.
THUMBNAIL_PREFIX = "branding/cache/"

STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "saas_platform.storage.TenantS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            # SigV4: what every region accepts (SigV2 presigning is refused by new buckets)
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
    _originals_storage = {
        "BACKEND": "saas_platform.storage.TenantS3Storage",
        "OPTIONS": {
            **_default_storage["OPTIONS"],
            "bucket_name": os.environ.get("AWS_ORIGINALS_BUCKET_NAME")
            or os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "custom_domain": None,
            "querystring_expire": 300,
            # Reads larger than this spill to disk instead of being held in memory.
            "max_memory_size": 10 * 1024 * 1024,
        },
    }
else:
    _default_storage = {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"}
    _originals_storage = {"BACKEND": "saas_platform.storage.TenantPrivateFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    # Originals and retouched versions: private, reached only through permission-checked views.
    "originals": _originals_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Outgoing mail: EMAIL_URL, or EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT (saas_platform.email_url).
globals().update(email_settings(os.environ, "django.core.mail.backends.console.EmailBackend"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pictureday <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call is told 401 with WWW-Authenticate: Bearer.
        "saas_platform.accounts.authentication.SchemaBoundTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "saas_platform.api_schema.StudioAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pictureday API",
    "DESCRIPTION": (
        "A studio's schools, picture days, photos, uploads, retouching, access codes, "
        "catalogue, orders, payments, parents, pay and reports, on the studio's host."
    ),
    "VERSION": "1.0.0",
    # /api/schema/ and /api/docs/ are public on purpose: they describe the API's shape, the
    # same for every studio, and hold no studio data; a tool's author reads them before
    # having a token. No authentication is tried, so a stale token does not hide them.
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ShootStatusEnum": "studio.shoots.models.ShootStatus.choices",
        "PhotoStatusEnum": "studio.photos.models.PhotoStatus.choices",
        "RetouchStatusEnum": "studio.photos.models.RetouchStatus.choices",
        "UploadStatusEnum": "studio.photos.models.UploadStatus.choices",
        "ProductKindEnum": "studio.catalogue.kinds.ProductKind.choices",
        "PackageKindEnum": "studio.catalogue.kinds.PackageKind.choices",
        "CouponKindEnum": "studio.catalogue.kinds.CouponKind.choices",
        "OrderStatusEnum": "studio.orders.models.OrderStatus.choices",
        "OrderProgressEnum": "studio.orders.models.OrderProgress.choices",
        "FulfilmentStatusEnum": "studio.orders.models.FulfilmentStatus.choices",
        "PaymentStatusEnum": "studio.orders.models.PaymentStatus.choices",
        "AccessCodeKindEnum": "studio.access.models.AccessCodeKind.choices",
        "CampaignKindEnum": "studio.campaigns.models.CampaignKind.choices",
        "CampaignSendStatusEnum": "studio.campaigns.models.SendStatus.choices",
        "CampaignRecipientStatusEnum": "studio.campaigns.models.RecipientStatus.choices",
        "YearbookJobStatusEnum": "studio.yearbook.models.JobStatus.choices",
        "PreorderCreditStatusEnum": "studio.preorders.api.CreditStatus.choices",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# The queue tasks are sent to (a benchmark's web servers send to a queue of their own).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Liveness files the worker and beat touch for their probes (saas_platform/heartbeat.py,
# infra/README.md); empty = none written. Beat wakes at least once a minute to touch its own.
WORKER_HEARTBEAT_FILE = os.environ.get("WORKER_HEARTBEAT_FILE", "")
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "15"))
BEAT_HEARTBEAT_FILE = os.environ.get("BEAT_HEARTBEAT_FILE", "")
CELERY_BEAT_SCHEDULER = "saas_platform.heartbeat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
CELERY_BEAT_SCHEDULE = {
    "collect-studio-usage": {"task": "studio.plan.tasks.usage_collect_all", "schedule": 15 * 60},
    "requeue-stuck-photos": {
        "task": "studio.photos.tasks.requeue_stuck_photos_everywhere",
        "schedule": 5 * 60,
    },
    "uploads-abandoned-sweep": {
        "task": "studio.photos.tasks.uploads_abandoned_sweep_everywhere",
        "schedule": 60 * 60,
    },
    "exports-expired-purge": {
        "task": "studio.exports.tasks.exports_expired_purge_everywhere",
        "schedule": 60 * 60,
    },
    "yearbook-exports-purge": {
        "task": "studio.yearbook.tasks.yearbook_exports_purge_everywhere",
        "schedule": 60 * 60,
    },
    "licences-check": {"task": "billing.tasks.licences_check_all", "schedule": 60 * 60},
    "operator-sales-snapshots": {
        "task": "studio.plan.tasks.sales_snapshots_collect_all",
        "schedule": 15 * 60,
    },
    "operator-daily-stats": {
        "task": "operator_console.tasks.platform_daily_stat_collect",
        "schedule": 60 * 60,
    },
    "operator-licence-notices": {
        "task": "operator_console.tasks.licence_notices_send",
        "schedule": 24 * 60 * 60,
    },
    "studio-deletions": {
        "task": "operator_console.tasks.studio_deletions_run",
        "schedule": 60 * 60,
    },
    "custom-domains-check": {"task": "tenants.tasks.custom_domains_check", "schedule": 5 * 60},
    # Also queued after every sign-up; this catches up after a deploy or a lost message.
    "spare-schemas-refill": {"task": "tenants.tasks.spare_schemas_refill", "schedule": 5 * 60},
    "order-payment-reminders": {
        "task": "studio.orders.tasks.send_order_reminders_everywhere",
        "schedule": 24 * 60 * 60,
    },
    # Scheduled campaigns (reminders, last chance) and stalled sends resumed.
    "campaigns-run": {
        "task": "studio.campaigns.tasks.campaigns_run_everywhere",
        "schedule": 15 * 60,
    },
    # Last month's platform share of offline sales; keyed by month, so running it every few
    # hours invoices once, within hours of the month's end.
    "platform-fees-invoices": {
        "task": "studio.plan.tasks.platform_fees_invoice_all",
        "schedule": 6 * 60 * 60,
    },
}

# The DNS server custom-domain checks ask (``host:port``); empty = the system's resolvers.
CUSTOM_DOMAIN_DNS = os.environ.get("CUSTOM_DOMAIN_DNS", "")

# Campaign messages per batch task, and an optional pause between two messages (a mail
# provider's rate limit; 0 = none).
CAMPAIGN_BATCH_SIZE = int(os.environ.get("CAMPAIGN_BATCH_SIZE", "50"))
CAMPAIGN_SEND_INTERVAL_SECONDS = float(os.environ.get("CAMPAIGN_SEND_INTERVAL_SECONDS", "0"))

# Platform operators told about sign-ups and expiring licences (comma-separated e-mails).
OPERATOR_EMAILS = [
    email.strip() for email in os.environ.get("OPERATOR_EMAILS", "").split(",") if email.strip()
]

# The address studios are told to write to about their plan, a block or billing; empty = the
# first of OPERATOR_EMAILS (``saas_platform.support.support_email``).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "").strip()

# One-time login token that carries a new owner from the bare domain to their subdomain.
LOGIN_TOKEN_TTL_SECONDS = 120
TRIAL_DAYS = 14
# Days between an operator scheduling a studio's deletion (the owner is e-mailed) and the
# deletion itself; the operators can cancel until then.
STUDIO_DELETION_GRACE_DAYS = int(os.environ.get("STUDIO_DELETION_GRACE_DAYS", "30"))
# Days a studio keeps selling after its subscription payment failed, before suspension.
LICENCE_GRACE_DAYS = 7
# Reverse proxies in front of the app whose X-Forwarded-For entries are trusted (rate limits
# count the visitor's address, not the proxy's).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
HOST_LOOKUP_CACHE_SECONDS = 300

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # Django's default config gives "django" a console handler of its own (with DEBUG on),
        # and it propagates to the root's: every message came out twice ("Watching for file
        # changes..."). One handler, the root's. (No ADMINS, so mail_admins had nothing to do.)
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Set the search path once per connection and schema, not before every query (a gallery page
# is a handful of queries; three of them were SET search_path).
TENANT_LIMIT_SET_CALLS = True

# Studios' SMS (studio/sms): each studio sets its own provider account at /staff/settings/sms/.
# The API bases point the providers' clients elsewhere (the tests' fake server), never set per
# studio. The providers' tokens are encrypted with a key derived from SMS_CREDENTIALS_KEY, or
# SECRET_KEY when it is unset (changing it means the owners enter their tokens again).
SMS_TWILIO_API_BASE = os.environ.get("SMS_TWILIO_API_BASE", "")
SMS_TURBOSMS_API_BASE = os.environ.get("SMS_TURBOSMS_API_BASE", "")
SMS_CREDENTIALS_KEY = os.environ.get("SMS_CREDENTIALS_KEY", "")

# Stripe (parents' card payments into the studios' connected accounts). Without a secret key
# the card provider is never offered. STRIPE_API_BASE points the client elsewhere (tests
# run a local fake Stripe).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
