from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from controller.repo_config import RepoConfig, loads

ROOT = Path(__file__).resolve().parents[3]
PLANS = ROOT / "tests" / "fixtures" / "plans"
NOW = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)

CONFIG = """\
version: 1
projects:
  shop:
    target: gcp
    region: us-central1
    budget_monthly_usd: 100
    quotas: {vm: 2, cluster: 1}
    policy_sets: [baseline, advice]
  sandbox:
    target: local
    region: local-1
    quotas: {vm: 3}
    policy_sets: [soft]
members:
  alice: {role: admin, github: alice}
  bob: {role: user, github: bob, discord: "42"}
  carol: {role: viewer, github: carol}
grants:
  - {member: bob, project: shop, role: admin, expires_at: 2030-05-31T00:00:00Z, reason: last week's on-call}
  - {member: carol, project: shop, role: user, expires_at: 2030-12-31T00:00:00Z}
policy_sets:
  baseline:
    enforcement: hard
    policies: [builtin/regions, builtin/machine-sizes, builtin/required-labels, builtin/quotas, builtin/clusters, builtin/deletions]
  advice:
    enforcement: advisory
    policies: [builtin/budget, builtin/public-buckets]
  soft:
    enforcement: soft
    policies: [builtin/machine-sizes, builtin/quotas]
"""


@pytest.fixture
def config() -> RepoConfig:
    return loads(CONFIG)
