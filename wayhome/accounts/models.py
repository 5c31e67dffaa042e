"""Users, offices and the roles users hold in offices."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.permissions import Role
from wayhome.core.countries import validate_country
from wayhome.core.models import BaseModel


class Office(BaseModel):
    class Kind(models.TextChoices):
        HOST = "host", _("Host country")
        ORIGIN = "origin", _("Country of origin")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A member of staff or of a partner organisation. Signs in with an e-mail address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering: ClassVar = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email


class RoleGrant(BaseModel):
    """A role held by a user in one office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "office", "role"], name="unique_role_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.office_id}"
