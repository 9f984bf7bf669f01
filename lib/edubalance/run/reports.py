"""``edubalance report``: from a bureau's data file to the reports a person opens, in one step.

::

    edubalance report FILE... [--county NAME|CODE ...] [--year Y] [--standard S[,S]]
                      [--evidence FILE] [--pdf] [--lang zh|en] [--output DIR]
                      [--county-code C] [--county-name N] [--sheet S] [--columns MAP.yaml]
                      [--allow RULE ...]

1. Every file is checked as ``edubalance validate`` checks it, with the same loader options
   and the same messages; nothing runs unless every file is clean.
2. ``notebooks/county_scoring.ipynb`` runs for each county x standard through the batch
   runner (:func:`edubalance.run.runner.run_batch`: the same engines, ``--resume``,
   ``manifest.json`` and ``index.html``); the batch is built in memory
   (:func:`edubalance.run.batchfile.batch_spec`), no YAML file is written. The loader
   options go to the notebook as its parameters ``county_code``, ``sheet``, ``columns``
   (a mapping), ``allow`` and ``evidence_path``.
3. What a person opens is named after county, year and standard and placed in the output
   folder (``会宁县2017年优质均衡评估报告.html``, ``.pdf``, ``.xlsx``): hard links to the job
   folder's files where the file system allows, copies otherwise; job folders keep their
   contract names (``county_scoring/county=…,standard=…,year=…/county_scoring.html``).

Examples
--------
>>> report_file_stem("会宁县", 2017, "quality-2017")
'会宁县2017年优质均衡评估报告'
>>> report_file_stem("会宁县", 2017, "basic-2012", lang="en")
'会宁县_2017_basic_balance_assessment'
>>> report_file_stem("../../etc/passwd", 2017, "basic-2012")
'etc_passwd2017年基本均衡评估报告'
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import ParameterError

__all__ = ["NOTEBOOK", "NOTEBOOKS_ENV", "find_notebook", "report_file_stem", "report_batches",
           "place_reports", "make_reports", "register_cli"]

NOTEBOOK = "county_scoring.ipynb"
NOTEBOOKS_ENV = "EDUBALANCE_NOTEBOOKS"
"""A folder holding the project's notebooks, when they are neither in ``./notebooks`` nor
beside the package's source (an installed, non-editable package has no notebooks)."""
DEFAULT_STANDARDS = ("basic-2012",)
# Loader options of `edubalance validate` that the county_scoring notebook takes as
# parameters (its defaults: "" / {} / []); passed only when given.
LOADER_PARAMETERS = ("county_code", "sheet", "columns", "allow")


def find_notebook(name: str = NOTEBOOK) -> Path:
    """The project's notebook ``name``, found as the batch finds notebooks.

    Looked up, in order: ``$EDUBALANCE_NOTEBOOKS/<name>``, ``notebooks/<name>`` below the
    working folder (where a batch file's relative ``notebook:`` is looked up first), and
    ``notebooks/<name>`` of the source tree the package is installed from (``pip install
    -e .`` from a clone, as ``make demo`` does).

    Parameters
    ----------
    name : str, default "county_scoring.ipynb"
        The notebook's file name.

    Returns
    -------
    Path
        The notebook, absolute.

    Raises
    ------
    FileNotFoundError
        Naming every place looked in and how to point at the notebooks.

    Examples
    --------
    >>> find_notebook().name
    'county_scoring.ipynb'
    """
    candidates = []
    if os.environ.get(NOTEBOOKS_ENV):
        candidates.append(Path(os.environ[NOTEBOOKS_ENV]).expanduser() / name)
    candidates.append(Path.cwd() / "notebooks" / name)
    # lib/edubalance/run/reports.py -> the clone's root is three folders above the package.
    candidates.append(Path(__file__).resolve().parents[3] / "notebooks" / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        f"notebook {name} not found (looked in {', '.join(str(c.parent) for c in candidates)}); "
        f"run the command from the project folder, install the package from its clone "
        f"(pip install -e .), or set {NOTEBOOKS_ENV} to the folder holding the notebooks")


def _text(key: str, lang: str, **values: Any) -> str:
    from ..report.i18n import text

    return text(key, lang, **values)


def report_file_stem(county: str, year: int, standard: str, lang: str = "zh") -> str:
    """The file name (without suffix) of a county's report: county, year and standard.

    Chinese or English words after ``lang``; made safe for every file system
    (:func:`edubalance.run.plan.safe_name`: no separator, no ``..``, no device name), so the
    file stays in the output folder whatever the county's name holds.

    Parameters
    ----------
    county : str
        The county's name (or code).
    year : int
        The year reported on.
    standard : str
        The standard's name (``quality-2017``); one the catalogue has no file name for is
        named as it is.
    lang : {"zh", "en"}, default "zh"
        Language of the words.

    Returns
    -------
    str
        The file name without suffix.

    Examples
    --------
    >>> report_file_stem("灵武市", 2017, "ningxia-2010")
    '灵武市2017年宁夏均衡评估报告'
    >>> report_file_stem("A/B", 2017, "my-standard", lang="en")
    'A_B_2017_my-standard_assessment'
    """
    from ..report.i18n import catalogue
    from .plan import safe_name

    key = f"run.report_file.{standard}"
    if key not in catalogue():
        key = "run.report_file.other"
    county_part = safe_name(str(county))[0]
    stem = _text(key, lang, county=county_part, year=int(year), standard=standard)
    return safe_name(stem)[0]


def _listify(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [part.strip() for item in value for part in str(item).split(",") if part.strip()]


def _select_counties(frame, wanted: list[str], year: int | None, lang: str) -> tuple[int, list]:
    """(year, [(county_code, county_name)]) of one loaded file."""
    years = sorted(int(y) for y in frame["year"].dropna().unique())
    if not years:
        raise ParameterError(_text("run.report.no_county", lang, year="—"))
    if year is None:
        year = years[-1]
        if len(years) > 1:
            print(_text("run.report.year_default", lang, year=year), file=sys.stderr)
    rows = frame[frame["year"].astype(int) == int(year)]
    pairs = list(dict.fromkeys(zip(rows["county_code"].astype(str),
                                   rows["county_name"].astype(str), strict=True)))
    if not pairs:
        raise ParameterError(_text("run.report.no_county", lang, year=year))
    if not wanted:
        return int(year), pairs
    chosen = []
    for county in wanted:
        match = [p for p in pairs if county in p]
        if not match:
            available = "、".join(name for _, name in pairs) if lang == "zh" \
                else ", ".join(name for _, name in pairs)
            raise ParameterError(_text("run.report.unknown_county", lang, county=county,
                                       year=year, available=available))
        chosen += [p for p in match if p not in chosen]
    return int(year), chosen


def report_batches(frames: Mapping[str, Any], *, counties: Iterable[str] = (),
                   year: int | None = None, standards: Iterable[str] = DEFAULT_STANDARDS,
                   lang: str = "zh", evidence: str | None = None,
                   loader: Mapping[str, Any] | None = None,
                   notebook: str | os.PathLike | None = None) -> list[dict]:
    """The batch (one mapping per data file, as a batch file holds) for ``edubalance report``.

    Parameters
    ----------
    frames : mapping
        Data file -> its loaded (validated) schools table.
    counties : list of str
        Names or codes to report on (default: every county of each file in ``year``).
    year : int, optional
        Default: the latest year of each file.
    standards : list of str
        Standards to report against, each a job (comma-separated items are split; default
        ``basic-2012``).
    lang : {"zh", "en"}
        Language of the reports (the notebook's ``lang``).
    evidence : path, optional
        The evidence file (``evidence_path``).
    loader : mapping, optional
        Loader options given on the command line (``county_code``, ``sheet``, ``columns``
        as a mapping, ``allow``); passed to the notebook when given.
    notebook : path, optional
        Default :func:`find_notebook`.

    Returns
    -------
    list of dict
        Batch mappings for :func:`edubalance.run.runner.run_batch`.

    Raises
    ------
    ParameterError
        A file has no county in ``year`` (or no year at all), or a county asked for is not
        in it (listing those that are).
    FileNotFoundError
        ``notebook`` is not given and :func:`find_notebook` finds none.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"county_code": ["620422"], "county_name": ["会宁县"],
    ...                       "year": [2017]})
    >>> batch, = report_batches({"a.xlsx": frame}, standards=["basic-2012", "quality-2017"],
    ...                         loader={"county_code": "620422"})
    >>> batch["grid"], batch["parameters"]["county_code"]
    ({'county': ['会宁县'], 'standard': ['basic-2012', 'quality-2017']}, '620422')
    """
    wanted = _listify(list(counties))
    standards = _listify(list(standards)) or list(DEFAULT_STANDARDS)
    notebook = Path(notebook) if notebook is not None else find_notebook()
    options = {key: value for key, value in (loader or {}).items()
               if key in LOADER_PARAMETERS and value not in (None, "", [], {})}
    batches = []
    for path, frame in frames.items():
        chosen_year, pairs = _select_counties(frame, wanted, year, lang)
        names = [name for _, name in pairs]
        # A county is named by its name in folders and reports; by its code where two
        # counties of the file share a name.
        ids = [name if names.count(name) == 1 else code for code, name in pairs]
        parameters = {"data_path": str(path), "year": chosen_year, "lang": lang, **options}
        if evidence:
            parameters["evidence_path"] = str(evidence)
        batches.append({"notebook": str(notebook), "parameters": parameters,
                        "grid": {"county": ids, "standard": standards}})
    return batches


def _link_or_copy(source: Path, target: Path) -> None:
    """Make ``target`` a hard link to ``source`` (a copy where links are not possible).

    What was there is replaced in one step (made under a temporary name, then renamed).
    """
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(descriptor)
    tmp = Path(name)
    try:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def place_reports(output: str | os.PathLike, entries: Iterable[Mapping[str, Any]],
                  lang: str = "zh") -> list[Path]:
    """Put each successful job's HTML, PDF and ``results.xlsx`` where a person looks for them.

    The files go in ``output`` under the names of :func:`report_file_stem`: hard links to
    the job folder's files, copies where links are not possible. Names come from the job's
    ``summary.json`` (county name, year, standard); two jobs that would share a name (the
    same county in two data files) are told apart by a number.

    Parameters
    ----------
    output : str or path-like
        The batch's output folder; the entries' paths are relative to it.
    entries : iterable of mapping
        Manifest entries (:func:`edubalance.run.manifest.job_entry`); those with status
        ``ok`` or ``skipped`` and a readable ``summary.json`` are placed.
    lang : {"zh", "en"}, default "zh"
        Language of the file names.

    Returns
    -------
    list of Path
        The files placed (absolute).

    Examples
    --------
    >>> place_reports("reports", [])
    []
    """
    from .job import inside

    output = Path(output).resolve()
    placed: list[Path] = []
    used: set[str] = set()
    for entry in entries:
        if entry.get("status") not in ("ok", "skipped") or not entry.get("summary"):
            continue
        summary_path = output / entry["summary"]
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        parameters = entry.get("parameters", {})
        county = summary.get("county") or parameters.get("county")
        year = summary.get("year") or parameters.get("year")
        standard = summary.get("standard") or parameters.get("standard")
        stem = report_file_stem(county, year, standard, lang)
        unique, number = stem, 2
        while unique.casefold() in used:
            unique, number = f"{stem}-{number}", number + 1
        used.add(unique.casefold())
        sources = [(entry.get("report"), ".html"), (entry.get("pdf"), ".pdf"),
                   (str(Path(entry["summary"]).with_name("results.xlsx")), ".xlsx")]
        for relative, suffix in sources:
            if not relative or not (output / relative).is_file():
                continue
            target = inside(output, output / f"{unique}{suffix}")
            _link_or_copy(output / relative, target)
            placed.append(target)
    return placed


def _check_notebook_takes(notebook: Path, loader: Mapping[str, Any],
                          evidence: str | None) -> None:
    """Check that the notebook takes every loader option given, before any job.

    Else the file it reads is not the file validate checked; the error names what is missing.
    """
    from .params import model_of_notebook

    given = [key for key in LOADER_PARAMETERS if loader.get(key) not in (None, "", [], {})]
    if evidence:
        given.append("evidence_path")
    missing = [key for key in given if key not in model_of_notebook(notebook)]
    if missing:
        raise ParameterError(
            f"{notebook} does not take the parameter(s) {', '.join(missing)}: this version of "
            "the county scoring notebook cannot read the file as edubalance validate did "
            "(update the project, or give the file the columns it needs)")


def _loader_options(args: argparse.Namespace) -> dict[str, Any]:
    columns = args.columns
    if columns:
        from ..io.headers import column_mapping

        columns = column_mapping(columns)
    allow = _listify(args.allow)
    return {"county_code": args.county_code, "county_name": args.county_name,
            "sheet": args.sheet, "columns": columns or None, "allow": allow or None}


def make_reports(args: argparse.Namespace) -> int:
    """The ``edubalance report`` command (see the module docstring); returns the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`register_cli`): ``files``, ``county``, ``year``,
        ``standard``, ``evidence``, ``pdf``, ``lang``, ``output``, the loader options and
        the batch options; ``say`` (the message catalogue) when :mod:`edubalance.cli` set it.

    Returns
    -------
    int
        1 when a file is invalid (nothing runs), else the batch's exit code (0 only if every
        job succeeded; 130 or 143 when interrupted).

    Raises
    ------
    ParameterError
        An unknown language, ``--pdf`` without Chromium, a county not in a file, or a
        notebook that does not take the loader options given.
    StandardError
        An unknown standard.
    FileNotFoundError
        The county scoring notebook is not found.
    """
    from ..core.standards import load_standard
    from ..io.load import check_files
    from ..report.i18n import check_lang
    from .runner import run_batch, summarise

    lang = check_lang(args.lang)
    say = getattr(args, "say", None) or (lambda key, **values: _text(key, lang, **values))
    standards = _listify(args.standard) or list(DEFAULT_STANDARDS)
    for standard in standards:
        load_standard(standard)          # an unknown name lists the available ones
    if args.pdf:                         # before any work: say how to get Chromium
        from ..report.pdf import BrowserMissingError, check_ready

        try:
            check_ready()
        except BrowserMissingError as error:
            raise ParameterError(f"--pdf is not available: {error}") from None
    notebook = find_notebook()
    loader = _loader_options(args)
    print(_text("run.report.validating", lang))
    frames = check_files(args.files, "schools", loader["sheet"], say=say,
                         county_code=loader["county_code"], county_name=loader["county_name"],
                         year=args.year, columns=loader["columns"], allow=loader["allow"])
    if any(frame is None for frame in frames.values()):
        print(_text("run.report.invalid", lang), file=sys.stderr)
        return 1
    _check_notebook_takes(notebook, loader, args.evidence)
    batches = report_batches(frames, counties=args.county or (), year=args.year,
                             standards=standards, lang=lang, evidence=args.evidence,
                             loader=loader, notebook=notebook)
    n_counties = sum(len(batch["grid"]["county"]) for batch in batches)
    print(_text("run.report.jobs", lang, n=n_counties * len(standards), counties=n_counties,
                standards=len(standards)))
    result = run_batch(batches, output=args.output, workers=args.workers, resume=args.resume,
                       engine=args.engine, progress=not args.quiet, pdf=args.pdf, lang=lang)
    print(summarise(result))
    placed = place_reports(result.output, result.entries, lang)
    if placed:
        print(_text("run.report.files", lang, folder=result.output))
        for path in placed:
            print(f"  {path.name}")
    for entry in result.failed:
        parameters = entry.get("parameters", {})
        print(_text("run.report.failed_job", lang, county=parameters.get("county"),
                    year=parameters.get("year"), standard=parameters.get("standard"),
                    error=entry.get("error")), file=sys.stderr)
    return result.exit_code


def register_cli(subparsers) -> None:
    """Add ``edubalance report``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``edubalance`` command's sub-parsers (``add_subparsers()``); the ``report`` parser
        is added to them, with ``func`` set to :func:`make_reports`.
    """
    from ..io.load import add_loader_options
    from .engines import DEFAULT_ENGINE, ENGINES

    parser = subparsers.add_parser(
        "report", help="from a schools file to named county reports (HTML, PDF, xlsx)",
        description="Check the files as `edubalance validate` does, run the county scoring "
                    "notebook for each county and standard through the batch runner, and put "
                    "the reports a person opens in the output folder, named after county, year "
                    "and standard (会宁县2017年优质均衡评估报告.pdf).")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--county", action="append", default=None, metavar="NAME|CODE",
                        help="county to report on (repeatable, or comma-separated; default: "
                             "every county in the file)")
    parser.add_argument("--year", type=int, default=None,
                        help="year to report on (default: the latest year in the file)")
    parser.add_argument("--standard", action="append", default=None, metavar="S[,S]",
                        help="standard(s): basic-2012, quality-2017, ningxia-2010 "
                             "(default basic-2012)")
    parser.add_argument("--evidence", default=None, metavar="FILE",
                        help="evidence file (government work, satisfaction, quality items)")
    parser.add_argument("--pdf", action="store_true",
                        help="also print each report to PDF (headless Chromium)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the reports and file names (default zh)")
    parser.add_argument("--output", default="reports", metavar="DIR",
                        help="output folder (default: reports)")
    add_loader_options(parser.add_argument_group("loader options (as edubalance validate)"))
    batch = parser.add_argument_group("batch options (as edubalance batch)")
    batch.add_argument("--workers", type=int, default=None,
                       help="parallel jobs (default: number of cores)")
    batch.add_argument("--resume", action="store_true",
                       help="skip reports already made from unchanged inputs")
    batch.add_argument("--engine", choices=[*ENGINES, "local"], default=DEFAULT_ENGINE,
                       help="how notebooks run (as edubalance batch)")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=make_reports)
