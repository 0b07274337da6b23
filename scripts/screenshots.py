"""Screenshots of the main pages, desktop and phone width, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts `quotetrail serve` on a free 127.0.0.1 port over a temporary SQLite database holding the
seeds, and photographs the pages with Debian's headless Chromium (the browser tests' settings:
Playwright drives /usr/bin/chromium; it never downloads a browser).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from webtools import CHROMIUM, CHROMIUM_ARGS, browser_missing, seed_database, serve  # noqa: E402

from apitools import POWER_LINE, WAR_CRIMES, stop_server  # noqa: E402  # isort: skip

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def main() -> int:
    """Take the screenshots; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        print(f"cannot take screenshots: {missing}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quotetrail-shots-") as folder:
        url = f"sqlite:///{Path(folder) / 'shots.db'}"
        seed_database(url)
        server = serve(url, Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                base = server.base_url
                api = browser.new_context().request
                war = api.post(f"{base}/v1/lookup", data={"text": WAR_CRIMES, "limit": 1}).json()
                power = api.post(f"{base}/v1/lookup", data={"text": POWER_LINE, "limit": 1}).json()
                war_id = war["matches"][0]["quote"]["id"]
                power_id = power["matches"][0]["quote"]["id"]
                speaker_id = api.get(f"{base}/v1/quotes/{power_id}").json()["speaker"]["id"]
                pages = {
                    "home": "/",
                    "search": f"/search?q={quote(POWER_LINE)}",
                    "quote-warning": f"/quotes/{war_id}",
                    "quote": f"/quotes/{power_id}",
                    "speaker": f"/speakers/{speaker_id}",
                    "conflicts": "/conflicts",
                }
                for device, viewport, scale in (("desktop", DESKTOP, 1), ("phone", PHONE, 2)):
                    context = browser.new_context(
                        viewport=viewport, device_scale_factor=scale, is_mobile=device == "phone"
                    )
                    page = context.new_page()
                    for name, path in pages.items():
                        page.goto(f"{base}{path}")
                        target = args.out / f"{name}-{device}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                    context.close()
                browser.close()
        finally:
            stop_server(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
