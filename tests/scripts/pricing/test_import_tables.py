"""scripts/pricing/import_tables.py reads coroot's dump: lost rows (0) are left out, never read as free;
Aurora and EC2 are not imported; Redis and Memcached share one node-type row."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("import_tables", ROOT / "scripts" / "pricing" / "import_tables.py")
assert _spec and _spec.loader
import_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_tables)

DUMP = {"aws": {
    "compute": {"us-east-1": {"m5.large": {"on_demand": 0.102, "spot": 0.04}}},
    "managed_db": {"eu-west-1": {
        "mysql": {"db.t3.micro": {"single_az": {"on_demand": 0.018}, "multi_az": {"on_demand": 0.036}},
                  "db.m5.large": {"single_az": {"on_demand": 0}, "multi_az": {"on_demand": 0.38}}},
        "aurora-mysql": {"db.r5.large": {"single_az": {"on_demand": 0.32}, "multi_az": {"on_demand": 0}}}}},
    "managed_cache": {"eu-west-1": {"redis": {"cache.t3.micro": {"on_demand": 0.018}},
                                    "memcached": {"cache.t3.micro": {"on_demand": 0.018},
                                                  "cache.m1.small": {"on_demand": 0}}}},
}}


def test_coroot_rows_keep_real_prices_only():
    single, multi, nodes = import_tables._coroot_rows(DUMP)
    assert single == {"mysql:db.t3.micro": {"eu-west-1": Decimal("0.018")}}  # the 0 row is dropped
    assert multi == {"mysql:db.t3.micro": {"eu-west-1": Decimal("0.036")},
                     "mysql:db.m5.large": {"eu-west-1": Decimal("0.38")}}
    assert not any(k.startswith("aurora") for k in (*single, *multi))  # I/O-Optimized rows mixed in: not imported
    assert nodes == {"cache.t3.micro": {"eu-west-1": Decimal("0.018")}}
