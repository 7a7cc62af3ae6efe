"""GitHub App auth overhead: the forge client as an app (cached installation tokens) vs with a token.

    .venv/bin/python benchmarks/bench_app_auth.py [--calls 200] [--rounds 5]

Against the local forge, in one run, alternating order each round: N `get_repo`
calls (a) with a personal token, (b) as a GitHub App through the token cache,
(c) as an app asking GitHub for a fresh installation token before every call
(what a client without a cache does). Prints the medians, the ratios app/token
and uncached/app, and how many tokens the cache asked for. Target: the cache
makes one token for all calls and the app costs at most 1.5× the token client.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import github  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from controller.forge.app_auth import AppCredentials, InstallationTokens  # noqa: E402
from controller.forge.github import GitHubForge  # noqa: E402
from sandbox.forge.background import BackgroundForge  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with tempfile.TemporaryDirectory() as tmp, BackgroundForge(Path(tmp) / "forge") as forge:
        owner = github.Github(base_url=forge.api_url, auth=github.Auth.Token(forge.owner_token))
        owner.get_user().create_repo("infra", auto_init=True)
        repo = f"{forge.owner_login}/infra"
        app_id = forge.create_app("bench", private_key_pem=key)
        installation = forge.install_app(app_id)
        credentials = AppCredentials(app_id, key)
        cache = InstallationTokens(credentials, forge.api_url)
        clients = {
            "token": lambda: GitHubForge(forge.owner_token, api_url=forge.api_url),
            "app": lambda: GitHubForge(app=cache, api_url=forge.api_url),
        }

        def uncached() -> None:
            for _ in range(args.calls):
                fresh = InstallationTokens(credentials, forge.api_url)
                fresh.installation_for(repo)
                GitHubForge(app=fresh, api_url=forge.api_url).get_repo(repo)

        times: dict[str, list[float]] = {"token": [], "app": [], "uncached": []}
        for round_number in range(args.rounds):
            order = ["token", "app", "uncached"] if round_number % 2 == 0 else ["uncached", "app", "token"]
            for name in order:
                started = time.perf_counter()
                if name == "uncached":
                    uncached()
                else:
                    client = clients[name]()
                    for _ in range(args.calls):
                        client.get_repo(repo)
                times[name].append(time.perf_counter() - started)
        medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:>9}: {value * 1000 / args.calls:.2f} ms per call (median of {args.rounds} rounds)")
    app_ratio = medians["app"] / medians["token"]
    print(f"app/token: {app_ratio:.2f}   uncached/app: {medians['uncached'] / medians['app']:.2f}")
    print(f"installation tokens made by the cache for {args.calls * args.rounds} calls: {cache.issued} "
          f"(installation {installation})")
    return 0 if cache.issued == 1 and app_ratio <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
