"""Demo data hook: each app adds its fictional demo data without the core importing it.

An app registers a seeder in its AppConfig.ready(); `seed_demo` calls every seeder once per
operator, inside that operator's scope. Seeders must be idempotent.
"""

import random
from collections.abc import Callable

from cep.models import Operator

DemoSeeder = Callable[[Operator, random.Random], None]
_seeders: list[DemoSeeder] = []


def register_demo_seeder(seeder: DemoSeeder) -> DemoSeeder:
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def demo_seeders() -> list[DemoSeeder]:
    return list(_seeders)
