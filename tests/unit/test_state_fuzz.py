"""Generated garbage in every cache and state file devcreds reads: absent, never a crash, and
the fast path serves only what the full CLI would print."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from devcreds import awsconfig, cache, fastpath, formats, status
from devcreds.errors import DevcredsError
from devcreds.paths import Paths

CONFIG = """\
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev
duration_seconds = 900

[sso-session corp]
sso_start_url = https://d-0123456789.awsapps.com/start
sso_region = us-east-1
"""
KEYS = [
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
    "scopes",
    "grantTypes",
    "ProviderType",
    "Credentials",
    "AccessKeyId",
    "SecretAccessKey",
    "SessionToken",
    "Expiration",
    "AccountId",
    "notes",
    "config",
    "profile",
    "identity",
    "credentials",
    "cache",
    "of",
    "seconds",
]
FIXED_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2099-13-45T99:99:99Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2024-02-30T00:00:00Z",
    "2099-01-01T00:00:00UTC",
    "2099-01-01T00:00:00",
    "2099-01-01T00:00:00.123456789+05:30",
    "2099-01-01",
    "٢٠٩٩-01-01T00:00:00Z",
]


def _now():
    return dt.datetime.now(dt.UTC)


@st.composite
def near_times(draw):
    """Instants around now, in the forms tools write: fresh, about to expire, expired."""
    moment = _now() + dt.timedelta(seconds=draw(st.integers(-7200, 7200)))
    form = draw(
        st.sampled_from(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%SUTC", "%Y-%m-%dT%H:%M:%S"])
    )
    return moment.strftime(form)


GRAMMAR_TIMES = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["Z", "UTC", "", "+01:00", "-23:59", "+24:00", "+0530", "z", " Z"]),
)
TIMES = st.one_of(st.sampled_from(FIXED_TIMES), near_times(), GRAMMAR_TIMES)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=10**18, max_value=10**4000),
    st.floats(allow_nan=True, allow_infinity=True),
)
TEXTS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "ASIAX", "sso", "a\nb", "\ud800", "x\u2028y", "$(echo owned)", "é"]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS, TIMES)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=6),
    ),
    max_leaves=16,
)


def _shaped(keys, value):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, value))


LIKELY = st.one_of(TEXTS, TIMES, SCALARS, VALUES)
TOKENS = _shaped(KEYS[:10], st.one_of(TEXTS.filter(bool), TIMES, LIKELY))
ROLES = st.fixed_dictionaries(
    {
        "Credentials": st.one_of(
            _shaped(["AccessKeyId", "SessionToken", "Expiration"], LIKELY), VALUES
        )
    },
    optional={"ProviderType": st.sampled_from(["sso", "assume-role", None, 1])},
)


@st.composite
def role_files(draw):
    """Role caches that are mostly well formed, so the fast path often gets to decide: valid
    values with now and then one odd one, an expiration around now in any form."""
    credentials = {
        "AccessKeyId": "ASIAX",
        "SecretAccessKey": "s",
        "SessionToken": draw(st.sampled_from(["t", "u"])),
        "Expiration": draw(st.one_of(near_times(), near_times(), TIMES)),
    }
    if draw(st.booleans()):
        credentials["AccountId"] = "111111111111"
    if draw(st.integers(0, 3)) == 0:
        credentials[draw(st.sampled_from(sorted(credentials)))] = draw(LIKELY)
    data = {"Credentials": credentials}
    if draw(st.booleans()):
        data["ProviderType"] = draw(st.sampled_from(["sso", "sso", "assume-role", None]))
    return data


NOTES = st.fixed_dictionaries(
    {"notes": st.one_of(st.lists(_shaped(KEYS[-7:], LIKELY), max_size=3), VALUES)}
)
DEEP = st.integers(500, 100_000).flatmap(
    lambda n: st.sampled_from([b"[" * n + b"]" * n, b'{"a":' * n + b"1" + b"}" * n])
)


def _encoded(data):
    return st.sampled_from(["utf-8", "utf-16"]).map(lambda codec: json.dumps(data).encode(codec))


def garbage(shaped, *likely):
    """Random bytes, deep nesting, JSON of any shape, JSON of the expected shape, and
    ``likely`` (nearly right) contents, each drawn as often as all the garbage together."""
    junk = st.one_of(
        st.binary(max_size=64), DEEP, VALUES.flatmap(_encoded), shaped.flatmap(_encoded)
    )
    return st.one_of(junk, *(strategy.flatmap(_encoded) for strategy in likely))


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def _home():
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        (home / ".aws").mkdir()
        (home / ".aws" / "config").write_text(CONFIG)
        paths = Paths(home, home / ".aws" / "config", home / ".aws" / "credentials")
        environ = {"HOME": folder, "AWS_CONFIG_FILE": str(paths.config_file)}
        yield paths, environ, awsconfig.load(paths.config_file)


def _write(path, content, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def _status_reads(paths, config):
    """status reads every cache of the config; it may only answer, or raise our errors."""
    with contextlib.suppress(DevcredsError):
        status.status(paths, config, _now())


@FUZZ
@given(content=garbage(TOKENS), registration=garbage(TOKENS))
def test_token_and_registration_caches(content, registration):
    """A garbage token or registration loads as absent or as a usable record, never a crash."""
    with _home() as (paths, _, config):
        session = awsconfig.sso_session(config, "corp")
        _write(cache.token_path(paths, session), content)
        _write(cache.registration_path(paths, session), registration)
        now = _now()
        token = cache.load_token(paths, session)
        if token is not None:
            assert token.fresh(now) in (True, False)
            assert token.refreshable(now) in (True, False)
            assert cache.Token.from_json(token.to_json())._replace(lifetime=token.lifetime) == token
            cache.format_timestamp(token.expires_at)
        found = cache.load_registration(paths, session)
        if found is not None:
            assert found.usable(now) in (True, False)
            assert cache.Registration.from_json(found.to_json()) == found
        _status_reads(paths, config)
        assert cache.token_path(paths, session).read_bytes() == content


@settings(FUZZ, max_examples=400)
@given(
    content=garbage(ROLES, role_files(), role_files()),
    lifetime_note=st.one_of(st.none(), garbage(_shaped(["of", "seconds"], LIKELY))),
    age=st.one_of(st.none(), st.integers(-3600, 10**6)),
    assumed=st.booleans(),
)
def test_role_caches_and_the_fast_path_agree(content, lifetime_note, age, assumed):
    """Garbage role or assumed-role credentials: the full CLI reads absent or a record, and the
    fast path serves only fresh credentials the full CLI would print byte for byte."""
    with _home() as (paths, environ, config):
        chain = awsconfig.credential_chain(config, "deploy" if assumed else "dev")
        if assumed:
            path = cache.assumed_role_path(paths, chain.hops[-1])
        else:
            path = cache.role_credentials_path(paths, chain.root)
        mtime = None if age is None else _now().timestamp() - age
        _write(path, content, mtime)
        if lifetime_note is not None:
            _write(paths.state / "lifetimes" / path.name, lifetime_note)
        profile = "deploy" if assumed else "dev"
        fastpath.remember(paths, environ, profile, str(path))
        now = _now()
        if assumed:
            creds = cache.load_assumed_role(paths, chain.hops[-1])
        else:
            creds = cache.load_role_credentials(paths, chain.root)
        if creds is not None:
            creds.fields()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            served = fastpath.export(["export", "--profile", profile], environ)
        event("fast path served" if served else "absent" if creds is None else "full path only")
        if served:
            assert creds is not None
            assert creds.fresh(now)
            assert out.getvalue() == formats.render(creds.fields(), "process")
        else:
            assert out.getvalue() == ""
        _status_reads(paths, config)
        assert path.read_bytes() == content


@FUZZ
@given(note=garbage(NOTES))
def test_the_fast_path_note(note):
    """A garbage fastpath.json: the fast path declines or serves the right file, and the full
    CLI's remember() writes a good note over it."""
    with _home() as (paths, environ, config):
        profile = awsconfig.sso_profile(config, "dev")
        creds = cache.RoleCredentials("ASIAX", "s", "t", _now() + dt.timedelta(hours=1))
        cache.save_role_credentials(paths, profile, creds)
        _write(paths.state / "fastpath.json", note)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            served = fastpath.export(["export", "--profile", "dev"], environ)
        assert out.getvalue() == (formats.render(creds.fields(), "process") if served else "")
        cache_file = str(cache.role_credentials_path(paths, profile))
        fastpath.remember(paths, environ, "dev", cache_file)
        assert fastpath._cache_file(environ, str(paths.home), "dev") == cache_file
