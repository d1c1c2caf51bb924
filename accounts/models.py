"""Who may see what: users carry one role and, for investigators and supervisors, a unit."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    PARTNER = "partner", "Partner (API only)"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


class Unit(models.Model):
    """An investigative unit; investigators see the ads of their unit's sources and shared ones."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class PartnerOrganisation(models.Model):
    """An NGO or other partner that uses the API and sees a reduced, keyed view."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    region = models.CharField(max_length=100, blank=True, help_text="Region the partner serves.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; the role decides every permission."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INVESTIGATOR)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    partner = models.ForeignKey(
        PartnerOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA time zone the pages show times in (empty: the site's TIME_ZONE).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="partner_users_have_partner",
                condition=~models.Q(role="partner") | models.Q(partner__isnull=False),
            ),
        ]

    @property
    def is_investigator(self) -> bool:
        return self.role in {Role.INVESTIGATOR, Role.SUPERVISOR}

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.ADMIN and self.is_superuser


class Scope(models.TextChoices):
    READ = "read", "Read (lookups, statistics)"
    TIPS = "tips", "Submit tips"
    ADS = "ads", "Submit ads"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, the secret is shown once when created."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When the token's user passed a second factor to obtain it; roles that must use one
    # (OTP_REQUIRED_ROLES) cannot use a token without it.
    second_factor_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> tuple[str, str]:
        """A fresh (prefix, full token) pair; the token is `prefix.secret`."""
        prefix = secrets.token_hex(ApiToken.PREFIX_LENGTH // 2)
        return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
