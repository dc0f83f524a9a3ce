"""``clean`` is the exact inverse of ``write``, whatever the user did to the file in between."""

from __future__ import annotations

import json
import re
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devcreds.errors import UsageError
from devcreds.sinks import jsonc
from tests.sinks.flow import CREDS, Sinks, creds

LAUNCH = """{
  "profiles": {
    "Web": {
      "commandName": "Project",
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_REGION": "us-east-2"
      }
    },
    "Worker": {
      "commandName": "Project",
      "environmentVariables": {   }
    },
    "Plain": {
      "commandName": "Project"
    }
  }
}
"""
VSCODE = """{
  "version": "0.2.0",
  "configurations": [
    {
      "name": "Api",
      "type": "coreclr",
      "env": {}
    },
    {
      "name": "LocalStack",
      "type": "coreclr",
      "env": { "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test" }
    }
  ]
}
"""
DOTENV = "APP=1\nAWS_REGION=us-east-2 # keep\nexport AWS_ACCESS_KEY_ID='AKIAUSERKEY'\n"
CREDENTIALS = (
    "[default]\nregion=eu-west-1\n\n[dev]\naws_access_key_id=AKIAUSERKEY\n"
    "aws_secret_access_key = userSecretValue\n"
)
ORIGINALS = {
    "launchsettings": ("launchSettings.json", LAUNCH),
    "vscode": ("launch.json", VSCODE),
    "dotenv": (".env", DOTENV),
    "credentials": ("credentials", CREDENTIALS),
}
KINDS = list(ORIGINALS)


@pytest.fixture
def sinks(tmp_path):
    return Sinks.at(tmp_path / "home")


def _file(tmp_path, kind, text=None):
    name, original = ORIGINALS[kind]
    path = tmp_path / "project" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes((original if text is None else text).encode())
    return path


def _write(sinks, kind, path, variables=None, **options):
    if kind == "credentials":
        options.setdefault("only", ["dev"])
        variables = {k: v for k, v in (variables or CREDS).items() if k != "AWS_REGION"}
    return sinks.write(kind, path, variables, **options)


def _secrets(variables=CREDS):
    return [variables["AWS_SECRET_ACCESS_KEY"], variables["AWS_SESSION_TOKEN"]]


@pytest.mark.parametrize("kind", KINDS)
def test_clean_restores_the_values_write_replaced(sinks, tmp_path, kind):
    """A user's own AWS values are saved by the write and come back byte for byte."""
    path = _file(tmp_path, kind)
    report = _write(sinks, kind, path)
    assert report.outcomes[0].kept  # the write said it kept them
    written = path.read_text()
    assert "AKIAUSERKEY" not in written
    assert '"AWS_ACCESS_KEY_ID": "test"' not in written
    sinks.clean(path)
    assert path.read_text() == ORIGINALS[kind][1]


@pytest.mark.parametrize("kind", KINDS)
def test_replaced_values_are_kept_outside_the_record(sinks, tmp_path, kind):
    """The record holds no secret; the user's replaced values sit in the private saved folder."""
    path = _file(tmp_path, kind)
    _write(sinks, kind, path)
    state = sinks.paths.state
    records = "".join(p.read_text() for p in (state / "sinks").glob("*.json"))
    saved = "".join(p.read_text() for p in (state / "saved").glob("*.json"))
    assert not [s for s in [*_secrets(), "AKIAUSERKEY", "userSecretValue"] if s in records]
    if kind in ("dotenv", "credentials"):
        assert "AKIAUSERKEY" in saved
    assert [p.stat().st_mode & 0o777 for p in (state / "saved").glob("*")] == [0o600]


def _user_edit(kind, text):
    """What a user might do to the file after devcreds wrote it (the same to the original)."""
    if kind == "launchsettings":
        return text.replace(
            '"ASPNETCORE_ENVIRONMENT": "Development"', '"ASPNETCORE_ENVIRONMENT": "Staging"'
        )
    if kind == "vscode":
        return text.replace(
            '"type": "coreclr",\n      "env": {', '"type": "node",\n      "env": {', 1
        )
    if kind == "dotenv":
        return text.replace("APP=1\n", "APP=2\nNEW=x\n")
    return text.replace(
        "[default]\nregion=eu-west-1\n", "[default]\nregion=eu-west-2\noutput=json\n"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_clean_keeps_what_the_user_changed_after_the_write(sinks, tmp_path, kind):
    """Edits made between write and clean stay; only devcreds' values go."""
    path = _file(tmp_path, kind)
    _write(sinks, kind, path)
    path.write_text(_user_edit(kind, path.read_text()))
    sinks.clean(path)
    assert path.read_text() == _user_edit(kind, ORIGINALS[kind][1])


def test_a_variable_added_to_an_object_devcreds_filled_stays(sinks, tmp_path):
    """The user adds a variable to the {} devcreds filled: clean leaves it, and only it."""
    path = _file(tmp_path, "vscode")
    sinks.write("vscode", path)
    mine = '"env": {\n        "MINE": "1",\n'
    path.write_text(path.read_text().replace('"env": {\n', mine, 1))
    sinks.clean(path)
    assert path.read_text() == VSCODE.replace('"env": {}', '"env": {\n        "MINE": "1"\n      }')


def _add_target(kind, text):
    """A target the user adds after the write, with AWS values of their own."""
    if kind == "launchsettings":
        return text.replace(
            '  "profiles": {\n',
            '  "profiles": {\n    "Local": { "environmentVariables": { "AWS_ACCESS_KEY_ID": "test" } },\n',
            1,
        )
    if kind == "vscode":
        return text.replace(
            '  "configurations": [\n',
            '  "configurations": [\n    { "name": "New", "env": { "AWS_REGION": "eu-west-1" } },\n',
            1,
        )
    if kind == "dotenv":
        return text + "AWS_PROFILE=mine\n"
    return text + "\n[other]\naws_access_key_id = AKIAOTHER\n"


@pytest.mark.parametrize("kind", KINDS)
def test_clean_leaves_targets_the_user_added(sinks, tmp_path, kind):
    """A profile/configuration/section added after the write keeps its AWS values."""
    path = _file(tmp_path, kind)
    _write(sinks, kind, path)
    path.write_text(_add_target(kind, path.read_text()))
    sinks.clean(path)
    assert path.read_text() == _add_target(kind, ORIGINALS[kind][1])


RENAMES = {
    "launchsettings": ('"Plain": {', '"PlainRenamed": {'),
    "vscode": ('"name": "Api"', '"name": "Api (renamed)"'),
    "credentials": ("[dev]", "[dev-renamed]"),
}


@pytest.mark.parametrize("kind", list(RENAMES))
def test_clean_finds_credentials_in_a_renamed_target(sinks, tmp_path, kind):
    """Renamed after the write: devcreds' values are found by what they are, and taken out."""
    old, new = RENAMES[kind]
    path = _file(tmp_path, kind)
    _write(sinks, kind, path)
    path.write_text(path.read_text().replace(old, new))
    report = sinks.clean(path)
    assert report.outcomes[0].changed
    assert path.read_text() == ORIGINALS[kind][1].replace(old, new)


def test_renaming_two_targets_with_saved_values_is_refused(sinks, tmp_path):
    """When devcreds cannot tell which saved value belongs where, the file stays as it is."""
    text = LAUNCH.replace(
        '"Worker": {\n      "commandName": "Project",\n      "environmentVariables": {   }',
        '"Worker": {\n      "commandName": "Project",\n      "environmentVariables": { "AWS_REGION": "x" }',
    )
    path = _file(tmp_path, "launchsettings", text)
    sinks.write("launchsettings", path, {**CREDS, "AWS_REGION": "eu-west-1"})
    renamed = (
        path.read_text().replace('"Web": {', '"Web2": {').replace('"Worker": {', '"Worker2": {')
    )
    path.write_text(renamed)
    report = sinks.clean(path, check=False)
    assert [o.error.exit_code for o in report.failures] == [6]
    assert path.read_text() == renamed


def _reformat(kind, text):
    if kind in ("launchsettings", "vscode"):
        return json.dumps(jsonc.to_python(jsonc.parse(text)), indent=4) + "\n"
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize("kind", KINDS)
def test_clean_after_the_file_was_reformatted(sinks, tmp_path, kind):
    """A file an IDE reformatted: clean gives the reformatted original."""
    original = ORIGINALS[kind][1]
    if kind in ("launchsettings", "vscode"):  # a reformat loses the text inside an empty {}
        original = original.replace("{   }", "{}").replace('"env": {}', '"env": {"X": "1"}')
    path = _file(tmp_path, kind, original)
    _write(sinks, kind, path)
    path.write_text(_reformat(kind, path.read_text()), newline="")
    sinks.clean(path)
    assert path.read_bytes().decode() == _reformat(kind, original)


@pytest.mark.parametrize("kind", KINDS)
def test_two_writes_with_different_options_clean_to_the_original(sinks, tmp_path, kind):
    """--with-region, then a refresh without it: clean takes the region out too."""
    path = _file(tmp_path, kind)
    _write(sinks, kind, path, {**creds(1), "AWS_REGION": "eu-central-1"})
    _write(sinks, kind, path, creds(2))
    assert creds(1)["AWS_SESSION_TOKEN"] not in path.read_text()
    sinks.clean(path)
    assert path.read_text() == ORIGINALS[kind][1]


def test_writes_to_different_launch_profiles_accumulate(sinks, tmp_path):
    """--launch-profile Web, then --launch-profile Plain with newer keys: clean undoes both."""
    path = _file(tmp_path, "launchsettings")
    sinks.write("launchsettings", path, creds(1), only=["Web"])
    sinks.write("launchsettings", path, creds(2), only=["Plain"])
    text = path.read_text()
    assert creds(1)["AWS_SESSION_TOKEN"] in text
    assert creds(2)["AWS_SESSION_TOKEN"] in text
    sinks.clean(path)
    assert path.read_text() == LAUNCH


def test_configuration_inserted_before_does_not_confuse_clean(sinks, tmp_path):
    """Configurations are known by name: one inserted first moves nothing devcreds owns."""
    path = _file(tmp_path, "vscode")
    sinks.write("vscode", path)
    extra = '    { "name": "First", "env": {} },\n'
    path.write_text(
        path.read_text().replace('  "configurations": [\n', '  "configurations": [\n' + extra, 1)
    )
    sinks.clean(path)
    assert path.read_text() == VSCODE.replace(
        '  "configurations": [\n', '  "configurations": [\n' + extra, 1
    )


def test_a_value_the_user_set_after_the_write_is_theirs(sinks, tmp_path):
    """The user replaced devcreds' key with their own: clean keeps it and takes the rest."""
    path = _file(tmp_path, "dotenv", "APP=1\n")
    sinks.write("dotenv", path)
    path.write_text(path.read_text().replace(CREDS["AWS_ACCESS_KEY_ID"], "AKIAMINE"))
    sinks.clean(path)
    assert path.read_text() == "APP=1\nAWS_ACCESS_KEY_ID=AKIAMINE\n"


@pytest.mark.parametrize("kind", ["launchsettings", "vscode"])
def test_an_unknown_target_is_an_error_naming_the_existing_ones(sinks, tmp_path, kind):
    """--launch-profile Nope / --configuration Nope: exit 2, the names that exist, no record."""
    path = _file(tmp_path, kind)
    report = sinks.write(kind, path, only=["Nope"], check=False)
    error = report.failures[0].error
    assert isinstance(error, UsageError)
    assert ('"Web"' if kind == "launchsettings" else '"LocalStack"') in error.message
    assert path.read_text() == ORIGINALS[kind][1]
    assert list((sinks.paths.state / "sinks").glob("*.json")) == []


def test_a_dotenv_file_devcreds_created_is_deleted_by_clean(sinks, tmp_path):
    """A .env that did not exist before the write does not exist after the clean."""
    path = tmp_path / "project" / ".env"
    path.parent.mkdir()
    sinks.write("dotenv", path)
    assert path.stat().st_mode & 0o777 == 0o600
    sinks.clean(path)
    assert not path.exists()


def test_a_credentials_file_devcreds_created_is_deleted_by_clean(sinks, tmp_path):
    """~/.aws/credentials created by the write goes again, only devcreds' section in it."""
    path = sinks.paths.credentials_file
    _write(sinks, "credentials", path)
    assert re.match(r"\[dev\]\naws_access_key_id = ASIA", path.read_text())
    sinks.clean(path)
    assert not path.exists()


@pytest.mark.parametrize("damage", [b"\xef\xbb\xbf", b"junk before any section\n", b"[dev\n"])
def test_a_credentials_file_broken_after_the_write_is_left_alone(sinks, tmp_path, damage):
    """Cleaning a credentials file that became unreadable: one error, file unchanged, record kept."""
    path = _file(tmp_path, "credentials")
    _write(sinks, "credentials", path)
    broken = damage + path.read_bytes()
    path.write_bytes(broken)
    report = sinks.clean(path, check=False)
    assert [o.error.exit_code for o in report.failures] == [6]
    assert path.read_bytes() == broken
    assert len(list((sinks.paths.state / "sinks").glob("*.json"))) == 1


def test_clean_all_with_nothing_recorded_reports_nothing(sinks):
    """No record at all: clean --all has no outcome and no warning."""
    report = sinks.clean()
    assert (report.outcomes, report.warnings) == ([], [])


PROFILE_NAMES = st.text("abcXYZ-", min_size=1, max_size=5)


@st.composite
def launch_settings(draw):
    """launchSettings.json files with user AWS values here and there, in any layout."""
    names = draw(st.lists(PROFILE_NAMES, min_size=1, max_size=4, unique=True))
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    profiles = []
    for name in names:
        env = draw(
            st.one_of(
                st.none(),
                st.just("{}"),
                st.just("{ }"),
                st.dictionaries(
                    st.sampled_from(["AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_SESSION_TOKEN", "X"]),
                    st.sampled_from(["test", "us-east-1", "1"]),
                    max_size=3,
                ).map(lambda d: json.dumps(d)),
            )
        )
        body = '"commandName": "Project"' + (f', "environmentVariables": {env}' if env else "")
        profiles.append(f"{indent}{indent}{json.dumps(name)}: {{ {body} }}")
    text = f'{{{newline}{indent}"profiles": {{{newline}' + f",{newline}".join(profiles)
    text += f"{newline}{indent}}}{newline}}}{newline}"
    only = draw(st.one_of(st.none(), st.lists(st.sampled_from(names), min_size=1, unique=True)))
    return text, only


@settings(max_examples=100, deadline=None)
@given(launch_settings(), st.booleans())
def test_any_write_sequence_cleans_to_the_original(case, region):
    """Prior user values, a subset of profiles, one or two writes: clean restores every byte."""
    text, only = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "launchSettings.json"
        path.write_text(text, newline="")
        sinks = Sinks.at(Path(folder) / "home")
        first = {**creds(1), "AWS_REGION": "eu-west-1"} if region else creds(1)
        sinks.write("launchsettings", path, first, only=only, fsync=lambda fd: None)
        sinks.write("launchsettings", path, creds(2), fsync=lambda fd: None)
        sinks.clean(path, fsync=lambda fd: None)
        assert path.read_bytes().decode() == text


def test_overlapping_writes_to_one_file_lose_nothing(tmp_path):
    """Two writers at once (different launch profiles, different homes' spellings of the file):
    the per-file lock serialises them and clean undoes both."""
    path = _file(tmp_path, "launchsettings")
    link = tmp_path / "link.json"
    link.symlink_to(path)
    sinks = Sinks.at(tmp_path / "home")
    errors = []

    def write(target, only, n):
        try:
            sinks.write("launchsettings", target, creds(n), only=only)
        except AssertionError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(path, ["Web"], 1)),
        threading.Thread(target=write, args=(link, ["Plain"], 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    text = path.read_text()
    assert creds(1)["AWS_SESSION_TOKEN"] in text
    assert creds(2)["AWS_SESSION_TOKEN"] in text
    assert len(list((sinks.paths.state / "sinks").glob("*.json"))) == 1
    sinks.clean(link)
    assert path.read_text() == LAUNCH


@pytest.mark.parametrize("name", ["bad]name", " padded", "two\nlines"])
def test_a_profile_name_the_credentials_file_cannot_hold_is_a_usage_error(sinks, tmp_path, name):
    """write credentials --as with a name INI cannot store: exit 2, the file as it was."""
    path = _file(tmp_path, "credentials")
    report = _write(sinks, "credentials", path, only=[name], check=False)
    assert [type(o.error) for o in report.failures] == [UsageError]
    assert path.read_text() == CREDENTIALS


def test_vscode_configurations_sharing_a_name_are_each_written(sinks, tmp_path):
    """Two configurations called "Launch": both get the credentials, clean restores the file."""
    text = (
        '{\n  "configurations": [\n'
        '    {"name": "Launch", "type": "node"},\n'
        '    {"name": "Launch", "type": "coreclr"}\n  ]\n}\n'
    )
    path = _file(tmp_path, "vscode", text)
    sinks.write("vscode", path)
    configurations = jsonc.to_python(jsonc.parse(path.read_text()))["configurations"]
    assert [c["env"]["AWS_SECRET_ACCESS_KEY"] for c in configurations] == [
        CREDS["AWS_SECRET_ACCESS_KEY"]
    ] * 2
    sinks.clean(path)
    assert path.read_text() == text
