"""The slides on a classroom projector (1280×720) and the explorer at 1024×768, in Chromium.

The slides are the presentation of the demo reports (demo.py) (run once for the suite). Each
slide is shown in turn at 1280×720; for every figure on it the size its smallest text has on
the screen is worked out from what the PNG records (the smallest font size in points, written
by ``eb.report.slides.show_slide_figure``, and its dots per inch) and the scale the browser
shows the image at (reveal.js scales the 960×700 slide to the window): at least 18 px. Every
figure fills most of the slide's width, and table text is at least 18 px as well.
Screenshots go to ``tmp_path``.
"""
from __future__ import annotations

import base64
import io

import pytest

from browser_pages import settle

pytestmark = pytest.mark.browser

TABLES = """() => {
  const scale = document.querySelector('.reveal .slides').getBoundingClientRect().width / 960;
  const here = [...document.querySelectorAll('section.present')].pop();
  return [...here.querySelectorAll('table td, table th')].map(cell =>
    parseFloat(getComputedStyle(cell).fontSize) * scale);
}"""
FIGURES = """() => {
  const slide = document.querySelector('.reveal .slides').getBoundingClientRect();
  const here = [...document.querySelectorAll('section.present')].pop();
  return [...here.querySelectorAll('img')].map(image => {
    const box = image.getBoundingClientRect();
    return {src: image.src, width: box.width, height: box.height,
            natural: image.naturalWidth, slide: slide.width, slideHeight: slide.height};
  });
}"""


def _smallest_text_px(figure: dict) -> float:
    from PIL import Image

    from edubalance.report.plotting import SMALLEST_FONT_KEY

    data = base64.b64decode(figure["src"].split(",", 1)[1])
    with Image.open(io.BytesIO(data)) as image:
        points = float(image.info[SMALLEST_FONT_KEY])
        dpi = float(image.info["dpi"][0])
    return points * dpi / 72 * figure["width"] / figure["natural"]


def test_slide_figures_have_projector_text_and_fill_the_slide(browser, demo_reports, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(("file:", "data:", "blob:", "about:"))
               else route.abort())
    page.goto((demo_reports / "presentation.slides.html").as_uri(), wait_until="load")
    page.wait_for_selector(".reveal.ready", timeout=30_000)
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    measured, cells = [], []
    for _step in range(60):
        settle(page)
        where = page.evaluate("() => Reveal.getIndices()")
        for figure in page.evaluate(FIGURES):
            assert figure["src"].startswith("data:image/png"), figure["src"][:40]
            measured.append((where["h"], where["v"], _smallest_text_px(figure),
                             figure["width"] / figure["slide"],
                             figure["height"] / figure["slideHeight"]))
            page.screenshot(path=tmp_path / f"slide-{where['h']}-{where['v']}.png")
        cells += page.evaluate(TABLES)
        if page.evaluate("() => Reveal.isLastSlide()"):
            break
        page.evaluate("() => Reveal.next()")
    assert len(measured) >= 5, measured   # province, gaps, ranks, clusters, regression
    small = [m for m in measured if m[2] < 18]
    assert small == [], f"figure text under 18 px at 1280x720 (slide, px): {small}"
    narrow = [m for m in measured if m[3] < 0.85]
    assert narrow == [], f"figures narrower than 85 % of the slide: {narrow}"
    assert min(m[4] for m in measured) >= 0.6
    # Tables on the sub-slides: every cell's text at least 18 px on the screen too.
    assert cells and min(cells) >= 18, min(cells)
    page.close()
