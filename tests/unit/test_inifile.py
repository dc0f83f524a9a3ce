"""Round-trip INI edits: only the intended keys change, the file's style stays."""

from __future__ import annotations

import configparser
import shutil
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

from devcreds import inifile
from devcreds.errors import FileError, UsageError

SAMPLES = Path(__file__).parents[1] / "samples" / "ini"
CONFIG_SAMPLES = [
    "aws__aws-cli__aws_config",
    "aws__aws-cli__aws_config_nested",
    "aws__aws-cli__aws_services_config",
    "synthetic__aws_config_crlf",
]
SSO = {
    "sso-session corp": {
        "sso_start_url": "https://d-1.awsapps.com/start",
        "sso_region": "us-east-1",
    },
    "profile dev": {
        "sso_session": "corp",
        "sso_account_id": "111111111111",
        "sso_role_name": "Dev",
    },
}


def _copy(tmp_path, sample):
    path = tmp_path / "config"
    shutil.copyfile(SAMPLES / sample, path)
    return path


def _sections(path):
    parser = configparser.RawConfigParser()
    parser.read_string(path.read_text())
    return {s: dict(parser.items(s)) for s in parser.sections()}


@pytest.mark.parametrize("sample", [*CONFIG_SAMPLES, "synthetic__aws_credentials"])
def test_adding_sections_keeps_every_original_byte(tmp_path, sample):
    """New sections are appended; the original content is an untouched prefix."""
    path = _copy(tmp_path, sample)
    original = path.read_bytes()
    inifile.update(path, {"sso-session added": SSO["sso-session corp"]})
    edited = path.read_bytes()
    assert edited.startswith(original.rstrip(b"\r\n"))
    assert raw_config_parse(str(path))["sso-session added"]["sso_region"] == "us-east-1"


def test_crlf_file_stays_crlf(tmp_path):
    """A CRLF file gets CRLF lines only, including the new ones."""
    path = _copy(tmp_path, "synthetic__aws_config_crlf")
    inifile.update(path, {**SSO, "default": {"region": "eu-west-1"}})
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"[profile dev]\r\n" in data


def test_changing_a_key_changes_only_that_line(tmp_path):
    """Setting an existing key rewrites its line and nothing else."""
    path = _copy(tmp_path, "synthetic__aws_config_crlf")
    before = path.read_bytes().split(b"\r\n")
    inifile.update(path, {"profile dev": {"region": "ap-south-1"}})
    after = path.read_bytes().split(b"\r\n")
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [(b"region = eu-west-1", b"region = ap-south-1")]


def test_new_key_goes_after_the_sections_last_option(tmp_path):
    """A new key lands right after the last option, before the blank line and next section."""
    path = tmp_path / "config"
    path.write_text("[default]\nregion = us-east-1\n\n# next\n[profile x]\nregion = a\n")
    inifile.update(path, {"default": {"output": "json"}})
    assert path.read_text() == (
        "[default]\nregion = us-east-1\noutput = json\n\n# next\n[profile x]\nregion = a\n"
    )


def test_new_key_in_a_section_without_options(tmp_path):
    """In an empty section the key goes right under the header."""
    path = tmp_path / "config"
    path.write_text("[default]\n\n[profile x]\nregion = a\n")
    inifile.update(path, {"default": {"region": "us-east-1"}})
    assert path.read_text() == "[default]\nregion = us-east-1\n\n[profile x]\nregion = a\n"


def test_new_section_gets_a_blank_line_before_it(tmp_path):
    """A file without a final newline gets one, a blank line, then the section."""
    path = tmp_path / "config"
    path.write_text("[default]\nregion = us-east-1")
    inifile.update(path, {"profile x": {"region": "a"}})
    assert path.read_text() == "[default]\nregion = us-east-1\n\n[profile x]\nregion = a\n"


def test_new_file_is_created_private(tmp_path):
    """A config file that did not exist is created 0600 in a new 0700 folder."""
    path = tmp_path / "new" / "config"
    inifile.update(path, SSO)
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    assert _sections(path) == SSO


def test_second_identical_update_changes_nothing(tmp_path):
    """Writing the same values again reports no change and leaves the bytes alone."""
    path = _copy(tmp_path, "aws__aws-cli__aws_config_nested")
    assert inifile.update(path, SSO) is True
    before = path.read_bytes()
    assert inifile.update(path, SSO) is False
    assert path.read_bytes() == before


def test_mode_of_an_existing_file_is_kept(tmp_path):
    """Editing keeps the file's permissions."""
    path = _copy(tmp_path, "aws__aws-cli__aws_config")
    path.chmod(0o640)
    inifile.update(path, SSO)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "changes",
    [
        {"profile dev": {"region": "us-east-1\n[evil]"}},
        {"profile dev": {"region": "a\rb"}},
        {"profile dev]\n[x": {"region": "a"}},
        {"profile dev": {"Region Name": "a"}},
        {"profile dev": {"region": " padded "}},
    ],
)
def test_values_that_would_break_the_file_are_refused(tmp_path, changes):
    """Line breaks, brackets and odd keys are refused before anything is written."""
    path = _copy(tmp_path, "aws__aws-cli__aws_config")
    before = path.read_bytes()
    with pytest.raises(UsageError):
        inifile.update(path, changes)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\xef\xbb\xbf[default]\nregion = a\n", FileError),
        (b"[default]\nregion = \xff\n", FileError),
        (b"[default]\nregion = a\nregion = b\n", UsageError),
        (b"no section\n", UsageError),
    ],
)
def test_unusable_file_is_left_untouched(tmp_path, content, error):
    """BOM, bad encoding, duplicate keys, keys before a section: error, file unchanged."""
    path = tmp_path / "config"
    path.write_bytes(content)
    with pytest.raises(error):
        inifile.update(path, SSO)
    assert path.read_bytes() == content


def test_folder_in_place_of_the_file_is_a_file_error(tmp_path):
    """A folder where the file should be is a FileError."""
    with pytest.raises(FileError):
        inifile.update(tmp_path, SSO)


def test_forced_mode_applies_from_the_first_byte(tmp_path):
    """mode=0o600 gives the replaced file 0600 even if it was 0644."""
    path = _copy(tmp_path, "aws__aws-cli__aws_config")
    path.chmod(0o644)
    inifile.update(path, SSO, mode=0o600)
    assert path.stat().st_mode & 0o777 == 0o600


def test_existing_folder_keeps_its_mode(tmp_path):
    """Writing a config file never changes the permissions of the folder it is in."""
    folder = tmp_path / "project"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    inifile.update(folder / "config", SSO)
    assert folder.stat().st_mode & 0o777 == 0o755


def test_symlinked_file_stays_a_symlink(tmp_path):
    """A config file that is a symlink is edited through it; the link remains."""
    target = _copy(tmp_path, "aws__aws-cli__aws_config")
    link = tmp_path / "link"
    link.symlink_to(target)
    inifile.update(link, SSO)
    assert link.is_symlink()
    assert "[sso-session corp]" in target.read_text()


@pytest.mark.parametrize("sample", CONFIG_SAMPLES)
def test_removing_appended_sections_gives_back_every_byte(tmp_path, sample):
    """Every byte, except the line break an append had to end the last line with."""
    path = _copy(tmp_path, sample)
    original = path.read_bytes()
    added = {f"{section}-added": values for section, values in SSO.items()}
    inifile.update(path, added)
    assert inifile.update(path, {}, remove=list(added))
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    assert path.read_bytes() == (original if original.endswith(newline) else original + newline)


def test_removing_a_middle_section_keeps_the_others_and_their_comments(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(
        b"# top\r\n[profile a]\r\nx = 1\r\n\r\n[profile b]\r\ny = 2\r\n\r\n"
        b"; about c\r\n[profile c]\r\nz = 3\r\n"
    )
    inifile.update(path, {}, remove=["profile a"])
    assert path.read_bytes() == (
        b"# top\r\n[profile b]\r\ny = 2\r\n\r\n; about c\r\n[profile c]\r\nz = 3\r\n"
    )


def test_preview_shows_the_edit_and_writes_nothing(tmp_path):
    path = tmp_path / "config"
    path.write_text("[profile a]\nx = 1\n")
    before, after = inifile.preview(path, {"profile a": {"y": "2"}}, remove=[])
    assert (before, after) == ("[profile a]\nx = 1\n", "[profile a]\nx = 1\ny = 2\n")
    assert path.read_text() == before


def test_commented_names_the_sections_a_person_wrote_in(tmp_path):
    path = tmp_path / "config"
    path.write_text("# top\n[profile a]\nx = 1\n[profile b]\n# mine\ny = 2\n[profile c]\nz = 3\n")
    assert inifile.commented(path) == {"profile b"}
