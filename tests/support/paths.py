"""Where the tests find the project: the repository root, the notebooks, the sample data."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_DIR = ROOT / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KERNEL = "edubalance"
