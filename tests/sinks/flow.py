"""Drive the sink flows (``devcreds.sinks.deliver``) on real files in a private home."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from devcreds.paths import Paths
from devcreds.sinks import deliver
from devcreds.sinks.deliver import Delivery, Report

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
CREDS = {
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE0000",
    "AWS_SECRET_ACCESS_KEY": "s3cr3t+/=",
    "AWS_SESSION_TOKEN": "t0k3n/+=",
    "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T01:00:00Z",
}


def creds(n: int) -> dict[str, str]:
    """The n-th set of credentials (each write of a refresh brings new ones)."""
    return {
        "AWS_ACCESS_KEY_ID": f"ASIAEXAMPLE{n:04d}",
        "AWS_SECRET_ACCESS_KEY": f"secret{n}+/=",
        "AWS_SESSION_TOKEN": f"token{n}/+=",
        "AWS_CREDENTIAL_EXPIRATION": f"2030-01-01T0{n % 10}:00:00Z",
    }


@dataclass
class Sinks:
    paths: Paths

    @classmethod
    def at(cls, home: Path) -> Sinks:
        home.mkdir(parents=True, exist_ok=True)
        return cls(Paths(home, home / ".aws" / "config", home / ".aws" / "credentials"))

    def write(
        self,
        kind: str,
        path: Path,
        variables: dict[str, str] | None = None,
        *,
        only: list[str] | None = None,
        check: bool = True,
        fsync=os.fsync,
    ) -> Report:
        delivery = Delivery(dict(variables or CREDS), "dev", NOW + dt.timedelta(hours=1))
        report = deliver.write(
            self.paths,
            kind,
            [path],
            lambda: delivery,
            now=NOW,
            only=only,
            allow_tracked=True,
            fsync=fsync,
        )
        if check:
            assert not report.failures, [str(o.error) for o in report.failures]
        return report

    def clean(self, path: Path | None = None, *, check: bool = True, fsync=os.fsync) -> Report:
        report = deliver.clean(self.paths, None if path is None else [path], fsync=fsync)
        if check:
            assert not report.failures, [str(o.error) for o in report.failures]
        return report


def write_text(kind: str, text: str, variables: dict[str, str] | None = None) -> str:
    """The sink's write of ``variables`` into ``text``, nothing recorded (a first write)."""
    return deliver.SINKS[kind].write(text, dict(variables or CREDS), None, None, {}).text


def _no_fsync(fd: int) -> None:
    """For tests that run hundreds of writes: durability is not what they check."""


def round_trip(
    kind: str, text: str, variables: dict[str, str] | None = None, name: str = "file.json"
) -> tuple[str, str]:
    """Write into a file holding ``text`` and clean it, through the flows: (written, cleaned)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode("utf-8"))
        sinks = Sinks.at(Path(folder) / "home")
        sinks.write(kind, path, variables, fsync=_no_fsync)
        written = path.read_bytes().decode("utf-8")
        sinks.clean(fsync=_no_fsync)  # every record: a file that took nothing has none
        return written, path.read_bytes().decode("utf-8")
