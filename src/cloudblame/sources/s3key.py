"""The CloudTrail S3 object key layout (reference §3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(
    r"(?:^|/)AWSLogs/(?:(?P<org>o-[a-z0-9]{10,32})/)?(?P<account>\d{12})/"
    r"(?P<kind>CloudTrail|CloudTrail-Digest|CloudTrail-Insight)/(?P<region>[a-z0-9-]+)/"
    r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<file>[^/]+)$"
)


@dataclass(frozen=True, slots=True)
class TrailKey:
    """What a trail object's key says: organization, account, region, delivery date, kind."""

    account: str
    region: str
    date: str  # YYYY-MM-DD of delivery (not of the events inside)
    kind: str  # CloudTrail | CloudTrail-Digest | CloudTrail-Insight
    org_id: str | None
    file_name: str


def parse_trail_key(key: str) -> TrailKey | None:
    """Parse an S3 key or a local path laid out like one; None when it is not in the layout."""
    m = _KEY.search(key.replace("\\", "/"))
    if not m:
        return None
    return TrailKey(
        account=m["account"],
        region=m["region"],
        date=f"{m['y']}-{m['m']}-{m['d']}",
        kind=m["kind"],
        org_id=m["org"],
        file_name=m["file"],
    )
