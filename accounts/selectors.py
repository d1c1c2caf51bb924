"""Reads of accounts that sit on every API call's path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from .models import ApiToken, PartnerOrganisation, User

# (model, table alias) in the order their columns appear in the token query's row.
_TOKEN_JOIN: tuple[tuple[type[Model], str], ...] = (
    (ApiToken, "t"),
    (User, "u"),
    (PartnerOrganisation, "p"),
)


@cache
def _token_query(vendor: str) -> tuple[str, tuple[tuple[Any, ...], ...]]:
    """The SQL of `api_token_active` and, per model, (fields, converters, attnames); each
    field's converters are (function, column expression) pairs.

    Built once per process and database vendor. The converters are the ones Django's compiler
    would apply to each column (JSON decoding, SQLite's datetimes, ...), so the instances come out
    exactly as an ORM query would build them.
    """
    quote = connection.ops.quote_name
    columns: list[str] = []
    models: list[tuple[Any, ...]] = []
    for model, alias in _TOKEN_JOIN:
        fields: Sequence[Field[Any, Any]] = model._meta.concrete_fields
        converters = []
        for field in fields:
            column = field.get_col(alias)
            converters.append(
                [
                    (convert, column)
                    for convert in (
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    )
                ]
            )
            columns.append(f"{quote(alias)}.{quote(field.column)}")
        models.append((model, fields, converters, [f.attname for f in fields]))
    meta_token, meta_user = ApiToken._meta, User._meta
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(meta_token.db_table)} {quote('t')} "  # noqa: S608 - no user input
        f"INNER JOIN {quote(meta_user.db_table)} {quote('u')} "
        f"ON {quote('u')}.{quote(meta_user.pk.column)} = "
        f"{quote('t')}.{quote(meta_token.get_field('user').column)} "
        f"LEFT OUTER JOIN {quote(PartnerOrganisation._meta.db_table)} {quote('p')} "
        f"ON {quote('p')}.{quote(PartnerOrganisation._meta.pk.column)} = "
        f"{quote('u')}.{quote(meta_user.get_field('partner').column)} "
        f"WHERE {quote('t')}.{quote(meta_token.get_field('prefix').column)} = %s "
        f"AND {quote('t')}.{quote(meta_token.get_field('revoked_at').column)} IS NULL "
        f"AND {quote('u')}.{quote(meta_user.get_field('is_active').column)} = %s"
    )
    return sql, tuple(models)


def _instance(
    model: type[Model],
    converters: Sequence[Sequence[tuple[Callable[..., Any], Any]]],
    attnames: list[str],
    values: Sequence[Any],
) -> Any:
    converted = []
    for field_converters, value in zip(converters, values, strict=True):
        for convert, column in field_converters:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, attnames, converted)


def api_token_active(prefix: str) -> ApiToken | None:
    """The unrevoked token with this prefix whose user is active, with its user and the user's
    partner organisation loaded: the same rows as
    `ApiToken.objects.active().select_related("user", "user__partner").filter(prefix=prefix)`.

    One precompiled statement: this runs on every API call, and compiling that ORM query cost
    about 1 ms of CPU per call, eight times the query itself (measured in bench/api.py).
    """
    sql, models = _token_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, True])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for model, fields, converters, attnames in models:
        values = row[start : start + len(fields)]
        start += len(fields)
        if model is PartnerOrganisation and values[0] is None:
            instances.append(None)  # LEFT JOIN: the user belongs to no partner organisation
            continue
        instances.append(_instance(model, converters, attnames, values))
    token, user, partner = instances
    user.partner = partner
    token.user = user
    return token
