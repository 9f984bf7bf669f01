"""Offline, as on a classroom projector with the network off (issue 26): the index, the slides
and the Voila explorer load with every non-local request blocked, and none is attempted.

Each page is opened in headless Chromium with a route that lets through only the page's own
origin (``file:``, or Voila's loopback server) and ``data:``/``blob:``; every other request is
recorded and aborted. The test fails on any recorded request (a CDN link, a font, a script),
on any script error, and on a page that does not show what it should. The Voila explorer is
checked the same way by tests/browser/test_hostile_names.py (on its one Voila server: each server and page
start a kernel that runs the explorer).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_pages import settle
from paths import ROOT

pytestmark = pytest.mark.browser

TEMPLATES = ROOT / "lib" / "edubalance" / "report" / "templates"


class Offline:
    """A page that lets through only ``allowed`` URLs and records everything else."""

    def __init__(self, browser, allowed: tuple[str, ...], viewport=(1280, 720)):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.allowed = allowed
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.allowed):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def check(self, where: str) -> None:
        assert self.blocked == [], f"{where} requested other hosts: {self.blocked}"
        assert self.errors == [], f"{where}: script errors {self.errors}"


LOCAL = ("file:", "data:", "blob:", "about:")


def test_index_and_slides_request_nothing_from_another_host(browser, demo_reports, tmp_path):
    for name in ("index.html", "presentation.slides.html"):
        visit = Offline(browser, LOCAL)
        visit.page.goto((demo_reports / name).as_uri(), wait_until="load")
        settle(visit.page)
        assert visit.page.inner_text("body").strip()
        visit.check(name)
        if name == "index.html":
            body = visit.page.inner_text("body")
            assert "县域均衡评估" in body and "basic-2012" not in body
        else:
            visit.page.screenshot(path=str(tmp_path / "slide.png"))
        visit.page.close()


def test_the_offline_template_drops_every_cdn_link_of_the_lab_template():
    import voila

    lab = Path(voila.__file__).resolve().parents[4] / "share" / "jupyter" / "voila" \
        / "templates" / "lab" / "index.html.j2"
    if not lab.is_file():
        pytest.skip("Voila's lab template is not where a venv install puts it")
    ours = (TEMPLATES / "voila" / "templates" / "edubalance" / "index.html.j2").read_text()
    import re

    for url in re.findall(r'href="(https://[^"]+)"', lab.read_text()):
        assert url in ours, url
