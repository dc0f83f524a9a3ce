"""The listing section: ``devcreds roles`` beside aws-sso-util on the same emulator.

    python3 dev.py bench --only listing

Two emulators in turn, each ``devcreds emulator --accounts 300 --roles-per-account 2
--latency-ms 40`` in a throwaway HOME, the second with ``--throttle-rps 20``. On each, both
tools log in once and then list every account and role, their runs interleaved:

- ``devcreds roles --json`` (with ``--refresh`` where devcreds has it, so that every run
  lists instead of reading the listing devcreds keeps);
- ``aws-sso-util roles`` (aws-sso-util 4.33.0 in a virtualenv of its own,
  ``.bench/aws-sso-util``, created on first use: its pins must not touch ``.venv``).

On the emulator without throttling, ``aws-sso-util configure populate`` then writes a profile
per account and role, and ``devcreds_populate`` measures devcreds' own ``configure populate``
and the first ``export`` of a profile it wrote, once devcreds has that command.

aws-sso-lib builds its clients with botocore's ``session.create_client`` and no endpoint_url,
so ``AWS_ENDPOINT_URL`` (botocore >= 1.31) sends them to the emulator; a proxy on a closed
loopback port, bypassed for 127.0.0.1 only, makes any call meant for anywhere else fail at
once instead. It logs in with its own device-code flow (``aws-sso-util login --headless``),
which the emulator approves at once (``--auto-approve``), and keeps the token where botocore
does: ``~/.aws/sso/cache/<sha1 of the start URL>.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devcreds.listing import WORKERS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HEADING = "## Listing roles: 300 accounts x 2 roles, with and without throttling"
ACCOUNTS = 300
ROLES = 2
LATENCY_MS = 40
RPS = 20.0
START_URL = "https://d-0123456789.awsapps.com/start"
SSO_REGION = "us-east-1"
PROFILE_REGION = "eu-west-1"
ASU_REQUIREMENT = "aws-sso-util==4.33.0"
ASU_VENV = ROOT / ".bench" / "aws-sso-util"
ASU_PACKAGES = ("aws-sso-util", "aws-sso-lib", "boto3", "botocore")
# Anything aws-sso-util sends past the emulator goes to this closed port and fails at once.
DEAD_PROXY = "http://127.0.0.1:9"
POPULATE_SESSION = "corp"


def aws_sso_util() -> Path:
    """The aws-sso-util executable of ``.bench/aws-sso-util``, installed on first use."""
    exe = ASU_VENV / "bin" / "aws-sso-util"
    stamp = ASU_VENV / "bench-installed.txt"
    if exe.exists() and stamp.exists() and stamp.read_text() == ASU_REQUIREMENT:
        return exe
    print(f"installing {ASU_REQUIREMENT} into {ASU_VENV.relative_to(ROOT)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(ASU_VENV)], check=True)
    pip = [str(ASU_VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", ASU_REQUIREMENT], check=True)
    stamp.write_text(ASU_REQUIREMENT)
    return exe


def asu_versions(env: dict[str, str]) -> dict[str, str]:
    """Versions in aws-sso-util's virtualenv, and botocore's retry mode under ``env``."""
    script = (
        "import importlib.metadata as m, json, botocore.session as s; "
        f"v = {{n: m.version(n) for n in {ASU_PACKAGES!r}}}; "
        "v['retry_mode'] = s.Session().get_config_variable('retry_mode'); "
        "print(json.dumps(v))"
    )
    out = subprocess.run(
        [str(ASU_VENV / "bin" / "python"), "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    versions: dict[str, str] = json.loads(out.stdout)
    major, minor = (int(part) for part in versions["botocore"].split(".")[:2])
    if (major, minor) < (1, 31):  # AWS_ENDPOINT_URL came in botocore 1.31
        raise SystemExit(
            f"botocore {versions['botocore']} in {ASU_VENV} ignores AWS_ENDPOINT_URL: "
            "aws-sso-util would not reach the emulator"
        )
    return versions


def error_line(stderr: str) -> str:
    """The first error line of a failed run: the exception after a traceback, or else the
    first line that speaks of an error."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        raised = [line for line in lines if not line.startswith((" ", "Traceback"))]
        return (raised or lines)[0][:300]
    errors = [line for line in lines if any(w in line.lower() for w in ("error", "exception"))]
    return (errors or lines or ["(nothing on stderr)"])[0][:300]


@dataclass
class Run:
    wall: float
    calls: int  # ListAccounts + ListAccountRoles the emulator counted during the run
    rows: int  # roles listed (or profiles written)
    exit: int
    error: str = ""  # the first error line of a failed run
    pages: int = 0  # of those calls, the ListAccounts ones

    @property
    def failed(self) -> bool:
        return bool(self.exit) or self.rows != ACCOUNTS * ROLES

    def text(self) -> str:
        outcome = f"exit {self.exit}, {self.rows} rows, {self.calls} calls"
        return f"{self.wall:.2f} s, {outcome}" + (f": {self.error}" if self.error else "")


def throttle_bound(needed: int, rps: float) -> float:
    """The shortest time the throttle allows a listing of ``needed`` calls: the calls past
    the bucket's first burst, at the rate (0 without a throttle)."""
    return (needed - rps) / rps if rps and needed else 0.0


@dataclass
class Listed:
    """One command's runs on one emulator setting."""

    tool: str  # "devcreds" or "aws-sso-util"
    command: str  # as shown in the table
    throttle_rps: float
    runs: list[Run] = field(default_factory=list)
    # Calls a listing of this tool needs when none is turned away: what its runs without a
    # throttle made (the account pages at the page size it asks for, then one
    # ListAccountRoles per account, two roles fitting one page).
    needed: int = 0
    pages: int = 0  # of those, the ListAccounts pages

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.runs)

    def row(self) -> str:
        walls = [r.wall for r in self.runs]
        bound = throttle_bound(self.needed, self.throttle_rps)
        ratio = f"{self.median / bound:.2f}x" if bound else "n/a"
        complete = [r.calls - self.needed for r in self.runs if not r.failed]
        retries = f"{statistics.median(complete):.0f}" if complete and self.needed else "n/a"
        throttle = f"{self.throttle_rps:g}/s" if self.throttle_rps else "none"
        return (
            f"| {self.command} | {throttle} | {self.median:.2f} | {min(walls):.2f} | "
            f"{max(walls):.2f} | {f'{bound:.1f}' if bound else 'n/a'} | {ratio} | "
            f"{statistics.median(r.calls for r in self.runs):.0f} | {retries} | "
            f"{self.failed} of {len(self.runs)} |"
        )


@dataclass
class Populated:
    """One populate (or first export) command's runs; ``missing`` says why it did not run."""

    command: str
    runs: list[Run] = field(default_factory=list)
    missing: str = ""
    profile: str = ""  # the generated profile a first export used
    sample: str = ""  # a profile it wrote, as written
    writes: bool = True  # False for the export row: it writes no profiles

    def row(self) -> str:
        if self.missing:
            return f"| {self.command} | {self.missing} | | | | | |"
        walls = [r.wall for r in self.runs]
        failed = sum(1 for r in self.runs if r.exit or r.error)
        written = f"{statistics.median(r.rows for r in self.runs):.0f}" if self.writes else "n/a"
        return (
            f"| {self.command} | {statistics.median(walls):.2f} | {min(walls):.2f} | "
            f"{max(walls):.2f} | {statistics.median(r.calls for r in self.runs):.0f} | "
            f"{written} | {failed} of {len(self.runs)} |"
        )


@dataclass
class ListingBench:
    """What the section measured, and what each tool was given."""

    listed: list[Listed]
    populated: list[Populated]
    versions: dict[str, str]
    devcreds_version: str
    devcreds_config: str  # the config file devcreds' listing runs used
    devcreds_roles: str  # the devcreds roles command line
    populate_config: str  # the config file devcreds' populate starts from
    token_file: str  # aws-sso-util's token file, relative to HOME
    source: str  # the devcreds commit measured (and whether src/ had changes)
    load: tuple[float, float]  # 1-minute load average at the start and at the end


class Emulated:
    """One emulator (its own throwaway HOME), devcreds logged in with profile ``bench``
    (sso-session ``bench``) and aws-sso-util with its own device login."""

    def __init__(self, folder: Path, throttle_rps: float, asu: Path) -> None:
        self.home = folder
        self.asu = asu
        self.throttle_rps = throttle_rps
        self.last_pages = 0
        self.process = subprocess.Popen(
            [
                str(BIN / "devcreds"), "emulator", "--auto-approve", "--port", "0",
                "--accounts", str(ACCOUNTS), "--roles-per-account", str(ROLES),
                "--latency-ms", str(LATENCY_MS), "--throttle-rps", str(throttle_rps),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().split()[-1]
        if not self.url.startswith("http://127.0.0.1:"):
            self.close()
            raise SystemExit(f"the emulator is not on loopback: {self.url!r}")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"):
            self.env.pop(name, None)
            self.env.pop(name.lower(), None)
        self.env.update(
            HOME=str(folder),
            AWS_CONFIG_FILE=str(folder / ".aws" / "config"),
            AWS_ENDPOINT_URL=self.url,
            AWS_EC2_METADATA_DISABLED="true",
        )
        # aws-sso-util alone: devcreds has its own transport and needs no guard.
        self.asu_env = {
            **self.env,
            "HTTP_PROXY": DEAD_PROXY,
            "HTTPS_PROXY": DEAD_PROXY,
            "NO_PROXY": "127.0.0.1,localhost",
        }

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()

    def calls(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/_emulator/stats") as answer:  # noqa: S310 - loopback
            return {k: int(v) for k, v in json.loads(answer.read())["calls"].items()}

    def run(
        self, command: list[str], env: dict[str, str] | None = None
    ) -> tuple[subprocess.CompletedProcess[str], float, int]:
        """``command`` as a whole process: its outcome, wall time and listing calls (the
        ListAccounts among them in ``last_pages``)."""
        before = self.calls()
        started = time.perf_counter()
        completed = subprocess.run(
            command, env=env or self.env, capture_output=True, text=True, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = self.calls()
        made = {k: after.get(k, 0) - before.get(k, 0) for k in ("ListAccounts", "ListAccountRoles")}
        self.last_pages = made["ListAccounts"]
        return completed, wall, sum(made.values())

    def devcreds(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run([str(BIN / "devcreds"), *args], env)[0]

    def log_in(self) -> str:
        """Log both tools in; returns aws-sso-util's token file, relative to HOME."""
        configured = self.devcreds(
            "configure", "sso", "--profile", "bench", "--sso-session", "bench",
            "--start-url", START_URL, "--sso-region", SSO_REGION,
            "--account-id", "111111111111", "--role-name", "Developer",
        )  # fmt: skip
        if configured.returncode:
            raise SystemExit(f"devcreds configure sso failed: {configured.stderr[-500:]}")
        login = self.devcreds("login", "--profile", "bench", "--no-browser")
        if login.returncode:
            raise SystemExit(f"devcreds login failed: {login.stderr[-500:]}")
        before = self.calls().get("CreateToken", 0)
        command = [str(self.asu), "login", START_URL, SSO_REGION, "--headless"]
        asu, _, _ = self.run(command, self.asu_env)
        if asu.returncode or self.calls().get("CreateToken", 0) == before:
            raise SystemExit(f"aws-sso-util login failed ({asu.returncode}): {asu.stderr[-500:]}")
        token = Path(
            ".aws",
            "sso",
            "cache",
            hashlib.sha1(START_URL.encode(), usedforsecurity=False).hexdigest() + ".json",
        )
        if "accessToken" not in json.loads((self.home / token).read_text()):
            raise SystemExit(f"aws-sso-util wrote no token to ~/{token}")
        return str(token)

    def pause(self) -> None:
        time.sleep(1.5 if self.throttle_rps else 0)  # the emulator's bucket fills again

    def devcreds_roles(self, command: list[str], into: Listed) -> None:
        self.pause()
        completed, wall, calls = self.run(command)
        rows = len(json.loads(completed.stdout)) if completed.returncode == 0 else 0
        error = error_line(completed.stderr) if completed.returncode else ""
        into.runs.append(Run(wall, calls, rows, completed.returncode, error, self.last_pages))
        print(f"  devcreds: {into.runs[-1].text()}", flush=True)

    def asu_roles(self, into: Listed) -> None:
        self.pause()
        command = [str(self.asu), "roles", "--sso-start-url", START_URL, "--sso-region", SSO_REGION]
        completed, wall, calls = self.run(command, self.asu_env)
        rows = max(0, len(completed.stdout.splitlines()) - 1)  # less the header
        failed = completed.returncode or rows != ACCOUNTS * ROLES
        error = error_line(completed.stderr) if failed else ""
        into.runs.append(Run(wall, calls, rows, completed.returncode, error, self.last_pages))
        print(f"  aws-sso-util: {into.runs[-1].text()}", flush=True)


def has_option(help_command: list[str], option: str, env: dict[str, str]) -> bool:
    out = subprocess.run(help_command, env=env, capture_output=True, text=True, check=False)
    return out.returncode == 0 and option in out.stdout


def roles_command() -> list[str]:
    command = [str(BIN / "devcreds"), "roles", "--profile", "bench", "--json"]
    if has_option([*command[:2], "--help"], "--refresh", dict(os.environ)):
        command.append("--refresh")  # list every time: aws-sso-util keeps no listing
    return command


def listing_pair(
    em: Emulated, devcreds_runs: int, asu_runs: int, roles: list[str]
) -> tuple[Listed, Listed]:
    """Both tools' listings on ``em``, their runs interleaved so that noise falls on both."""
    throttle = f", throttle {em.throttle_rps:g}/s" if em.throttle_rps else ", no throttle"
    print(f"listing: {ACCOUNTS} x {ROLES}, {LATENCY_MS} ms{throttle}", flush=True)
    ours = Listed("devcreds", "devcreds roles --json", em.throttle_rps)
    theirs = Listed("aws-sso-util", "aws-sso-util roles", em.throttle_rps)
    for i in range(max(devcreds_runs, asu_runs)):
        if i < devcreds_runs:
            em.devcreds_roles(roles, ours)
        if i < asu_runs:
            em.asu_roles(theirs)
    return ours, theirs


def config_profiles(path: Path) -> list[tuple[str, dict[str, str]]]:
    """The ``[profile NAME]`` sections of an AWS config file, in file order."""
    import configparser

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.read(path)
    return [
        (section.removeprefix("profile ").strip(), dict(parser[section]))
        for section in parser.sections()
        if section.startswith("profile ")
    ]


def profile_text(config: Path, name: str) -> str:
    """The ``[profile name]`` section of ``config`` as written."""
    lines, inside = [], False
    for line in config.read_text().splitlines():
        if line.startswith("["):
            inside = line.strip() == f"[profile {name}]"
        if inside and line.strip():
            lines.append(line)
    return "\n".join(lines)


def asu_populate(em: Emulated, runs: int) -> Populated:
    """``aws-sso-util configure populate`` into a fresh config file each run."""
    command = [
        "aws-sso-util configure populate", "--sso-start-url", START_URL,
        "--sso-region", SSO_REGION, "--region", PROFILE_REGION,
    ]  # fmt: skip
    result = Populated(" ".join(command))
    print("populate: aws-sso-util configure populate", flush=True)
    for i in range(runs):
        config = em.home / "populate" / f"aws-sso-util-{i}" / "config"
        config.parent.mkdir(parents=True)
        env = {**em.asu_env, "AWS_CONFIG_FILE": str(config)}
        completed, wall, calls = em.run([str(em.asu), "configure", "populate", *command[1:]], env)
        profiles = len(config_profiles(config)) if config.exists() else 0
        failed = completed.returncode or profiles != ACCOUNTS * ROLES
        error = error_line(completed.stderr) if failed else ""
        result.runs.append(Run(wall, calls, profiles, completed.returncode, error))
        print(f"  aws-sso-util: {result.runs[-1].text()}", flush=True)
        if profiles and not result.sample:
            names = [name for name, _ in config_profiles(config)]
            result.sample = profile_text(
                config, "dev.Developer" if "dev.Developer" in names else names[0]
            )
    return result


def populate_config() -> str:
    """The config file devcreds' populate starts from: the sso-session alone."""
    return (
        f"[sso-session {POPULATE_SESSION}]\n"
        f"sso_start_url = {START_URL}\n"
        f"sso_region = {SSO_REGION}\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def devcreds_populate(em: Emulated, runs: int) -> list[Populated]:
    """MEASURES devcreds' OWN POPULATE (being built beside this): each run starts from a
    config file holding only ``[sso-session corp]`` and a fresh login (a login drops the
    listing devcreds keeps, so this is the first populate after a login), times
    ``devcreds configure populate --sso-session corp``, then the first
    ``devcreds export --profile <a profile it wrote>`` (one GetRoleCredentials).

    Until ``devcreds configure populate --help`` exits 0 both rows say "not built yet"."""
    populate = Populated(f"devcreds configure populate --sso-session {POPULATE_SESSION}")
    export = Populated("first devcreds export --profile <generated> after it", writes=False)
    print("populate: devcreds configure populate", flush=True)
    probe = em.devcreds("configure", "populate", "--help")
    if probe.returncode:
        missing = f"not built yet (`devcreds configure populate --help` exits {probe.returncode})"
        populate.missing = export.missing = missing
        print(f"  {missing}", flush=True)
        return [populate, export]
    for i in range(runs):
        config = em.home / "populate" / f"devcreds-{i}" / "config"
        config.parent.mkdir(parents=True)
        config.write_text(populate_config())
        env = {**em.env, "AWS_CONFIG_FILE": str(config)}
        login = em.devcreds("login", "--sso-session", POPULATE_SESSION, "--no-browser", env=env)
        if login.returncode:
            raise SystemExit(f"devcreds login --sso-session corp failed: {login.stderr[-500:]}")
        completed, wall, calls = em.run(
            [str(BIN / "devcreds"), "configure", "populate", "--sso-session", POPULATE_SESSION],
            env,
        )
        written = [
            name
            for name, values in config_profiles(config)
            if values.get("sso_session") == POPULATE_SESSION
        ]
        failed = completed.returncode or len(written) != ACCOUNTS * ROLES
        error = error_line(completed.stderr) if failed else ""
        populate.runs.append(Run(wall, calls, len(written), completed.returncode, error))
        print(f"  devcreds populate: {populate.runs[-1].text()}", flush=True)
        if not written:
            continue
        # the default name {account_name}-{role_name}: the first account's first role
        profile = "dev-Developer" if "dev-Developer" in written else written[0]
        populate.sample = populate.sample or profile_text(config, profile)
        # the first export of that profile: no role credentials cached from an earlier run
        for cached in (em.home / ".aws" / "cli" / "cache").glob("*.json"):
            cached.unlink()
        before = em.calls().get("GetRoleCredentials", 0)
        completed, wall, _ = em.run([str(BIN / "devcreds"), "export", "--profile", profile], env)
        fetched = em.calls().get("GetRoleCredentials", 0) - before
        error = error_line(completed.stderr) if completed.returncode else ""
        if not completed.returncode and fetched != 1:
            error = f"{fetched} GetRoleCredentials calls, not 1"
        export.runs.append(Run(wall, fetched, 1, completed.returncode, error))
        export.profile = profile
        print(f"  devcreds export --profile {profile}: {export.runs[-1].text()}", flush=True)
    if export.profile:
        export.command = f"first devcreds export --profile {export.profile} after it"
    elif not export.runs:
        export.missing = "no profile written to export"
    return [populate, export]


def source() -> str:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return f"commit {head or '?'}" + (" with uncommitted changes in src/" if dirty else "")


def run(runs: int) -> ListingBench:
    asu = aws_sso_util()
    load = os.getloadavg()[0]
    roles = roles_command()
    listed: list[Listed] = []
    populated: list[Populated] = []
    versions: dict[str, str] = {}
    config = token = ""
    for throttle_rps in (0.0, RPS):
        with tempfile.TemporaryDirectory(prefix="devcreds-bench-listing-") as folder:
            em = Emulated(Path(folder), throttle_rps, asu)
            try:
                versions = versions or asu_versions(em.asu_env)
                token = em.log_in()
                config = (em.home / ".aws" / "config").read_text()
                if throttle_rps:
                    listed += listing_pair(em, 3, 3, roles)
                else:
                    listed += listing_pair(em, max(3, runs // 4), 3, roles)
                    populated.append(asu_populate(em, max(1, runs // 10)))
                    populated += devcreds_populate(em, 3)
            finally:
                em.close()
    for tool in ("devcreds", "aws-sso-util"):
        free = [r for x in listed if x.tool == tool and not x.throttle_rps for r in x.runs]
        complete = [r for r in free if not r.failed] or free
        for x in listed:
            if x.tool == tool:
                x.needed = round(statistics.median(r.calls for r in complete))
                x.pages = round(statistics.median(r.pages for r in complete))
    version = subprocess.run(
        [str(BIN / "devcreds"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return ListingBench(
        listed,
        populated,
        versions,
        version,
        config,
        " ".join(["devcreds", *roles[1:]]),
        populate_config(),
        token,
        source(),
        (load, os.getloadavg()[0]),
    )


def section(m: ListingBench) -> list[str]:
    by = {(x.tool, x.throttle_rps): x for x in m.listed}
    ours, theirs = by["devcreds", 0.0], by["aws-sso-util", 0.0]
    ours_t, theirs_t = by["devcreds", RPS], by["aws-sso-util", RPS]
    bound = throttle_bound(ours_t.needed, RPS)
    speedup = theirs.median / ours.median
    v = m.versions
    return [
        HEADING,
        "",
        "| command | throttle | median s | min s | max s | throttle bound s | median / bound | "
        "calls | retries | runs failed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[x.row() for x in (ours, theirs, ours_t, theirs_t)],
        "",
        f"- (a) no throttle: aws-sso-util / devcreds **{speedup:.1f}×** (target ≥ 10×: "
        f"{'met' if speedup >= 10 else 'not met'}); devcreds {ours.failed} of "
        f"{len(ours.runs)} runs failed, aws-sso-util {theirs.failed} of {len(theirs.runs)}",
        f"- (b) throttle {RPS:g}/s: devcreds **{ours_t.median / bound:.2f}×** the throttle "
        f"bound (target ≤ 1.3×: {'met' if ours_t.median / bound <= 1.3 else 'not met'}), "
        f"**{ours_t.failed} of {len(ours_t.runs)}** runs failed (target 0); aws-sso-util "
        f"{theirs_t.median:.2f} s median ({theirs_t.median / throttle_bound(theirs_t.needed, RPS):.2f}× its bound), "
        f"{theirs_t.failed} of {len(theirs_t.runs)} runs failed, run by run:",
        *[f"  - run {i}: {r.text()}" for i, r in enumerate(theirs_t.runs, 1)],
        f"- aws-sso-util makes one call at a time: without a throttle that is "
        f"{theirs.needed / theirs.median:.1f} calls/s here, devcreds "
        f"{ours.needed / ours.median:.1f} calls/s ({WORKERS} in flight); 1-minute load average "
        f"{m.load[0]:.2f} at the start, {m.load[1]:.2f} at the end (2 CPUs; other work may "
        "have run beside it)",
        "",
        "Calls are the ListAccounts and ListAccountRoles the emulator counted during a run. "
        "The calls a tool's listing needs are what it made without a throttle: devcreds "
        f"{ours.needed} ({ours.pages} ListAccounts pages + "
        f"{ours.needed - ours.pages} ListAccountRoles), aws-sso-util {theirs.needed} "
        f"({theirs.pages} pages at the emulator's default size, + "
        f"{theirs.needed - theirs.pages} ListAccountRoles). Retries are the calls past those "
        "(the ones the throttle turned away), over the runs that completed; a tool's throttle "
        f"bound is its needed calls less the bucket's first burst ({RPS:g}), divided by the "
        "rate. A failed run "
        f"exits non-zero or lists fewer than {ACCOUNTS * ROLES} roles. The runs of the two "
        "tools alternate on one emulator per setting.",
        "",
        "### configure populate (no throttle, same emulator)",
        "",
        "| command | median s | min s | max s | calls | profiles written | runs failed |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[p.row() for p in m.populated],
        "",
        *[
            f"- {p.command}, run {i} failed: {r.text()}"
            for p in m.populated
            for i, r in enumerate(p.runs, 1)
            if r.exit or r.error
        ],
        "",
        "Each populate run writes into a config file of its own, new for that run. "
        "aws-sso-util's starts empty (its start URL and region are on its command line); "
        f"devcreds' starts with the `[sso-session {POPULATE_SESSION}]` below alone and a fresh "
        f"`devcreds login --sso-session {POPULATE_SESSION} --no-browser` (untimed), so that "
        "populate lists as it does first after a login; for the export row, calls are the "
        "GetRoleCredentials it made (the role credentials cache emptied before each). `bench/listing.py`'s `devcreds_populate` measures the "
        "devcreds rows once `devcreds configure populate --help` exits 0.",
        "",
        "### What each tool was given",
        "",
        f"- Emulator: `devcreds emulator --auto-approve --port 0 --accounts {ACCOUNTS} "
        f"--roles-per-account {ROLES} --latency-ms {LATENCY_MS} [--throttle-rps {RPS:g}]` on "
        "127.0.0.1, a new one (and a new temporary HOME) per setting.",
        "- Both tools: `HOME=<temporary folder>`, `AWS_CONFIG_FILE=$HOME/.aws/config`, "
        "`AWS_ENDPOINT_URL=http://127.0.0.1:<port>`, `AWS_EC2_METADATA_DISABLED=true`, no "
        "other `AWS_*` variable.",
        f"- devcreds {m.devcreds_version.split()[-1] if m.devcreds_version else '?'} "
        f"({m.source}), from `.venv`: `devcreds configure sso --profile bench --sso-session "
        f"bench --start-url {START_URL} --sso-region {SSO_REGION} --account-id 111111111111 "
        "--role-name Developer` wrote the config below; logged in with "
        "`devcreds login --profile bench --no-browser` (the emulator approves at once); "
        f"timed: `{m.devcreds_roles}`"
        + (
            " (`--refresh`: list anew, not the listing devcreds keeps)"
            if "--refresh" in m.devcreds_roles
            else ""
        )
        + ".",
        "",
        "```ini",
        *m.devcreds_config.strip().splitlines(),
        "```",
        "",
        f"- aws-sso-util {v.get('aws-sso-util')} (aws-sso-lib {v.get('aws-sso-lib')}, "
        f"boto3 {v.get('boto3')}, botocore {v.get('botocore')}, botocore retry mode "
        f"`{v.get('retry_mode')}` by default), in its own virtualenv `.bench/aws-sso-util` "
        f"(`python -m venv` + `pip install {ASU_REQUIREMENT}`). No config file entries: "
        "it reads only legacy `sso_start_url` profiles, not `[sso-session]`, so the start URL "
        f"and region go on its command line: `aws-sso-util login {START_URL} {SSO_REGION} "
        "--headless` (its own device-code login, approved by the emulator at once; token in "
        f"`~/{m.token_file}`, sha1 of the start URL, where botocore's SSO token cache keeps "
        f"it), then timed: `aws-sso-util roles --sso-start-url {START_URL} --sso-region "
        f"{SSO_REGION}`. aws-sso-lib creates its `sso`/`sso-oidc` clients with botocore's "
        "`create_client` and no `endpoint_url`, so `AWS_ENDPOINT_URL` points them at the "
        f"emulator; `HTTP(S)_PROXY={DEAD_PROXY}` with `NO_PROXY=127.0.0.1,localhost` makes "
        "any call meant for anywhere else fail at once.",
        "- devcreds populate's starting config file:",
        "",
        "```ini",
        *m.populate_config.strip().splitlines(),
        "```",
        *[
            line
            for p in m.populated
            if p.sample
            for line in ("", f"- A profile `{p.command}` wrote:", "", "```ini", p.sample, "```")
        ],
    ]
