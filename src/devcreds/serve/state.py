"""What serve and the files pointing at it share: the port, the token file, the URL."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
from pathlib import Path

from devcreds import platforms
from devcreds.errors import FileError
from devcreds.files import atomic_write, private_dir
from devcreds.paths import Paths

# Stable, so the URL written into launch files stays right across restarts. Outside the
# ports Linux, macOS and Windows hand out to clients (32768+, 49152+).
DEFAULT_PORT = 9155
HOST = "127.0.0.1"
# What every AWS SDK reads for container credentials.
URI_VARIABLE = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN_FILE_VARIABLE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"  # noqa: S105 - a name
# What serve answers a probe with, so status can tell serve from another program.
SERVICE = "devcreds-serve"
# The token: 32 random bytes, URL-safe text (it travels as an HTTP header value).
_TOKEN_BYTES = 32


def folder(paths: Paths) -> Path:
    return paths.state / "serve"


def token_file(paths: Paths) -> Path:
    """The file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names: the token, no line break."""
    return folder(paths) / "token"


def read_token(paths: Paths) -> str | None:
    """The token, or None if there is none yet (or the file is not one of ours)."""
    try:
        text = token_file(paths).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    return text if _looks_like_token(text) else None


def ensure_token(paths: Paths) -> str:
    """The token, made once (0600 in a 0700 folder) and kept, so written files stay valid."""
    token = read_token(paths)
    if token is not None:
        return token
    path = token_file(paths)
    try:
        private_dir(path.parent)
        if path.exists():  # damaged: a new token, as the files pointing here need one
            atomic_write(path, secrets.token_urlsafe(_TOKEN_BYTES).encode(), mode=0o600)
        else:
            _create(path, secrets.token_urlsafe(_TOKEN_BYTES))
    except OSError as exc:
        raise FileError(
            f"cannot write the serve token {path}: {exc.strerror or exc}",
            hint=f"check the permissions of {path.parent}",
        ) from None
    token = read_token(paths)
    if token is None:
        raise FileError(
            f"cannot read the serve token {path}",
            hint=f"look at it: {platforms.HOST.show_permissions(path)}",
        )
    return token


def _create(path: Path, token: str) -> None:
    """Create the token file whole, unless another process just did (its token stands)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(token.encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # atomic: fails if the file appeared meanwhile
    finally:
        temporary.unlink()


def _looks_like_token(text: str) -> bool:
    return len(text) >= 32 and text.isascii() and all(c.isalnum() or c in "-_" for c in text)


def probe(paths: Paths, port: int = DEFAULT_PORT, timeout: float = 0.5) -> bool:
    """Whether devcreds serve answers on the port (with our token; it never waits long)."""
    token = read_token(paths)
    if token is None:
        return False
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/ping", headers={"Authorization": token})
        response = connection.getresponse()
        return response.status == 200 and response.read(256).strip() == f'"{SERVICE}"'.encode()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
