"""The catalog's statements, composed from each entity's spec (earmark.catalog.entities).

Nine entities share five shapes (upsert, page, get, delete, referrers); writing each by hand would be 45
near-identical .sql files that drift apart. Only identifiers from the spec are composed in; every value
is a bound parameter.
"""

from __future__ import annotations

from functools import cache

from psycopg import sql

from earmark.catalog.entities import SPECS, Spec, referrers_of


def _table(spec: Spec) -> sql.Identifier:
    return sql.Identifier("catalog", spec.name)


def _names(columns) -> sql.Composed:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


def _bound(spec: Spec, column: str, prefix: str = "") -> sql.Composed:
    return sql.SQL("{}::{}").format(sql.Placeholder(prefix + column), sql.SQL(spec.types[column]))


def _key_match(spec: Spec) -> sql.Composed:
    return sql.SQL(" and ").join(sql.SQL("{} = {}").format(sql.Identifier(c), _bound(spec, c))
                                 for c in spec.key)


@cache
def select_all(name: str) -> sql.Composed:
    """Every row of the tenant (row-level security scopes it): what the rules read."""
    spec = SPECS[name]
    return sql.SQL("select {} from {}").format(_names(spec.columns), _table(spec))


@cache
def upsert(name: str) -> sql.Composed:
    """Rows as a JSON array, inserted or updated by key; a row equal to the stored one is not written
    (so a re-import changes nothing, not even updated_at). Returns the key and whether it was new."""
    spec = SPECS[name]
    record = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                                for c, t in spec.types.items())
    fields = spec.fields
    assignments = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in fields)
    stored = sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(spec.name), sql.Identifier(c))
                                for c in fields)
    incoming = sql.SQL(", ").join(sql.SQL("excluded.{}").format(sql.Identifier(c)) for c in fields)
    return sql.SQL(
        "insert into {table} as {alias} (tenant_id, {columns})\n"
        "select {tenant}::uuid, {columns} from jsonb_to_recordset({rows}::jsonb) as r({record})\n"
        "on conflict (tenant_id, {key}) do update set {assignments}, updated_at = now()\n"
        "where ({stored}) is distinct from ({incoming})\n"
        "returning {key}, (xmax = 0) as inserted"
    ).format(table=_table(spec), alias=sql.Identifier(spec.name), columns=_names(spec.columns),
             tenant=sql.Placeholder("tenant_id"), rows=sql.Placeholder("rows"), record=record,
             key=_names(spec.key), assignments=assignments, stored=stored, incoming=incoming)


@cache
def insert(name: str) -> sql.Composed:
    """One row, only if its key is new (the API's create): no row back means the key exists."""
    spec = SPECS[name]
    values = sql.SQL(", ").join(_bound(spec, c) for c in spec.columns)
    return sql.SQL(
        "insert into {} (tenant_id, {}) values ({}::uuid, {}) on conflict do nothing returning {}"
    ).format(_table(spec), _names(spec.columns), sql.Placeholder("tenant_id"), values, _names(spec.columns))


@cache
def page(name: str, after: bool) -> sql.Composed:
    """Keyset pagination in key order: rows after the key (after_<column> parameters), `limit` of them."""
    spec = SPECS[name]
    where = sql.SQL("")
    if after:
        bound = sql.SQL(", ").join(_bound(spec, c, "after_") for c in spec.key)
        where = sql.SQL("where ({}) > ({})").format(_names(spec.key), bound)
    return sql.SQL("select {} from {} {} order by {} limit {}").format(
        _names(spec.columns), _table(spec), where, _names(spec.key), sql.Placeholder("limit"))


@cache
def get(name: str) -> sql.Composed:
    spec = SPECS[name]
    return sql.SQL("select {} from {} where {}").format(_names(spec.columns), _table(spec), _key_match(spec))


@cache
def delete(name: str) -> sql.Composed:
    spec = SPECS[name]
    return sql.SQL("delete from {} where {} returning {}").format(_table(spec), _key_match(spec),
                                                                  _names(spec.key))


@cache
def referrers(name: str) -> sql.Composed | None:
    """Up to `limit` rows of other entities that name the row with this key (kind and key as text), or
    None when nothing can refer to this entity."""
    spec = SPECS[name]
    parts = []
    for other, ref in referrers_of(name):
        match = sql.SQL(" and ").join(sql.SQL("{} = {}").format(sql.Identifier(col), _bound(spec, key))
                                      for col, key in zip(ref.columns, spec.key, strict=True))
        key_text = sql.SQL(" || '/' || ").join(sql.SQL("{}::text").format(sql.Identifier(c))
                                               for c in other.key)
        parts.append(sql.SQL("(select {kind} as kind, {key} as id from {table} where {match} "
                             "order by 2 limit {limit})").format(
            kind=sql.Literal(other.name), key=key_text, table=_table(other), match=match,
            limit=sql.Placeholder("limit")))
    if not parts:
        return None
    return sql.SQL(" union all ").join(parts)
