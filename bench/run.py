"""Side-by-side benchmarks: devcreds vs the AWS CLI v2 vs boto3, on one cache and one emulator.

    python3 dev.py bench [--runs N] [--output bench/RESULTS.md] [--only SECTION ...]

Everything runs in a throwaway HOME against the embedded emulator. Each
command is timed as a whole process (wall time; peak RSS under GNU time) after
warm-up runs; the table reports median, min and max, and ratios against the
other tools measured in the same run, since machines are noisy. The "large"
section instead times devcreds' write and clean flows in-process on one huge
launchSettings.json. The "serve" section (bench/serve.py) loads ``devcreds serve``'s
HTTP endpoint beside a bare standard-library server, and measures it idle. The "listing"
section (bench/listing.py) times ``devcreds roles --json`` beside ``aws-sso-util roles`` (in a
virtualenv of its own, .bench/aws-sso-util) on an emulator with 300 accounts x 2 roles and
40 ms latency, without and with a 20 requests/s throttle, and ``configure populate``.

``--only SECTION`` (repeatable) runs just those sections and replaces only their
parts of the results file, leaving the others as they were.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import listing

import serve

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "launchSettings"
START_URL = "https://d-0123456789.awsapps.com/start"
BIN = Path(sys.executable).parent
TIME = Path("/usr/bin/time")  # GNU time, for peak RSS (Debian package "time")
BOTO3_FETCH = (
    "import boto3; "
    "boto3.session.Session(profile_name='bench').get_credentials().get_frozen_credentials()"
)
EMULATOR_SECTIONS = ("cached", "renewal", "refresh", "assumerole", "bulk")
SECTIONS = (*EMULATOR_SECTIONS, "large", "serve", "listing")
LARGE_COUNTS = (800, 5000)  # launch profiles in the one launchSettings.json


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
        self.assume_role_counts: dict[str, tuple[int, float]] = {}
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

    def scenarios(self, sections: Sequence[str] = EMULATOR_SECTIONS) -> dict[str, list[Result]]:
        runs, env = self.runs, self.env
        devcreds = [str(BIN / "devcreds"), "export", "--profile", "bench", "--format", "process"]
        boto3 = [sys.executable, "-c", BOTO3_FETCH]
        results: dict[str, list[Result]] = {}
        if "cached" in sections:
            results["cached"] = self.cached(devcreds, boto3)
        if "renewal" in sections:
            print("renewal: role credentials expired, token valid", flush=True)
            results["renewal"] = [
                measure(
                    "devcreds export (GetRoleCredentials)",
                    devcreds,
                    env,
                    runs,
                    self.expire_credentials,
                ),
                measure(
                    "boto3 SSO profile (GetRoleCredentials)",
                    boto3,
                    env,
                    runs,
                    self.expire_credentials,
                ),
            ]
        if "refresh" in sections:
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
        if "assumerole" in sections:
            print("AssumeRole calls for 100 clients", flush=True)
            self.assume_role_counts = self.assume_role_calls()
        if "bulk" in sections:
            print("bulk write", flush=True)
            results["bulk"] = [self.bulk(count) for count in (100, 200, 300)]
        return results

    def cached(self, devcreds: list[str], boto3: list[str]) -> list[Result]:
        runs, env = self.runs, self.env
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
        return cached

    def assume_role_calls(self) -> dict[str, tuple[int, float]]:
        """AssumeRole calls and seconds for 100 clients (one call each): devcreds' factory vs
        the seed's pattern."""
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
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", script, self.url, pattern],
                env=env,
                check=True,
                cwd=self.home,
            )
            seconds = time.perf_counter() - started
            counts[pattern] = (self.calls().get("AssumeRole", 0) - before, seconds)
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


# Fake credentials as long as real ones (a session token is ~900 characters).
LARGE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIA" + "EXAMPLE0" * 2,
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjE" + "Ab+/cD0eF1gH2iJ3kL4mN5oP6qR7sT8uV9wX" * 24,
    "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T01:00:00Z",
}


@dataclass
class Large:
    """One write and one clean of a launchSettings.json with ``profiles`` launch profiles."""

    profiles: int
    size: int  # bytes of the generated file
    write: float  # seconds
    clean: float

    def row(self) -> str:
        return f"| {self.profiles} | {self.size / 1024:.0f} | {self.write:.3f} | {self.clean:.3f} |"


def large_launchsettings(count: int) -> bytes:
    """A launchSettings.json of ``count`` plain launch profiles, indented by two spaces."""
    profiles = {
        f"Api{i:04d}": {
            "commandName": "Project",
            "applicationUrl": "https://localhost:5001",
            "environmentVariables": {"ASPNETCORE_ENVIRONMENT": "Development"},
        }
        for i in range(count)
    }
    return (json.dumps({"profiles": profiles}, indent=2) + "\n").encode()


@contextlib.contextmanager
def private_home(home: Path) -> Iterator[None]:
    """HOME is ``home`` for this process and its children (git, asked by the write's check)."""
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved


def large_one(count: int, folder: Path) -> Large:
    """Time one in-process write and one clean; fail loudly unless clean restores every byte."""
    from devcreds.paths import Paths
    from devcreds.sinks import deliver
    from devcreds.sinks.deliver import Delivery, Report

    name = f"large launchSettings.json ({count} profiles)"

    def check(step: str, report: Report) -> None:
        if report.failures or len(report.outcomes) != 1 or not report.outcomes[0].changed:
            errors = [str(o.error) for o in report.failures] or ["the file was not changed"]
            raise SystemExit(f"{name}: {step} failed: {'; '.join(errors)}")

    home = folder / "home"  # devcreds' state (records, locks, temporary files) goes here
    home.mkdir(parents=True)
    paths = Paths(home, home / ".aws" / "config", home / ".aws" / "credentials")
    target = folder / "Api" / "Properties" / "launchSettings.json"
    target.parent.mkdir(parents=True)
    original = large_launchsettings(count)
    target.write_bytes(original)
    now = dt.datetime.now(dt.UTC)
    delivery = Delivery(dict(LARGE_CREDENTIALS), "dev", now + dt.timedelta(hours=1))
    with private_home(home):
        start = time.perf_counter()
        written = deliver.write(
            paths, "launchsettings", [target], lambda: delivery, now=now, allow_tracked=True
        )
        write = time.perf_counter() - start
        check("write", written)
        profiles = json.loads(target.read_bytes())["profiles"]
        missing = [
            key
            for key, profile in profiles.items()
            if profile["environmentVariables"]
            != {"ASPNETCORE_ENVIRONMENT": "Development", **LARGE_CREDENTIALS}
        ]
        if len(profiles) != count or missing:
            raise SystemExit(
                f"{name}: after write, {len(missing)} of {len(profiles)} profiles lack the "
                f"credentials (first: {missing[:3]})"
            )
        start = time.perf_counter()
        cleaned = deliver.clean(paths, [target])
        clean = time.perf_counter() - start
        check("clean", cleaned)
    after = target.read_bytes()
    if after != original:
        at = next(
            (i for i, (a, b) in enumerate(zip(original, after, strict=False)) if a != b),
            min(len(original), len(after)),
        )
        raise SystemExit(
            f"{name}: after clean the file is NOT byte-identical to the generated one: "
            f"{len(after)} bytes instead of {len(original)}, first difference at byte {at}: "
            f"expected {original[at : at + 80]!r}, got {after[at : at + 80]!r}"
        )
    return Large(count, len(original), write, clean)


def large(counts: Sequence[int] = LARGE_COUNTS) -> list[Large]:
    print("large launchSettings.json: one write and one clean", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="devcreds-bench-large-") as scratch:
        large_one(10, Path(scratch) / "warmup")  # imports and first calls, not timed
        for count in counts:
            result = large_one(count, Path(scratch) / str(count))
            print(
                f"  {count} profiles: write {result.write:.3f} s, clean {result.clean:.3f} s"
                " (file byte-identical after clean)",
                flush=True,
            )
            results.append(result)
    return results


@dataclass
class Measured:
    """What one run measured; a section not run has nothing here."""

    runs: int
    results: dict[str, list[Result]]
    assume_roles: dict[str, tuple[int, float]]
    large: list[Large]
    serve: serve.ServeBench | None = None
    listing: listing.ListingBench | None = None


SECTION_HEADINGS = {
    "cached": "## Cached export (valid role credentials in the cache)",
    "renewal": "## Renewal: role credentials expired, token valid (one GetRoleCredentials)",
    "refresh": "## Token refresh: token near expiry (refresh CreateToken + GetRoleCredentials)",
    "assumerole": "## AssumeRole calls for 100 clients built from equal settings",
    "bulk": "## Bulk write of launchSettings.json files",
    "large": "## Large launchSettings.json (one file, many launch profiles)",
    "serve": serve.HEADING,
    "listing": listing.HEADING,
}


def table(results: list[Result]) -> list[str]:
    return [
        "| command | median ms | min ms | max ms | peak RSS MiB |",
        "|---|---:|---:|---:|---:|",
        *[r.row() for r in results],
    ]


def cached_section(m: Measured) -> list[str]:
    cached = {r.name: r for r in m.results["cached"]}
    ours = cached["devcreds export --format process"]
    floor = cached["python -c pass (floor)"]
    boto3 = cached["boto3 SSO profile credentials"]
    aws = next((r for n, r in cached.items() if n.startswith("aws ")), None)
    return [
        SECTION_HEADINGS["cached"],
        "",
        *table(m.results["cached"]),
        "",
        f"- devcreds / `python -c pass`: **{ours.median / floor.median:.2f}×** (target ≤ 2.5×)",
        f"- boto3 / devcreds: **{boto3.median / ours.median:.1f}×**",
        *(
            [f"- AWS CLI v2 / devcreds: **{aws.median / ours.median:.1f}×** (target ≥ 20×)"]
            if aws
            else []
        ),
        f"- devcreds peak RSS: **{ours.rss} MiB** (target ≤ 25 MiB)",
    ]


def renewal_section(m: Measured) -> list[str]:
    renewal = m.results["renewal"]
    return [
        SECTION_HEADINGS["renewal"],
        "",
        *table(renewal),
        "",
        f"- devcreds / boto3: **{renewal[0].median / renewal[1].median:.2f}×** (target ≤ 1)",
    ]


def refresh_section(m: Measured) -> list[str]:
    refresh = m.results["refresh"]
    return [
        SECTION_HEADINGS["refresh"],
        "",
        *table(refresh),
        "",
        f"- devcreds / boto3: **{refresh[0].median / refresh[1].median:.2f}×** (target ≤ 1)",
    ]


def assumerole_section(m: Measured) -> list[str]:
    assume_roles = m.assume_roles
    return [
        SECTION_HEADINGS["assumerole"],
        "",
        "| factory | AssumeRole calls | s for the 100 clients |",
        "|---|---:|---:|",
        f"| devcreds `create_client` (shared, self-refreshing credentials; one warm session per thread) | {assume_roles['devcreds'][0]} | {assume_roles['devcreds'][1]:.2f} |",
        f"| the seed's pattern (AssumeRole per client, static credentials) | {assume_roles['seed'][0]} | {assume_roles['seed'][1]:.2f} |",
        "",
        "Each client makes one GetCallerIdentity; the seconds are the whole process (Python start and imports included).",
    ]


def bulk_section(m: Measured) -> list[str]:
    bulk = m.results["bulk"]
    return [
        SECTION_HEADINGS["bulk"],
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
    ]


def large_section(m: Measured) -> list[str]:
    small, big = m.large[0], m.large[-1]
    linear = big.profiles / small.profiles
    return [
        SECTION_HEADINGS["large"],
        "",
        "Guards against the quadratic clean that took 178 s for 800 profiles: write and clean must grow about linearly with the profiles.",
        "",
        "| launch profiles | file KiB | write s | clean s |",
        "|---:|---:|---:|---:|",
        *[r.row() for r in m.large],
        "",
        f"- {big.profiles} / {small.profiles} profiles: write **{big.write / small.write:.2f}×**, "
        f"clean **{big.clean / small.clean:.2f}×** (linear ≈ {linear:.2f}×, quadratic ≈ {linear**2:.0f}×)",
        "- after clean the file is byte-identical to the generated one (checked; the benchmark fails otherwise)",
        "- one in-process `deliver.write` (the four AWS_* variables, real-sized, into every profile) and one `deliver.clean`, "
        "with fsync, devcreds' state in a fresh temporary HOME",
    ]


def serve_section(m: Measured) -> list[str]:
    assert m.serve is not None
    return serve.section(m.serve)


def listing_section(m: Measured) -> list[str]:
    assert m.listing is not None
    return listing.section(m.listing)


SECTION_TEXT: dict[str, Callable[[Measured], list[str]]] = {
    "cached": cached_section,
    "renewal": renewal_section,
    "refresh": refresh_section,
    "assumerole": assumerole_section,
    "bulk": bulk_section,
    "large": large_section,
    "serve": serve_section,
    "listing": listing_section,
}


def header(runs: int) -> list[str]:
    aws_version = subprocess.run(
        [aws_cli_v2() or "true", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return [
        "# Benchmark results",
        "",
        f"Measured {dt.date.today().isoformat()} by `python3 dev.py bench` ({runs} runs per command after warm-up).",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; {aws_version or 'AWS CLI v2 not installed'}.",
        "Each command is a whole process against the embedded emulator on loopback, sharing one cache.",
    ]


def report(m: Measured, sections: Sequence[str] = SECTIONS) -> str:
    lines = header(m.runs)
    for name in SECTIONS:
        if name in sections:
            lines += ["", *SECTION_TEXT[name](m)]
    return "\n".join([*lines, ""])


def measured_alone(m: Measured, name: str) -> str:
    """A section from an ``--only`` run, saying when and where: the header is the last full run's."""
    lines = SECTION_TEXT[name](m)
    timed = name in EMULATOR_SECTIONS and name != "assumerole"  # assumerole counts calls
    runs = f", {m.runs} runs per command" if timed else ""
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    note = (
        f"_Measured {dt.date.today().isoformat()} on its own "
        f"(`python3 dev.py bench --only {name}`{runs}) on {machine}._"
    )
    return "\n".join([lines[0], "", note, *lines[1:]])


def splice(previous: str, m: Measured, sections: Sequence[str]) -> str:
    """``previous`` with the sections measured now replaced (or added), the rest kept."""
    head, *blocks = previous.split("\n## ")
    old = {"## " + block.split("\n", 1)[0]: "## " + block.rstrip("\n") for block in blocks}
    parts = [head.rstrip("\n")]
    for name in SECTIONS:
        if name in sections:
            parts.append(measured_alone(m, name))
            old.pop(SECTION_HEADINGS[name], None)
        elif SECTION_HEADINGS[name] in old:
            parts.append(old.pop(SECTION_HEADINGS[name]))
    parts += old.values()  # sections this runner no longer knows: kept as they were
    return "\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    options = parser.parse_args()
    sections = options.only or list(SECTIONS)
    measured = Measured(options.runs, {}, {}, [])
    emulated = [s for s in sections if s in EMULATOR_SECTIONS]
    if emulated:
        with tempfile.TemporaryDirectory(prefix="devcreds-bench-") as home:
            bench = Bench(Path(home), options.runs)
            try:
                measured.results = bench.scenarios(emulated)
            finally:
                bench.close()
        measured.assume_roles = bench.assume_role_counts
    if "large" in sections:
        measured.large = large()
    if "serve" in sections:
        measured.serve = serve.run()
    if "listing" in sections:
        measured.listing = listing.run(options.runs)
    if options.only:  # only these sections of the results file change
        previous = options.output.read_text() if options.output.exists() else ""
        if not previous.startswith("# Benchmark results"):
            previous = "# Benchmark results\n"
        options.output.write_text(splice(previous, measured, sections))
        text = "\n\n".join(measured_alone(measured, name) for name in SECTIONS if name in sections)
        print(f"\n{text}\n\n(updated in {options.output})")
    else:
        text = report(measured)
        options.output.write_text(text)
        print(text)


if __name__ == "__main__":
    main()
