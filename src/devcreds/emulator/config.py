"""Emulator settings; the defaults mirror what AWS does."""

from __future__ import annotations

from dataclasses import dataclass

# The redirect statuses the AWS CLI follows when it resolves a vanity start URL.
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    accounts: int = 3
    roles_per_account: int = 2
    auto_approve: bool = False
    latency_ms: int = 0
    throttle_rps: float = 0.0  # 0 turns throttling off
    fault_rate: float = 0.0  # share of AWS calls that fail: a 500 or a dropped connection
    fault_drop_share: float = 0.5  # of those faults, the share that drop the connection
    seed: int | None = None  # makes fault injection repeatable
    token_ttl: int = 3600
    credentials_ttl: int = 3600
    device_code_ttl: int = 600  # device codes, authorize requests and authorization codes
    interval: int = 1
    session_ttl: int = 8 * 3600  # the portal session: refresh tokens die with it
    registration_ttl: int = 90 * 24 * 3600
    signin_token_ttl: int = 15 * 60  # a console login URL works this long (AWS: 15 minutes)
    page_size: int = 20
    # Seconds the Date header of every answer is ahead of the real time (negative: behind).
    clock_skew: float = 0.0
    # A vanity start URL (a host that is not AWS-owned): GET or HEAD of this path, or of one
    # below it, answers a redirect to vanity_target, an AWS-owned start URL. None turns it off.
    vanity_path: str | None = "/vanity"
    vanity_target: str = "https://d-0123456789.awsapps.com/start"
    vanity_status: int = 302
    # PEM files: with both, the port speaks HTTPS as well as HTTP (the AWS CLI resolves only
    # https start URLs). The first byte of each connection tells which.
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        path = self.vanity_path
        if path is not None and (not path.startswith("/") or path.rstrip("/") == ""):
            raise ValueError(f"vanity_path must be a path below /, not {path!r}")
        if self.vanity_status not in REDIRECT_STATUSES:
            raise ValueError(f"vanity_status must be one of {REDIRECT_STATUSES}")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
