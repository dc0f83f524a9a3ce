"""Side-by-side benchmarks: devcreds vs the AWS CLI v2 vs boto3, on one cache and one emulator.

    python3 dev.py bench [--runs N] [--output bench/RESULTS.md]

Everything runs in a throwaway HOME against the embedded emulator. Each
command is timed as a whole process (wall time; peak RSS under GNU time) after
warm-up runs; the table reports median, min and max, and ratios against the
other tools measured in the same run, since machines are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "launchSettings"
START_URL = "https://d-0123456789.awsapps.com/start"
BIN = Path(sys.executable).parent
TIME = Path("/usr/bin/time")  # GNU time, for peak RSS (Debian package "time")
BOTO3_FETCH = (
    "import boto3; "
    "boto3.session.Session(profile_name='bench').get_credentials().get_frozen_credentials()"
)


@dataclass
class Result:
    name: str
    walls: list[float]
    rss_kib: list[int]

    @property
    def rss(self) -> str:
        return f"{max(self.rss_kib) / 1024:.1f}" if any(self.rss_kib) else "n/a"

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    def row(self) -> str:
        return (
            f"| {self.name} | {self.median * 1000:.1f} | {min(self.walls) * 1000:.1f} | "
            f"{max(self.walls) * 1000:.1f} | {self.rss} |"
        )


def measure(
    name: str,
    command: list[str],
    env: dict[str, str],
    runs: int,
    before: Callable[[], None] = lambda: None,
    warmup: int = 2,
) -> Result:
    """Wall time of ``runs`` runs after ``warmup``; then peak RSS from three more under time(1)."""
    walls = []
    for i in range(warmup + runs):
        before()
        start = time.perf_counter()
        completed = subprocess.run(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
        )
        wall = time.perf_counter() - start
        if completed.returncode != 0:
            raise SystemExit(
                f"{name} failed ({completed.returncode}): {completed.stderr.decode()[-500:]}"
            )
        if i >= warmup:
            walls.append(wall)
    print(f"  {name}: median {statistics.median(walls) * 1000:.1f} ms", flush=True)
    return Result(name, walls, [peak_rss(command, env, before) for _ in range(3)])


def peak_rss(command: list[str], env: dict[str, str], before: Callable[[], None]) -> int:
    """Peak RSS in KiB, measured by GNU time(1) as the parent: a child forked from this
    (much larger) process would count our memory as its own until it execs."""
    if not TIME.exists():
        return 0
    before()
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(
            [str(TIME), "-f", "%M", "-o", out.name, *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        return int(out.read().split()[-1])


def aws_cli_v2() -> str | None:
    for candidate in ("/usr/bin/aws", shutil.which("aws")):
        if candidate and Path(candidate).exists():
            out = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, check=False
            )
            if out.stdout.startswith("aws-cli/2"):
                return candidate
    return None


class Bench:
    def __init__(self, home: Path, runs: int) -> None:
        self.home = home
        self.runs = runs
        self.assume_role_counts: dict[str, int] = {}
        self.emulator = subprocess.Popen(
            [str(BIN / "devcreds"), "emulator", "--auto-approve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.emulator.stdout is not None
        self.url = self.emulator.stdout.readline().split()[-1]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / ".aws" / "config"),
            AWS_ENDPOINT_URL=self.url,
            AWS_EC2_METADATA_DISABLED="true",
        )
        self.devcreds(
            "configure", "sso", "--profile", "bench", "--sso-session", "bench",
            "--start-url", START_URL, "--sso-region", "us-east-1",
            "--account-id", "111111111111", "--role-name", "Developer", "--region", "eu-west-1",
        )  # fmt: skip
        self.devcreds("login", "--profile", "bench", "--no-browser")
        self.devcreds("export", "--profile", "bench")

    def close(self) -> None:
        self.emulator.terminate()
        self.emulator.wait()

    def devcreds(self, *args: str) -> str:
        out = subprocess.run(
            [str(BIN / "devcreds"), *args], env=self.env, capture_output=True, text=True, check=True
        )
        return out.stdout

    def calls(self) -> dict[str, int]:
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/_emulator/stats") as answer:  # noqa: S310 - loopback
            return json.loads(answer.read())["calls"]  # type: ignore[no-any-return]

    def _rewrite(
        self, folder: Path, field: str, delta: dt.timedelta, nested: str | None = None
    ) -> None:
        when = (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
        for path in folder.glob("*.json"):
            data = json.loads(path.read_text())
            target = data.get(nested) if nested else data
            if isinstance(target, dict) and field in target:
                target[field] = when
                path.write_text(json.dumps(data))

    def expire_credentials(self) -> None:
        self._rewrite(
            self.home / ".aws" / "cli" / "cache",
            "Expiration",
            dt.timedelta(minutes=-1),
            "Credentials",
        )

    def expire_token(self) -> None:
        self.expire_credentials()
        self._rewrite(self.home / ".aws" / "sso" / "cache", "expiresAt", dt.timedelta(minutes=5))

    def scenarios(self) -> dict[str, list[Result]]:
        runs, env = self.runs, self.env
        devcreds = [str(BIN / "devcreds"), "export", "--profile", "bench", "--format", "process"]
        boto3 = [sys.executable, "-c", BOTO3_FETCH]
        results: dict[str, list[Result]] = {}
        print("cached export", flush=True)
        cached = [
            measure("devcreds export --format process", devcreds, env, runs),
            measure("python -c pass (floor)", [sys.executable, "-c", "pass"], env, runs),
            measure("boto3 SSO profile credentials", boto3, env, runs),
        ]
        aws = aws_cli_v2()
        if aws:
            cached.append(
                measure(
                    "aws configure export-credentials (AWS CLI v2)",
                    [
                        aws,
                        "configure",
                        "export-credentials",
                        "--profile",
                        "bench",
                        "--format",
                        "process",
                    ],
                    env,
                    runs,
                )
            )
        results["cached"] = cached
        print("renewal: role credentials expired, token valid", flush=True)
        results["renewal"] = [
            measure(
                "devcreds export (GetRoleCredentials)", devcreds, env, runs, self.expire_credentials
            ),
            measure(
                "boto3 SSO profile (GetRoleCredentials)", boto3, env, runs, self.expire_credentials
            ),
        ]
        print("token refresh: token near expiry", flush=True)
        results["refresh"] = [
            measure(
                "devcreds export (refresh + GetRoleCredentials)",
                devcreds,
                env,
                runs,
                self.expire_token,
            ),
            measure(
                "boto3 SSO profile (refresh + GetRoleCredentials)",
                boto3,
                env,
                runs,
                self.expire_token,
            ),
        ]
        print("AssumeRole calls for 100 clients", flush=True)
        self.assume_role_counts = self.assume_role_calls()
        print("bulk write", flush=True)
        results["bulk"] = [self.bulk(count) for count in (100, 200, 300)]
        return results

    def assume_role_calls(self) -> dict[str, int]:
        """AssumeRole calls for 100 clients: devcreds' factory vs the seed's pattern."""
        script = """
import sys, boto3
from devcreds import ClientSettings, create_client
url = sys.argv[1]
settings = ClientSettings(role_arn="arn:aws:iam::222222222222:role/App", region="us-east-1", endpoint_url=url)
if sys.argv[2] == "devcreds":
    for _ in range(100):
        create_client("sts", settings).get_caller_identity()
else:  # the seed: AssumeRole for every client, static credentials
    for _ in range(100):
        c = boto3.client("sts", region_name="us-east-1", endpoint_url=url).assume_role(
            RoleArn=settings.role_arn, RoleSessionName="seed")["Credentials"]
        boto3.client("sts", region_name="us-east-1", endpoint_url=url, aws_access_key_id=c["AccessKeyId"],
                     aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()
"""
        creds = json.loads(self.devcreds("export", "--profile", "bench", "--format", "json"))
        env = {
            **self.env,
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        }
        counts = {}
        for pattern in ("devcreds", "seed"):
            before = self.calls().get("AssumeRole", 0)
            subprocess.run(
                [sys.executable, "-c", script, self.url, pattern],
                env=env,
                check=True,
                cwd=self.home,
            )
            counts[pattern] = self.calls().get("AssumeRole", 0) - before
        print(f"  {counts}", flush=True)
        return counts

    def bulk(self, count: int) -> Result:
        samples = sorted(SAMPLES.glob("*.json"))
        tree = self.home / f"solution{count}"

        def fresh_tree() -> None:
            shutil.rmtree(tree, ignore_errors=True)
            for i in range(count):
                folder = tree / f"Project{i:03d}" / "Properties"
                folder.mkdir(parents=True)
                target = folder / "launchSettings.json"
                shutil.copyfile(samples[i % len(samples)], target)
                target.chmod(0o644)

        command = [
            str(BIN / "devcreds"),
            "write",
            "launchsettings",
            "--recursive",
            str(tree),
            "--profile",
            "bench",
        ]
        return measure(
            f"devcreds write launchsettings --recursive ({count} projects)",
            command,
            self.env,
            max(3, self.runs // 4),
            fresh_tree,
            warmup=1,
        )


def table(results: list[Result]) -> list[str]:
    return [
        "| command | median ms | min ms | max ms | peak RSS MiB |",
        "|---|---:|---:|---:|---:|",
        *[r.row() for r in results],
    ]


def report(results: dict[str, list[Result]], runs: int, assume_roles: dict[str, int]) -> str:
    cached = {r.name: r for r in results["cached"]}
    ours = cached["devcreds export --format process"]
    floor = cached["python -c pass (floor)"]
    boto3 = cached["boto3 SSO profile credentials"]
    aws = next((r for n, r in cached.items() if n.startswith("aws ")), None)
    renewal = results["renewal"]
    refresh = results["refresh"]
    bulk = results["bulk"]
    aws_version = subprocess.run(
        [aws_cli_v2() or "true", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.date.today().isoformat()} by `python3 dev.py bench` ({runs} runs per command after warm-up).",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; {aws_version or 'AWS CLI v2 not installed'}.",
        "Each command is a whole process against the embedded emulator on loopback, sharing one cache.",
        "",
        "## Cached export (valid role credentials in the cache)",
        "",
        *table(results["cached"]),
        "",
        f"- devcreds / `python -c pass`: **{ours.median / floor.median:.2f}×** (target ≤ 2.5×)",
        f"- boto3 / devcreds: **{boto3.median / ours.median:.1f}×**",
        *(
            [f"- AWS CLI v2 / devcreds: **{aws.median / ours.median:.1f}×** (target ≥ 20×)"]
            if aws
            else []
        ),
        f"- devcreds peak RSS: **{ours.rss} MiB** (target ≤ 25 MiB)",
        "",
        "## Renewal: role credentials expired, token valid (one GetRoleCredentials)",
        "",
        *table(renewal),
        "",
        f"- devcreds / boto3: **{renewal[0].median / renewal[1].median:.2f}×** (target ≤ 1)",
        "",
        "## Token refresh: token near expiry (refresh CreateToken + GetRoleCredentials)",
        "",
        *table(refresh),
        "",
        f"- devcreds / boto3: **{refresh[0].median / refresh[1].median:.2f}×** (target ≤ 1)",
        "",
        "## AssumeRole calls for 100 clients built from equal settings",
        "",
        "| factory | AssumeRole calls |",
        "|---|---:|",
        f"| devcreds `create_client` (shared, self-refreshing credentials) | {assume_roles['devcreds']} |",
        f"| the seed's pattern (AssumeRole per client, static credentials) | {assume_roles['seed']} |",
        "",
        "## Bulk write of launchSettings.json files",
        "",
        *table(bulk),
        "",
        f"- 300 projects: **{bulk[-1].median:.2f} s** (target < 2 s)",
        "- linear growth: each further 100 projects add "
        + ", ".join(
            f"{(later.median - earlier.median) * 1000:.0f} ms ({n}→{n + 100})"
            for earlier, later, n in zip(bulk, bulk[1:], (100, 200), strict=False)
        )
        + f"; the rest ({(2 * bulk[0].median - bulk[1].median) * 1000:.0f} ms) is process start, imports and the credential lookup",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="devcreds-bench-") as home:
        bench = Bench(Path(home), options.runs)
        try:
            results = bench.scenarios()
        finally:
            bench.close()
    text = report(results, options.runs, bench.assume_role_counts)
    options.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
