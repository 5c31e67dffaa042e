"""Model fields whose values are stored encrypted (``wayhome.core.crypto``).

The column is binary (``bytea`` on PostgreSQL, ``BLOB`` on SQLite) and holds only the encrypted
value; Python code sees the plain value. Each value is bound to its model and field (the
associated data ``<app>.<model>.<field>``, or ``context=`` when given), so a value copied to
another column does not decrypt.

Encrypted columns cannot be searched, compared or ordered in the database: every lookup except
``isnull`` raises ``FieldError``. Exact look-ups go through a blind-index column instead.

A new kind of value subclasses ``EncryptedField`` with ``to_python``, ``value_to_bytes`` (value to
bytes) and ``bytes_to_value`` (bytes to value), for example JSON with ``json.dumps``/``json.loads``.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from wayhome.core import crypto


class EncryptedField(models.Field):
    """The shared base: encryption on the way in, decryption on the way out."""

    description = _("Encrypted value")

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self._context = context
        super().__init__(*args, **kwargs)

    # Subclasses ----------------------------------------------------------------------------
    def value_to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def bytes_to_value(self, data: bytes) -> Any:
        raise NotImplementedError

    # Django --------------------------------------------------------------------------------
    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self._context is not None:
            kwargs["context"] = self._context
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    @property
    def context(self) -> str:
        """The associated data binding values to this model and field."""
        if self._context is not None:
            return self._context
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return connection.Database.Binary(self.encrypt(value))  # type: ignore[attr-defined]

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else self.to_python(value)

    def encrypt(self, value: Any) -> bytes:
        return crypto.encrypt(self.value_to_bytes(value), self.context)

    def decrypt(self, stored: bytes | memoryview) -> Any:
        return self.bytes_to_value(crypto.decrypt(bytes(stored), self.context))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return self.decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.context} is encrypted and cannot be filtered with '{lookup_name}'; "
                "use its blind index for exact look-ups"
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"{self.context} is encrypted and has no '{lookup_name}' transform")


class EncryptedTextField(EncryptedField):
    """Text, with an optional ``max_length`` checked in validation (not by the database)."""

    description = _("Encrypted text")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def value_to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def bytes_to_value(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise crypto.DecryptionError(f"{self.context}: decrypted value is not text") from exc

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        defaults: dict[str, Any] = {
            "form_class": form_class or forms.CharField,
            "max_length": self.max_length,
        }
        if self.null:
            defaults["empty_value"] = None
        defaults.update(kwargs)
        return super().formfield(choices_form_class=choices_form_class, **defaults)


class EncryptedDateField(EncryptedField):
    """A calendar date, stored encrypted as its ISO form."""

    description = _("Encrypted date")
    empty_strings_allowed = False
    default_error_messages = {
        "invalid": _("“%(value)s” is not a valid date (YYYY-MM-DD)."),
    }

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            parsed = parse_date(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            )
        return parsed

    def value_to_bytes(self, value: Any) -> bytes:
        return crypto.normalise_date(value).encode("ascii")

    def bytes_to_value(self, data: bytes) -> datetime.date:
        try:
            return datetime.date.fromisoformat(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise crypto.DecryptionError(f"{self.context}: decrypted value is not a date") from exc

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return super().formfield(
            form_class=form_class or forms.DateField,
            choices_form_class=choices_form_class,
            **kwargs,
        )


class EncryptedJSONField(EncryptedField):
    """A JSON value (lists of other names, contacts...), stored encrypted as compact JSON."""

    description = _("Encrypted JSON")
    empty_strings_allowed = False

    def value_to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def bytes_to_value(self, data: bytes) -> Any:
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise crypto.DecryptionError(f"{self.context}: decrypted value is not JSON") from exc


class EncryptedBinaryField(EncryptedField):
    """Bytes (a photo, a signed form), stored encrypted; ``max_length`` is in bytes."""

    description = _("Encrypted bytes")
    empty_strings_allowed = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def value_to_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def bytes_to_value(self, data: bytes) -> bytes:
        return data


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    """The encrypted fields of a model (concrete, local or inherited)."""
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
