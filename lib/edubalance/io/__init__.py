"""Layer 1: reading and writing files.

- :mod:`~edubalance.io.read`: one decoder, sniffer and table reader (CSV in any of the
  encodings bureaus use, ``.xlsx`` streamed sheet by sheet, Parquet, DataFrames);
  ``read_table`` for research tables.
- :mod:`~edubalance.io.headers`: header aliases, units in headers, ``columns=`` mappings,
  near-miss suggestions, county and year from title rows.
- :mod:`~edubalance.io.units`, :mod:`~edubalance.io.plausibility`: rules as data
  (``units.yaml``, ``plausibility.yaml``).
- :mod:`~edubalance.io.clean`, :mod:`~edubalance.io.validate`: vectorised cleaning and
  checks, the load report; ``validate_schools`` for tables already in memory.
- :mod:`~edubalance.io.yamldata`: YAML parsed safely with libyaml's parser (the package's
  own data files).
- :mod:`~edubalance.io.form`: the official-form writer; :mod:`~edubalance.io.write`: atomic,
  formula-safe writers of results; :mod:`~edubalance.io.number_text`: a number as text (the
  package's one number format ends there).

:mod:`edubalance.io.load` is the public façade of the loaders.
"""
from .._compat import lazy_submodules as _lazy

__getattr__, __dir__ = _lazy(__name__, __path__)
