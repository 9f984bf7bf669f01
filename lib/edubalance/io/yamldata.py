"""YAML parsed safely, with libyaml's C parser where PyYAML has one.

``yaml.safe_load`` parses in pure Python: the package's own data (message catalogue,
standards, units and plausibility rules, about 80 KB) took a quarter of a second in every
process and kernel that reads it - each batch worker, each report kernel. PyYAML's
``CSafeLoader`` is the same safe loader on libyaml's parser: the same documents, about ten
times faster. Both build plain data only; a ``!!python/...`` tag is an error, which is the
guarantee ``yaml.safe_load`` gives. Without libyaml the pure-Python ``SafeLoader`` is used.

Batch files (user input with limits on aliases and duplicate keys) have a loader of their
own, :mod:`edubalance.run.batchfile`.

Examples
--------
>>> safe_load("cv: {primary: 0.65, junior: 0.55}")
{'cv': {'primary': 0.65, 'junior': 0.55}}
"""
from __future__ import annotations

from typing import Any

import yaml

__all__ = ["safe_load", "SAFE_LOADER"]

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)`` on the fastest safe loader available (:data:`SAFE_LOADER`).

    Parameters
    ----------
    text : str
        A YAML document.

    Returns
    -------
    object
        The plain data it holds (dicts, lists, strings, numbers, None).
    """
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a SafeLoader, never the full one
