"""The README's section "Inequality by county and the composite index" runs as written."""
from __future__ import annotations

import doctest
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = "## Inequality by county and the composite index"


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    return text[start:end if end > 0 else None]


def test_readme_inequality_and_composite_example_runs_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)          # the example reads data/sample/schools.csv
    section = readme_section()
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(code, {}, "README: inequality by county", "README.md", 0)
    assert len(test.examples) >= 15
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted == len(test.examples) and result.failed == 0
