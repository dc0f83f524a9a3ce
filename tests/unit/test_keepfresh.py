"""The flows behind ``refresh`` and ``watch``, driven by the emulator's clock: real files, a real
resolver on a loopback emulator, no sleeping (the watch's sleep moves the clock)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.retries.standard
import pytest

from devcreds import awsconfig, cache, formats, keepfresh, keys
from devcreds.cache import RoleCredentials, Token
from devcreds.credentials import Resolver
from devcreds.errors import LoginRequired
from devcreds.keepfresh import FileResult
from devcreds.paths import Paths
from devcreds.sinks import deliver, record
from devcreds.sso.clients import ClientFactory
from tests.sinks.test_gitcheck import git
from tests.support import START_URL, FakeClock, RunningEmulator, device_login

CONFIG = f"""[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""
MINUTE = dt.timedelta(minutes=1)


class Clock:
    """UTC instants on the emulator's fake clock: devcreds and the emulator see one time."""

    def __init__(self, emulator_clock: FakeClock) -> None:
        self._clock = emulator_clock

    def __call__(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock.now, dt.UTC)

    def advance(self, seconds: float) -> None:
        self._clock.advance(seconds)

    def set(self, moment: dt.datetime) -> None:
        self._clock.now = moment.timestamp()


@dataclass
class Told:
    """What a watch said, and when by its clock."""

    clock: Clock
    said: list[tuple[str, Any, dt.datetime]] = field(default_factory=list)

    def watching(self, files: int, next_at: dt.datetime | None) -> None:
        self.said.append(("watching", files, self.clock()))

    def file(self, result: FileResult, retry_at: dt.datetime | None) -> None:
        self.said.append(("file", (result, retry_at), self.clock()))

    def login_needed(self, error: LoginRequired) -> None:
        self.said.append(("login_needed", error, self.clock()))

    def login_found(self, session: str) -> None:
        self.said.append(("login_found", session, self.clock()))

    def warning(self, text: str) -> None:
        self.said.append(("warning", text, self.clock()))

    def of(self, kind: str) -> list[Any]:
        return [what for said, what, _ in self.said if said == kind]

    def updates(self) -> list[dt.datetime]:
        return [
            at
            for said, what, at in self.said
            if said == "file" and what[0].status == "updated" and what[1] is None
        ]


@dataclass
class World:
    emu: RunningEmulator
    paths: Paths
    clock: Clock
    fetches: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.paths, ClientFactory(), self.clock)

    @property
    def config(self) -> awsconfig.AwsConfig:
        return awsconfig.load(self.paths.config_file)

    @property
    def session(self) -> awsconfig.SsoSession:
        return awsconfig.sso_session(self.config, "corp")

    def login(self) -> None:
        """What a device login leaves in the cache (the token, renewable)."""
        answer = device_login(self.emu)
        client = answer["client"]
        token = Token(
            start_url=START_URL,
            region="us-east-1",
            access_token=answer["accessToken"],
            expires_at=self.clock() + dt.timedelta(seconds=answer["expiresIn"]),
            client_id=client["clientId"],
            client_secret=client["clientSecret"],
            registration_expires_at=dt.datetime.fromtimestamp(
                client["clientSecretExpiresAt"], dt.UTC
            ),
            refresh_token=answer["refreshToken"],
        )
        cache.save_token(self.paths, self.session, token)

    def logout(self) -> None:
        cache.forget(self.paths, cache.token_path(self.paths, self.session))

    def fetch(self, profile: str, outlive: dt.datetime | None) -> RoleCredentials:
        self.fetches.append(profile)
        return self.resolver.profile_credentials(self.config, profile, outlive)

    def write(
        self,
        path: Path,
        kind: str = "dotenv",
        *,
        allow_tracked: bool = True,
        region: str | None = None,
        **extra: str,
    ) -> dt.datetime:
        """``devcreds write`` of the profile's credentials (``--allow-tracked``, and
        ``--with-region`` when a region is given); their expiry as recorded."""
        creds = self.resolver.profile_credentials(self.config, "dev")
        variables = {**formats.variables(creds.fields()), **extra}
        if region:
            variables["AWS_REGION"] = region
        delivery = deliver.Delivery(variables, "dev", creds.expiration, with_region=bool(region))
        report = deliver.write(
            self.paths,
            kind,
            [path],
            lambda: delivery,
            now=self.clock(),
            allow_tracked=allow_tracked,
        )
        assert not report.failures
        return cache.parse_timestamp(cache.format_timestamp(creds.expiration))

    def watch(self, told: Told, **options: Any) -> keepfresh.Watch:
        options.setdefault("sleep", self.clock.advance)
        return keepfresh.Watch(
            self.paths, lambda: self.config, self.fetch, self.clock, events=told, **options
        )

    def refresh(self, **options: Any) -> keepfresh.Report:
        return keepfresh.refresh(self.paths, self.config, self.fetch, self.clock(), **options)

    def failing(self, failing: bool) -> None:
        """Every AWS call of the emulator answers 500 (or, again, as it should)."""
        emulator = self.emu.emulator
        emulator.config = dataclasses.replace(
            emulator.config, fault_rate=1.0 if failing else 0.0, fault_drop_share=0.0
        )


@pytest.fixture
def world(start_emulator, tmp_path, monkeypatch) -> World:
    emu = start_emulator(auto_approve=True)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    # botocore's own pause between its attempts would be real time; the test's is fake.
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0
    )
    home = tmp_path / "home"
    paths = Paths(home, home / ".aws" / "config", home / ".aws" / "credentials")
    paths.config_file.parent.mkdir(parents=True)
    paths.config_file.write_text(CONFIG)
    made = World(emu, paths, Clock(emu.clock))
    made.login()
    return made


@pytest.fixture
def told(world) -> Told:
    return Told(world.clock)


@pytest.mark.parametrize("lifetime", [None, 60.0, 900.0, 2700.0, 3600.0, 43200.0])
def test_the_window_is_where_keys_fresh_turns(lifetime):
    """window() is the boundary of keys.fresh, the rule the resolver and fast path use."""
    edge = keepfresh.window(lifetime)
    assert keys.fresh(edge + 0.001, lifetime)
    assert not keys.fresh(edge, lifetime)


def test_a_file_is_rewritten_at_the_advisory_point_and_not_before(world, told, tmp_path):
    """One second before 15 minutes are left nothing happens; at 15 minutes it is rewritten."""
    path = tmp_path / ".env"
    expires = world.write(path)
    watch = world.watch(told)
    written = path.read_bytes()
    world.clock.set(expires - 15 * MINUTE - dt.timedelta(seconds=1))
    assert watch.cycle().results == []
    assert path.read_bytes() == written
    world.clock.set(expires - 15 * MINUTE)
    (result,) = watch.cycle().results
    assert result.status == "updated"
    assert result.expires_at is not None
    assert result.expires_at > expires
    assert path.read_bytes() != written


def test_the_watch_sleeps_a_minute_at_most_and_wakes_at_each_refresh_point(world, told, tmp_path):
    """Two hours of watching: every sleep is at most 60 s, and the file is rewritten twice,
    each time within a second of its advisory point (the old credentials never expire)."""
    path = tmp_path / ".env"
    expires = world.write(path)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        world.clock.advance(seconds)

    world.clock.advance(7)  # off the minute, so steps of a minute alone would miss the point
    start = world.clock()
    world.watch(told, sleep=sleep).run(lambda: world.clock() - start > dt.timedelta(hours=2))
    assert max(slept) <= keepfresh.STEP
    first, second = told.updates()
    assert dt.timedelta(0) <= first - (expires - 15 * MINUTE) <= dt.timedelta(seconds=1)
    renewed = first + dt.timedelta(hours=1)  # the emulator's credentials live an hour
    assert dt.timedelta(seconds=-1) <= second - (renewed - 15 * MINUTE) <= dt.timedelta(seconds=1)


def test_one_device_login_lasts_the_day_through_refresh_grants(world, told, tmp_path):
    """Five hours of watching on one device login whose tokens live an hour: each of the six
    rewrites works, on tokens the resolver renewed with their refresh token."""
    path = tmp_path / ".env"
    world.write(path)
    start = world.clock()
    world.watch(told).run(lambda: world.clock() - start > dt.timedelta(hours=5))
    assert len(told.updates()) == 6  # every 45 minutes
    assert told.of("login_needed") == []
    grants = world.emu.stats()["grants"]
    assert grants["device_code"] == 1
    assert grants["refresh_token"] >= 2


def test_a_dead_session_is_said_once_and_a_new_login_is_picked_up(world, told, tmp_path):
    """Logged out: one attempt, said once; the cycles after it fetch nothing. A login (a new
    token file) and the next cycle rewrites the file."""
    path = tmp_path / ".env"
    expires = world.write(path)
    world.logout()
    world.clock.set(expires - 10 * MINUTE)
    watch = world.watch(told)
    for _ in range(5):
        watch.cycle()
        world.clock.advance(30)
    (said,) = told.of("login_needed")
    assert said.hint == "devcreds login --profile dev"
    assert world.fetches == ["dev"]
    written = path.read_bytes()
    world.login()
    (result,) = watch.cycle().results
    assert told.of("login_found") == ["corp"]
    assert result.status == "updated"
    assert path.read_bytes() != written


def test_failures_are_retried_with_growing_delays_by_the_mandatory_point_and_the_expiry(
    world, told, tmp_path
):
    """The emulator fails every call: retries come after 2.5, 5, 10, … s (no jitter here),
    one lands on the mandatory point (10 minutes left) and one on the expiry, none later
    than the next of them; once the emulator answers again the file is rewritten."""
    path = tmp_path / ".env"
    expires = world.write(path)
    world.failing(True)
    world.clock.set(expires - 15 * MINUTE)
    watch = world.watch(told, jitter=lambda: 0.0)
    watch.run(lambda: world.clock() > expires + 5 * MINUTE)
    tries = [(at, what[1]) for said, what, at in told.said if said == "file" and what[0].error]
    delays = [(retry - at).total_seconds() for at, retry in tries]
    assert delays[:6] == [2.5, 5.0, 10.0, 20.0, 40.0, 80.0]
    mandatory = expires - 10 * MINUTE
    for at, retry in tries:
        for deadline in (mandatory, expires):
            if at < deadline:
                assert retry <= deadline
                break
    assert {mandatory, expires} <= {retry for _, retry in tries}
    world.failing(False)
    world.clock.set(max(retry for _, retry in tries))
    (result,) = watch.cycle().results
    assert result.status == "updated"


def test_jitter_spreads_retries_between_half_and_all_of_the_delay(world, told, tmp_path):
    """With jitter, the first retry comes between 2.5 and 5 s after the failure."""
    path = tmp_path / ".env"
    expires = world.write(path)
    world.failing(True)
    world.clock.set(expires - 15 * MINUTE)
    waits = []
    for jitter in (0.0, 0.5, 0.999):
        watch = world.watch(Told(world.clock), jitter=lambda jitter=jitter: jitter)
        (result,) = watch.cycle().results
        assert result.error is not None
        retry_at = watch._retries[path.resolve()].at
        waits.append((retry_at - world.clock()).total_seconds())
    assert waits == [2.5, 3.75, pytest.approx(4.9975)]


def test_a_jump_of_the_clock_past_the_expiry_is_caught_up_after_one_step(world, told, tmp_path):
    """The laptop slept through the expiry (the clock jumps three hours during one sleep):
    the cycle right after it rewrites the file, on a token renewed by its refresh token."""
    path = tmp_path / ".env"
    world.write(path)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        world.clock.advance(3 * 3600 if len(slept) == 1 else seconds)

    world.watch(told, sleep=sleep).run(lambda: bool(told.updates()) or len(slept) > 3)
    assert len(slept) == 1
    (result,) = [what[0] for said, what, _ in told.said if said == "file"]
    assert result.status == "updated"
    assert result.expires_at is not None
    assert result.expires_at > world.clock()


def test_files_written_after_the_watch_began_are_watched(world, told, tmp_path):
    """Records are read again every cycle: a file written later is watched and rewritten."""
    watch = world.watch(told)
    watch.cycle()
    path = tmp_path / ".env"
    expires = world.write(path)
    watch.cycle()
    assert told.of("watching") == [0, 1]
    world.clock.set(expires - 15 * MINUTE)
    (result,) = watch.cycle().results
    assert (result.path, result.status) == (path.resolve(), "updated")


def test_a_file_that_points_at_serve_is_left_alone(world, tmp_path):
    """A record noting ``via: serve``: listed as live, never fetched for, never touched."""
    path = tmp_path / ".env"
    world.write(path)
    with record.locked(world.paths, path) as entry:
        assert entry.record is not None
        assert entry.record.state is not None
        state = dataclasses.replace(entry.record.state, via="serve")
        entry.save(record.with_state(entry.record, state))
    written = path.read_bytes()
    (result,) = world.refresh(force=True).results
    assert result.status == "live"
    assert world.fetches == []
    assert path.read_bytes() == written


def test_a_file_left_with_only_devcreds_region_keeps_its_record(world, tmp_path):
    """The credential lines deleted by hand, devcreds' AWS_REGION (over the user's) left: the
    record stays, so clean can still put the user's region back."""
    path = tmp_path / ".env"
    original = "APP=1\nAWS_REGION=us-east-2 # keep\n"
    path.write_text(original)
    world.write(path, AWS_REGION="eu-west-1")
    kept = [line for line in path.read_text().splitlines() if not line.startswith("AWS_") or
            line.startswith("AWS_REGION")]  # fmt: skip
    path.write_text("\n".join(kept) + "\n")
    (result,) = world.refresh(force=True).results
    assert result.status == "leftovers"
    assert "AWS_REGION" in (result.note or "")
    assert world.fetches == []
    report = deliver.clean(world.paths)
    assert not report.failures
    assert path.read_text() == original


def test_a_file_whose_credentials_left_the_cache_is_judged_from_its_write(world, tmp_path):
    """Credentials written 40 minutes after they were fetched, then gone from the role cache:
    their lifetime is taken as the 20 minutes from the write, so the window is a third of
    that (6 min 40 s), never more than the real one."""
    world.fetch("dev", None)
    world.clock.advance(40 * 60)
    path = tmp_path / ".env"
    expires = world.write(path)
    for file in world.paths.cli_cache.glob("*.json"):
        file.unlink()
    world.clock.set(expires - 15 * MINUTE)
    (result,) = world.refresh().results
    assert result.status == "fresh"
    assert result.refresh_at == expires - dt.timedelta(minutes=6, seconds=40)
    world.clock.set(expires - dt.timedelta(minutes=6, seconds=40))
    (result,) = world.refresh().results
    assert result.status == "updated"


def test_a_renamed_launch_profile_is_rewritten_under_its_new_name_and_no_other(world, tmp_path):
    """Written into "Web" only, renamed "Site" since: the rewrite goes to "Site", "Api"
    still has no credentials, and clean takes them out of "Site"."""
    path = tmp_path / "launchSettings.json"
    original = '{"profiles": {"Web": {"commandName": "Project"}, "Api": {}}}'
    path.write_text(original)
    creds = world.resolver.profile_credentials(world.config, "dev")
    report = deliver.write(
        world.paths,
        "launchsettings",
        [path],
        lambda: deliver.Delivery(formats.variables(creds.fields()), "dev", creds.expiration),
        now=world.clock(),
        only=["Web"],
    )
    assert not report.failures
    path.write_text(path.read_text().replace('"Web"', '"Site"'))
    (result,) = world.refresh(force=True).results
    assert result.status == "updated"
    profiles = json.loads(path.read_text())["profiles"]
    assert profiles["Site"]["environmentVariables"]["AWS_ACCESS_KEY_ID"] != creds.access_key_id
    assert profiles["Api"] == {}
    assert not deliver.clean(world.paths).failures
    assert path.read_text() == original.replace('"Web"', '"Site"')


def _repository(folder: Path, *tracked: str) -> None:
    folder.mkdir(exist_ok=True)
    git(folder, "init", "-q")
    git(folder, "add", *tracked)
    git(folder, "commit", "-qm", "tracked")


def test_allow_tracked_given_to_the_write_is_honoured_by_the_watch(world, told, tmp_path):
    """A committed file written with --allow-tracked: the watch, given no flag, rewrites it."""
    path = tmp_path / "repo" / ".env"
    path.parent.mkdir()
    path.write_text("APP=1\n")
    _repository(path.parent, ".env")
    expires = world.write(path, allow_tracked=True)
    written = path.read_bytes()
    world.clock.set(expires - 15 * MINUTE)
    (result,) = world.watch(told).cycle().results
    assert (result.status, result.error) == ("updated", None)
    assert path.read_bytes() != written


def test_a_refusal_no_retry_can_fix_is_said_once_and_never_retried(world, told, tmp_path):
    """Keys written while git did not track the file, then committed: the watch says the
    refusal once, with its fix, and tries no more (an hour of cycles) until the record
    changes: a write with --allow-tracked, which the watch then keeps fresh."""
    path = tmp_path / "repo" / ".env"
    path.parent.mkdir()
    (path.parent / "README").write_text("x")
    _repository(path.parent, "README")
    expires = world.write(path, allow_tracked=False)
    git(path.parent, "add", ".env")
    git(path.parent, "commit", "-qm", "keys and all")
    world.clock.set(expires - 15 * MINUTE)
    watch = world.watch(told)
    for _ in range(60):
        watch.cycle()
        world.clock.advance(60)
    (refused,) = told.of("file")
    result, retry_at = refused
    assert retry_at is None
    assert result.error is not None
    assert result.error.message.startswith(f"git tracks {path}")
    assert "--allow-tracked" in (result.error.hint or "")
    assert world.fetches == []
    world.write(path, allow_tracked=True)  # the user's explicit choice, recorded
    world.clock.advance(50 * 60)  # due again
    (again,) = watch.cycle().results
    assert again.status == "updated"


def test_with_region_is_remembered_and_follows_the_config(world, tmp_path):
    """Written --with-region: refresh writes AWS_REGION again, as the config says it now."""
    path = tmp_path / ".env"
    world.paths.config_file.write_text(
        CONFIG.replace("Developer\n", "Developer\nregion = eu-west-1\n", 1)
    )
    world.write(path, region="eu-west-1")
    world.paths.config_file.write_text(
        CONFIG.replace("Developer\n", "Developer\nregion = eu-north-1\n", 1)
    )
    (result,) = world.refresh(force=True).results
    assert result.status == "updated"
    assert "AWS_REGION=eu-north-1" in path.read_text()


def test_without_with_region_refresh_leaves_the_region_alone(world, tmp_path):
    """Written without --with-region: a region the user set stays, whatever the config says."""
    path = tmp_path / ".env"
    path.write_text("AWS_REGION=us-east-2\n")
    world.paths.config_file.write_text(
        CONFIG.replace("Developer\n", "Developer\nregion = eu-north-1\n", 1)
    )
    world.write(path)
    (result,) = world.refresh(force=True).results
    assert result.status == "updated"
    assert "AWS_REGION=us-east-2" in path.read_text()


def test_a_file_whose_launch_profile_was_removed_is_said_once_and_never_written(
    world, told, tmp_path
):
    """The launch profile that held the credentials is deleted: the watch says so once,
    forgets the file, and an hour of cycles writes nothing into it."""
    path = tmp_path / "launchSettings.json"
    path.write_text('{"profiles": {"Web": {"commandName": "Project"}}}')
    expires = world.write(path, "launchsettings")
    path.write_text('{"profiles": {"Other": {"commandName": "Project"}}}')  # Web deleted
    world.clock.set(expires - 15 * MINUTE)
    watch = world.watch(told)
    for _ in range(60):
        watch.cycle()
        world.clock.advance(60)
    ((result, retry_at),) = told.of("file")
    assert (result.status, retry_at) == ("dropped", None)
    assert result.note == f"{path} no longer holds devcreds' credentials; dropped from the record"
    assert path.read_text() == '{"profiles": {"Other": {"commandName": "Project"}}}'
    assert world.fetches == []
