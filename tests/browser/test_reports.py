"""Reports checked in a real browser (headless Debian Chromium through Playwright).

A small report folder is built once per test run (``demo_reports``, demo.py), the way
`make demo` builds `reports/`: `edubalance batch` on two counties of the sample (county
scoring) plus one explorer view, the slides of the presentation (on the sample with hostile
names, shared with tests/browser/test_hostile_names.py), then the index. Each page is opened from the file
system (file:// URLs) and must:

- raise no JavaScript error and log no console error;
- request nothing over the network (every request that is not file:, data: or blob: is
  recorded and aborted; reports must work offline, DOMAIN §6);
- have every relative <a href>, <img src>, <link href> and <script src> point to an existing file;
- show the Chinese county names, drawn with a font that has the glyphs (checked through the
  DevTools protocol: the platform fonts Chromium actually used for the text), not as boxes.

Chromium needs a CJK font for HTML text. Rather than depend on the machine's fonts, the browser
gets a fontconfig file that adds the Noto Sans CJK SC font bundled with ``mplfonts`` (the one
the figures use) to the system configuration. Without it, the font check fails (tofu boxes).
Screenshots go to ``tmp_path``. The explorer as a Voila app is checked in tests/browser/test_hostile_names.py.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser_pages import chromium_version, settle
from demo import DEMO_COUNTIES, DEMO_EXPLORER

pytestmark = pytest.mark.browser

COUNTIES = DEMO_COUNTIES
KEPT_COUNTIES = ["大武口区", "中宁县", "彭阳县", "沙坡头区", "泾源县", "海原县"]
"""The sample counties whose names hostile_names.hostile_sample keeps."""
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def reports(demo_reports) -> Path:
    """A report folder like `make demo` writes: batch jobs, the slides, the index (built once
    per test run by ``demo_reports`` in demo.py; the notebook tests check the same runs)."""
    return demo_reports


class Visit:
    """One page opened from a file, with its errors and non-local requests recorded (close
    ``visit.page`` when done: the page pool (browser_pages.py) gives the page to the next visit)."""

    def __init__(self, browser, path: Path):
        assert path.is_file(), f"{path} does not exist"
        self.path = path
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("console", lambda message: self.errors.append(f"console: {message.text}")
                     if message.type == "error" else None)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load")
        settle(self.page)  # scripts (reveal.js) ready, queued events run

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def check_clean(self) -> None:
        assert self.errors == [], \
            f"{self.path.name}: JavaScript errors on {chromium_version()}: {self.errors}"
        assert self.remote == [], f"{self.path.name}: requested over the network {self.remote}"

    def check_links(self) -> list[Path]:
        """Every relative link/resource exists; returns the linked files."""
        references = self.page.evaluate("""() => [
            ...[...document.querySelectorAll('a[href]')].map(e => e.getAttribute('href')),
            ...[...document.querySelectorAll('img[src]')].map(e => e.getAttribute('src')),
            ...[...document.querySelectorAll('link[href]')].map(e => e.getAttribute('href')),
            ...[...document.querySelectorAll('script[src]')].map(e => e.getAttribute('src')),
        ]""")
        targets, broken = [], []
        for reference in references:
            parts = urlsplit(reference)
            if parts.scheme in {"http", "https", "mailto", "data"} or not parts.path:
                continue  # outbound links are not loaded; "#anchor" stays on the page
            assert parts.scheme in {"", "file"}, f"unexpected link {reference}"
            target = (Path(unquote(parts.path)) if parts.scheme == "file"
                      else self.path.parent / unquote(parts.path))
            (targets if target.exists() else broken).append(target)
        assert broken == [], f"{self.path.name}: broken links {broken}"
        assert all(img for img in self.page.evaluate(
            "() => [...document.images].map(i => i.complete && i.naturalWidth > 0)")), \
            f"{self.path.name}: an image did not load"
        return targets

    def check_cjk_rendered(self, families: set[str], selector: str = "body *") -> None:
        """Chinese text on screen is drawn by fonts that have Chinese glyphs (no boxes)."""
        marked = self.page.evaluate("""([selector, limit]) => {
            const cjk = /[\\u3400-\\u4dbf\\u4e00-\\u9fff]/;
            let n = 0;
            for (const el of document.querySelectorAll(selector)) {
                const own = [...el.childNodes].filter(c => c.nodeType === 3)
                    .map(c => c.textContent).join('');
                const box = el.getBoundingClientRect();
                if (cjk.test(own) && box.width > 0 && box.height > 0 && n < limit) {
                    el.setAttribute('data-cjk-check', String(n)); n++;
                }
            }
            return n;
        }""", [selector, 5])
        assert marked > 0, f"{self.path.name}: no visible Chinese text found"
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        for node in cdp.send("DOM.querySelectorAll", {"nodeId": root,
                                                      "selector": "[data-cjk-check]"})["nodeIds"]:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            text = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
            own_cjk = len(CJK.findall(re.sub(r"<[^>]+>", "", text)))
            drawn = sum(f["glyphCount"] for f in fonts if f["familyName"] in families)
            assert drawn > 0 and (drawn >= own_cjk or own_cjk == 0), \
                f"{self.path.name}: Chinese text drawn with {fonts} (no CJK font): {text[:120]}"
        cdp.detach()

    def text(self) -> str:
        return self.page.evaluate("() => document.body.textContent")


def check_index(browser, reports, tmp_path):
    visit = Visit(browser, reports / "index.html")
    targets = visit.check_links()
    visit.check_clean()
    names = {p.name for p in targets}
    assert "presentation.slides.html" in names, "the index does not link the slides"
    assert sum(p.name == "county_scoring.html" for p in targets) == 2
    assert any(p.name == "explorer.html" for p in targets)
    text = visit.text()
    for county in COUNTIES:
        assert county in text
    visit.check_cjk_rendered(browser.cjk_families)
    visit.page.close()


def _job_report(reports: Path, stem: str, county: str) -> Path:
    found = [p for p in reports.glob(f"{stem}/*/{stem}.html")
             if county in p.read_text(encoding="utf-8")]
    assert found, f"no {stem} report mentions {county}"
    return found[0]


def _check_job_report(browser, report: Path, county: str):
    visit = Visit(browser, report)
    visit.check_links()
    visit.check_clean()
    text = visit.text()
    assert county in text
    assert "check_notebook_parameters(globals()" not in text, f"{report.name}: code shown in the report"
    visit.check_cjk_rendered(browser.cjk_families)
    return visit


def check_county_report(browser, reports, tmp_path):
    visit = _check_job_report(browser, _job_report(reports, "county_scoring", COUNTIES[1]),
                              COUNTIES[1])
    assert visit.page.evaluate("() => document.images.length") >= 1, "no figures in the report"
    visit.page.close()


def check_explorer_report(browser, reports, tmp_path):
    county = DEMO_EXPLORER["county"]
    visit = _check_job_report(browser, _job_report(reports, "explorer", county), county)
    assert visit.page.evaluate("() => document.images.length") >= 4  # the four default figures
    assert "交互控件无法运行" in visit.text()  # the static default view says why it is static
    visit.page.close()


def check_slides(browser, reports, tmp_path):
    visit = Visit(browser, reports / "presentation.slides.html")
    visit.check_links()
    total = visit.page.evaluate("() => Reveal.getTotalSlides()")
    assert total >= 8, f"only {total} slides"
    visit.page.evaluate(
        "() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    visit.check_cjk_rendered(browser.cjk_families, "section.present *")
    # A slide change must not write the URL: Chromium 150 and later log a console error for
    # every location.hash navigation of a page opened from file:// (older ones did not, so
    # the URL itself is checked here, whichever Chromium runs the suite).
    start_url = visit.page.url
    shown_figure = None
    for index in range(total * 3):  # fragments need several steps per slide
        if visit.page.evaluate("() => Reveal.isLastSlide() && !Reveal.availableFragments().next"):
            break
        visit.page.evaluate("() => Reveal.next()")
        if shown_figure is None and visit.page.evaluate(
                "() => document.querySelectorAll('section.present img').length > 0"):
            settle(visit.page)
            shown_figure = tmp_path / f"slide-figure-{index}.png"
            visit.page.screenshot(path=str(shown_figure))
    assert visit.page.evaluate("() => Reveal.isLastSlide()"), "could not reach the last slide"
    assert visit.page.url == start_url, f"slide changes rewrote the URL: {visit.page.url}"
    assert shown_figure is not None, "no slide showed a figure"
    visit.check_clean()
    text = visit.text()
    assert "import edubalance" not in text and "check_notebook_parameters" not in text, "code in slides"
    assert "县域义务教育均衡发展" in text and "大武口区" in text
    visit.page.close()


def check_presentation_html(browser, reports, tmp_path):
    visit = Visit(browser, reports / "presentation.html")
    visit.check_links()
    visit.check_clean()
    text = visit.text()
    assert "import edubalance" not in text and "eb.core.scoring.score" not in text
    assert "县域义务教育均衡发展" in text
    # The cluster membership table lists every county: the presentation ran on the sample with
    # hostile names (demo.py), so here the counties that kept their names; tests/browser/test_hostile_names.py
    # finds every hostile one on the same page, as text.
    for county in KEPT_COUNTIES:
        assert county in text
    visit.check_cjk_rendered(browser.cjk_families)
    visit.page.close()


def test_reports_in_the_browser(browser, reports, tmp_path):
    """All pages in one test, so the report folder is built once even under pytest-xdist."""
    check_index(browser, reports, tmp_path)
    check_explorer_report(browser, reports, tmp_path)
    check_slides(browser, reports, tmp_path)
    check_presentation_html(browser, reports, tmp_path)
    check_county_report(browser, reports, tmp_path)
