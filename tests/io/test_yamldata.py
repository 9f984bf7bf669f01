"""edubalance.io.yamldata: YAML read safely (plain data only), on libyaml's loader if present."""
from __future__ import annotations

import pytest
import yaml

from edubalance.io.yamldata import SAFE_LOADER, safe_load


def test_safe_load_reads_what_yaml_safe_load_reads():
    text = "cv: {primary: 0.65, junior: 0.55}\nnames: [大武口区, 'x: y']\nempty:\nyear: 2017\n"
    assert safe_load(text) == {"cv": {"primary": 0.65, "junior": 0.55},
                               "names": ["大武口区", "x: y"], "empty": None, "year": 2017}
    assert safe_load(text) == yaml.safe_load(text)


def test_safe_load_refuses_python_objects():
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['echo unsafe']")


def test_the_loader_is_a_safe_loader():
    assert issubclass(SAFE_LOADER, yaml.SafeLoader) or SAFE_LOADER.__name__ == "CSafeLoader"
