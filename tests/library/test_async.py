"""The asyncio twin: create_async_client over aiobotocore, against moto and the emulator."""

from __future__ import annotations

import asyncio

import pytest

from devcreds import ClientSettings, create_async_client
from devcreds.errors import AwsRefused


def test_async_s3_through_an_assumed_role_on_moto(moto_env):
    """Assume a role on moto's STS, then create and list a bucket, all async."""
    settings = ClientSettings(
        role_arn="arn:aws:iam::111111111111:role/App",
        region="us-east-1",
        endpoint_url=moto_env,
        role_session_name="async",
    )

    async def scenario():
        async with create_async_client("s3", settings) as s3:
            await s3.create_bucket(Bucket="devcreds-async")
            return [b["Name"] for b in (await s3.list_buckets())["Buckets"]]

    assert "devcreds-async" in asyncio.run(scenario())


def test_async_default_credentials_on_moto(moto_env):
    """Without a role the default chain (the environment) signs."""
    settings = ClientSettings(region="us-east-1", endpoint_url=moto_env)

    async def scenario():
        async with create_async_client("s3", settings) as s3:
            await s3.create_bucket(Bucket="devcreds-async-default")
            return (await s3.list_buckets())["Buckets"]

    assert any(b["Name"] == "devcreds-async-default" for b in asyncio.run(scenario()))


def test_async_clients_share_one_assume_role(sso_source, clock):
    """Twenty async clients from equal settings, concurrently: one AssumeRole."""
    settings = ClientSettings(
        role_arn="arn:aws:iam::222222222222:role/App",
        region="us-east-1",
        endpoint_url=sso_source.url,
        role_session_name="async-shared",
    )

    async def one():
        async with create_async_client("sts", settings, clock=clock) as sts:
            return (await sts.get_caller_identity())["Arn"]

    async def scenario():
        return set(await asyncio.gather(*(one() for _ in range(20))))

    assert asyncio.run(scenario()) == {"arn:aws:sts::222222222222:assumed-role/App/async-shared"}
    assert sso_source.calls("AssumeRole") == 1


def test_async_refusal_is_a_devcreds_error(sso_source, clock):
    """A refused AssumeRole surfaces as AwsRefused in async code too."""
    settings = ClientSettings(
        role_arn="arn:aws:iam::999999999999:role/App",
        region="us-east-1",
        endpoint_url=sso_source.url,
    )

    async def scenario():
        async with create_async_client("sts", settings, clock=clock) as sts:
            await sts.get_caller_identity()

    with pytest.raises(AwsRefused):
        asyncio.run(scenario())
