"""Emulator settings; the defaults mirror what AWS does."""

from __future__ import annotations

from dataclasses import dataclass


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
    page_size: int = 20
