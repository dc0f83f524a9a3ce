"""One region rule for every partition botocore knows."""

from __future__ import annotations

import pytest

from devcreds import regions
from devcreds.library import ClientSettings, SettingsError


def test_every_region_of_every_partition_is_valid():
    """aws, aws-cn, aws-us-gov, the ISO partitions and eusc: all their regions pass."""
    known = regions.known_regions()
    assert "eusc-de-east-1" in known
    assert [r for r in known if not regions.valid(r)] == []


@pytest.mark.parametrize(
    "garbage", ["", "us-east", "US-EAST-1", "us east 1", "us-east-1\n", "x-1", "useast1", "../1"]
)
def test_garbage_is_not_a_region(garbage):
    """Typos and junk are refused."""
    assert not regions.valid(garbage)


def test_the_hint_names_known_regions_that_look_alike():
    """A typo gets the real names it is close to."""
    assert "eu-west-1" in regions.hint("eu-west")


def test_client_settings_take_the_european_sovereign_cloud():
    """ClientSettings accepts eusc-de-east-1 and refuses a typo with a hint."""
    assert ClientSettings(region="eusc-de-east-1").region == "eusc-de-east-1"
    with pytest.raises(SettingsError) as exc:
        ClientSettings(region="eu-west")
    assert "eu-west-1" in str(exc.value)
