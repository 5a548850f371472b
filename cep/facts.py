"""The registry of the monthly fact families, and the SQL pieces they are written with.

A family is one statement over an app's own tables returning rows
``(operator_id, month, code, breakdown, key, bucket, value)`` (see ``indicateurs.facts``) for the
operators in ``%(ops)s`` and the days in ``[%(start)s, %(end)s)``; ``%(tz)s`` is the local time
zone. Each app registers its families in AppConfig.ready(), naming its tables from
``Model._meta.db_table`` and its statuses from its enums, so no app spells another's tables. The
registry sits in the kernel because no app may import ``indicateurs``, which unions them.
"""

from dataclasses import dataclass

COLUMNS = "operator_id, month, code, breakdown, key, bucket, value"
# The months since a person's previous event when they have none (see the people family).
NO_PREVIOUS = 9999


@dataclass(frozen=True)
class FactFamily:
    name: str
    sql: str
    order: int  # place in the union: fixed, so the statement does not depend on the app order


_families: dict[str, FactFamily] = {}


def register_fact_family(name: str, sql: str, *, order: int) -> None:
    """Registering a name again replaces it (ready() may run more than once)."""
    _families[name] = FactFamily(name, sql, order)


def fact_families() -> list[FactFamily]:
    return sorted(_families.values(), key=lambda family: (family.order, family.name))


def quoted(value: str | int) -> str:
    """An enum value as an SQL literal; ``%`` doubled since the statements use pyformat
    parameters."""
    if isinstance(value, int):
        return str(int(value))
    return "'" + str(value).replace("'", "''").replace("%", "%%") + "'"


def month_index_sql(expression: str) -> str:
    return f"(extract(year from {expression})::int * 12 + extract(month from {expression})::int)"


def month_of(expression: str) -> str:
    return f"date_trunc('month', {expression})::date"


def local_day(expression: str) -> str:
    return f"({expression} AT TIME ZONE %(tz)s)::date"


def in_range(expression: str) -> str:
    return f"{expression} >= %(start)s AND {expression} < %(end)s"
