"""Querysets compiled to SQL once per process, then run with fresh values.

Django builds and compiles a queryset's SQL on every evaluation. For the few
statements on the hottest paths that costs many times what the database spends
running them: a move's two locking reads took 4.3 and 3.6 ms of Python each
against 0.3 ms in PostgreSQL (docs/performance.md, fifth pass). A
``CompiledQuery`` keeps what the ORM produced for a queryset *shape* (its SQL,
its parameters and the compiler that knows how to read its rows) and later
only binds new values and turns the rows into model instances as the queryset
itself would: ``select_related`` objects and annotations included.

The queryset still comes from the ORM, built by the same functions as
everywhere else (a permission rule is not copied into SQL text). What makes a
shape safe to reuse is checked, not assumed: the queryset is compiled twice,
with two different sample values for every name, and the SQL text must be the
same both times while the parameters differ exactly where a name's samples
do. A value that leaks into the SQL text (a slice bound, a ``None`` that turns
``=`` into ``IS NULL``) therefore fails at the first use, never silently; such
a value belongs to the shape instead (``fetch(shape=…)``), which keys a small
cache of compiled shapes.

Where a backend prepares a parameter into another type (SQLite sends a date as
text), the names cannot be found among the parameters; the query is then
evaluated as a plain queryset every time, which is correct, only slower.

What the check cannot see is up to the build function: its queryset may
depend on its arguments only, not on the active language or time zone, the
request, or settings changed at run time. Compiled shapes live per process and
database alias; the compiler kept with one only reads rows (converters and
``select_related`` layout), the statement runs on the calling thread's
connection.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import (
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

# Distinct shapes kept per query; the least recently used one is compiled again.
MAX_SHAPES = 128


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # name -> (index, type) of each parameter that carries it: the type the ORM gave it
    # there (psycopg's Int4 where Django pins an integer's SQL type), applied again
    slots: Mapping[str, tuple[tuple[int, type], ...]]
    compiler: SQLCompiler
    locks: bool
    # What a row becomes: model instances, dicts (``values()``) or tuples (``values_list()``).
    iterable: type
    # values(): the dicts' keys, in the row's order
    names: tuple[str, ...]


_ITERABLES = (ModelIterable, ValuesIterable, ValuesListIterable)


def _value_names(query) -> tuple[str, ...]:
    """The keys of a ``values()`` row, as ``ValuesIterable`` names them."""
    if query.selected:
        return tuple(query.selected)
    return (*query.extra_select, *query.values_select, *query.annotation_select)


# A shape whose names could not be found among its parameters: evaluated as a queryset.
_UNCOMPILABLE = object()
# A shape the ORM knows to be empty (``none()``, ``pk__in=[]``): no statement at all.
_EMPTY = object()


class CompiledQuery:
    """A queryset shape, compiled on first use per database and shape, run with new values.

    ``build(**shape, **values)`` returns the queryset: of model instances, or
    ``values()`` dicts, or ``values_list()`` tuples (not flat, not named; no
    ``prefetch_related``). ``samples`` gives, for every name of ``values``, two
    different values of its type that no constant of the query equals: they
    find where each value goes. Everything else the build function takes is
    the shape: ``fetch(shape=…)`` keys the compiled SQL by it.
    """

    def __init__(
        self, build: Callable[..., QuerySet], *, samples: Mapping[str, tuple[Any, Any]]
    ) -> None:
        for name, (first, second) in samples.items():
            if first == second or first is None or second is None:
                raise ImproperlyConfigured(f"{name!r} needs two different samples, neither None.")
        if len({tuple(pair) for pair in samples.values()}) != len(samples):
            raise ImproperlyConfigured("Each name needs samples of its own.")
        self._build = build
        self._samples = dict(samples)
        self._shapes: OrderedDict[Hashable, _Compiled | object] = OrderedDict()
        self._lock = threading.Lock()

    def fetch(
        self,
        *,
        using: str = DEFAULT_DB_ALIAS,
        shape: Mapping[str, Hashable] | None = None,
        **values: Any,
    ) -> list:
        """The rows ``build(**shape, **values)`` would give (instances, dicts or tuples),
        from one statement; none when the ORM knows the shape to be empty."""
        shape = dict(shape or {})
        if values.keys() != self._samples.keys():
            raise TypeError(f"fetch() takes the values {sorted(self._samples)}.")
        if any(value is None for value in values.values()):
            # None turns ``= %s`` into ``IS NULL``: a change of shape, not of a value.
            raise TypeError("fetch() values cannot be None; a None belongs to the shape.")
        compiled = self._compiled(using, shape)
        if compiled is _EMPTY:
            return []
        if compiled is _UNCOMPILABLE:
            return list(self._build(**shape, **values).using(using))
        return _run(compiled, connections[using], values)

    def compiles(
        self, *, using: str = DEFAULT_DB_ALIAS, shape: Mapping[str, Hashable] | None = None
    ) -> bool:
        """Whether ``shape`` runs from compiled SQL on ``using`` (not as a plain queryset)."""
        return isinstance(self._compiled(using, dict(shape or {})), _Compiled)

    def _compiled(self, using: str, shape: dict[str, Hashable]) -> _Compiled | object:
        key = (using, tuple(sorted(shape.items())))
        with self._lock:
            found = self._shapes.get(key)
            if found is not None:
                self._shapes.move_to_end(key)
                return found
        compiled = self._compile(using, shape)
        with self._lock:
            self._shapes[key] = compiled
            while len(self._shapes) > MAX_SHAPES:
                self._shapes.popitem(last=False)
        return compiled

    def _compile(self, using: str, shape: dict[str, Hashable]) -> _Compiled | object:
        first = {name: pair[0] for name, pair in self._samples.items()}
        second = {name: pair[1] for name, pair in self._samples.items()}
        try:
            compiler, sql, params, iterable = self._sql(using, shape, first)
            _compiler, other_sql, other_params, _iterable = self._sql(using, shape, second)
        except EmptyResultSet:
            return _EMPTY
        if sql != other_sql or len(params) != len(other_params):
            raise ImproperlyConfigured(
                f"{self._build.__qualname__}: the SQL text changes with the values "
                f"{sorted(self._samples)}; pass what changes it as the shape."
            )
        by_pair = {(first[name], second[name]): name for name in self._samples}
        slots: dict[str, list[tuple[int, type]]] = {name: [] for name in self._samples}
        for index, (one, other) in enumerate(zip(params, other_params, strict=True)):
            if one == other and type(one) is type(other):
                continue  # a constant of the shape
            name = by_pair.get((one, other))
            if name is not None and type(one) is type(other) and isinstance(one, type(first[name])):
                slots[name].append((index, type(one)))
            elif (str(one), str(other)) in {(str(a), str(b)) for a, b in by_pair}:
                # A value the backend prepares into another type (SQLite sends dates
                # as text): no place to bind a fresh value; evaluate the queryset.
                return _UNCOMPILABLE
            else:
                raise ImproperlyConfigured(
                    f"{self._build.__qualname__}: parameter {index} changes by itself "
                    f"({one!r}, then {other!r}); make it one of the values."
                )
        if not all(slots.values()):
            return _UNCOMPILABLE  # a value the SQL does not use (or that the backend folded)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots={name: tuple(indexes) for name, indexes in slots.items()},
            compiler=compiler,
            locks=compiler.query.select_for_update,
            iterable=iterable,
            names=_value_names(compiler.query) if iterable is ValuesIterable else (),
        )

    def _sql(
        self, using: str, shape: dict[str, Hashable], values: dict[str, Any]
    ) -> tuple[SQLCompiler, str, tuple, type]:
        queryset = self._build(**shape, **values).using(using)
        if queryset._iterable_class not in _ITERABLES or queryset._prefetch_related_lookups:
            raise ImproperlyConfigured(
                f"{self._build.__qualname__} must return model instances, values() or "
                "values_list() without prefetches."
            )
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # EmptyResultSet: the shape matches nothing
        if not sql:
            raise EmptyResultSet
        return compiler, sql, tuple(params), queryset._iterable_class


def _run(compiled: _Compiled, connection, values: Mapping[str, Any]) -> list:
    """``ModelIterable`` over the compiled SQL with ``values`` bound."""
    if compiled.locks and not connection.in_atomic_block:
        # What the ORM's own compiler says of select_for_update outside a transaction.
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    params = list(compiled.params)
    for name, slots in compiled.slots.items():
        value = values[name]
        for index, kind in slots:
            params[index] = value if type(value) is kind else kind(value)
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    compiler = compiled.compiler
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    if compiled.iterable is ValuesListIterable:
        return list(compiler.results_iter([rows], tuple_expected=True))
    if compiled.iterable is ValuesIterable:
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in compiler.results_iter([rows])]
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [column[0].target.attname for column in select[start:end]]
    related = get_related_populators(klass_info, select, connection.alias)
    instances = []
    for row in compiler.results_iter([rows]):
        instance = model.from_db(connection.alias, attnames, row[start:end])
        for populator in related:
            populator.populate(row, instance)
        for name, position in compiler.annotation_col_map.items():
            setattr(instance, name, row[position])
        instances.append(instance)
    return instances
