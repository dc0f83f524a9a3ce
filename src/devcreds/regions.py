"""One rule for AWS region names, for every partition (aws, aws-cn, aws-us-gov, the ISO
partitions, the European Sovereign Cloud's ``eusc-de-east-1``).

The pattern is checked against every region in botocore's endpoint data by a
test; botocore's data is loaded only to word the hint, since loading it costs
more than the rest of a cached credential lookup.
"""

from __future__ import annotations

import difflib
import re

_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d{1,2}")


def valid(region: str) -> bool:
    return _REGION.fullmatch(region) is not None


def hint(region: str) -> str:
    """Known regions that look like ``region``, or a few examples."""
    known = known_regions()
    close = difflib.get_close_matches(region, known, n=3, cutoff=0.6)
    shown = close or ["us-east-1", "eu-west-1", "ap-southeast-2"]
    return f"a region such as {' or '.join(shown)}"


def known_regions() -> list[str]:
    """Every region of every partition in botocore's endpoint data."""
    from botocore.loaders import create_loader

    data = create_loader().load_data("endpoints")
    return sorted(region for partition in data["partitions"] for region in partition["regions"])
