"""What the browser tests share: Debian's chromium driven by Playwright (the tests importing this skip,
saying why, without either), (the `browser` fixture is in conftest.py), and where screenshots go ($CLOUDBLAME_SCREENSHOTS;
`make screenshots` refreshes the README's, in docs/screenshots/)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("CLOUDBLAME_SCREENSHOTS") or Path(tempfile.gettempdir()) / "cloudblame-screenshots")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not at /usr/bin/chromium (`make test` installs it: apt-get install -y chromium)")
