"""edubalance.run.plan: jobs planned from batch files (grids, `county: all`), their folder names (slugs), and their parameters checked before any job runs."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from edubalance.run import batch, cache, plan
from edubalance.run.batch import Job, job_slug, safe_name
from tests.run.test_batch import TOY, write_batch

HOSTILE = ["../../etc", "a/b", "CON", "灵武市 ", "x" * 300, "nul\0byte", "..", ".hidden",
           "<script>alert(1)</script>", "lpt1.txt", "灵" * 200]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_county_names_give_safe_slugs_inside_the_output(tmp_path, name):
    slug = job_slug({"county": name}, ["county"])
    assert "/" not in slug and "\\" not in slug and "\0" not in slug
    assert slug not in {"", ".", ".."} and not slug.startswith(".")
    assert slug.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "LPT1"}
    assert len(slug.encode("utf-8")) <= 120
    folder = (tmp_path / "toy_job" / slug)
    folder.mkdir(parents=True)  # a real file system accepts it
    assert folder.resolve().is_relative_to(tmp_path.resolve())
    assert folder.resolve().parent == (tmp_path / "toy_job").resolve()


def test_slugs_are_unique_and_readable():
    values = ["a/b", "a_b", "a b", "灵武市", "灵武市 ", "x" * 300, "x" * 301]
    slugs = [job_slug({"county": value}, ["county"]) for value in values]
    assert len(set(slugs)) == len(values)
    assert job_slug({"county": "灵武市"}, ["county"]) == "灵武市"
    assert job_slug({"county": "大武口区", "year": 2017}, ["county", "year"]) \
        == "county=大武口区,year=2017"
    assert safe_name("CON") == ("_CON", True)


def test_plan_expands_grid_and_county_all_in_file_order(tmp_path):
    # A counties table (county_code, county_name, year) is enough to expand `county: all`.
    data = tmp_path / "schools.csv"
    data.write_text("county_code,county_name,year\n640202,大武口区,2017\n640181,灵武市,2017\n"
                    "640202,大武口区,2016\n640300,吴忠,2016\n", encoding="utf-8")
    spec = write_batch(tmp_path, parameters={"data_path": str(data), "year": 2017},
                       grid={"county": "all", "value": [1, 2.5]})
    jobs = batch.plan_jobs([spec])
    assert [(job.parameters["county"], job.parameters["value"]) for job in jobs] == [
        ("大武口区", 1), ("大武口区", 2.5), ("灵武市", 1), ("灵武市", 2.5)]
    assert len({job.slug for job in jobs}) == 4
    # Two batch files running one notebook for different years get distinct folders.
    other = write_batch(tmp_path, "other.yaml", parameters={"data_path": str(data), "year": 2016},
                        grid={"county": "all"})
    once = write_batch(tmp_path, "once.yaml", parameters={"data_path": str(data), "year": 2017},
                       grid={"county": "all"})
    jobs = batch.plan_jobs([once, other])
    assert [job.parameters["county"] for job in jobs] == ["大武口区", "灵武市", "大武口区", "吴忠"]
    assert len({job.slug for job in jobs}) == 4


def test_notebook_parameters_types_and_required(tmp_path):
    import nbformat

    cell = nbformat.v4.new_code_cell('county: str\nyear = 2017\nratio = 0.5\nflag = False\n'
                                     'anything = None\nitems = [1]\noutput_dir = "out"')
    cell.metadata["tags"] = ["parameters"]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "nb.ipynb")
    declared = batch.notebook_parameters(tmp_path / "nb.ipynb")
    assert declared["county"]["required"] and declared["year"]["type"] is int
    assert declared["ratio"]["type"] is float and declared["anything"]["type"] is None

    def job(**parameters):
        return Job(notebook=tmp_path / "nb.ipynb", notebook_text="nb.ipynb",
                   parameters=parameters, varying=[], source=tmp_path, stem="nb", slug="s")

    batch.validate_jobs([job(county="x", year=2016, ratio=1, anything=[1], items=[2])])
    with pytest.raises(ValueError) as error:
        batch.validate_jobs([job(year="2017", ratio=True, flag=1, yaer=1)])
    message = str(error.value)
    for expected in ["unknown parameter 'yaer'", "year='2017' should be int",
                     "ratio=True should be float", "flag=1 should be bool",
                     "missing required parameter 'county'"]:
        assert expected in message


def test_integer_county_codes_are_accepted_as_the_notebook_accepts_them(tmp_path):
    scoring = Path(__file__).resolve().parents[2] / "notebooks" / "county_scoring.ipynb"
    spec = write_batch(tmp_path, notebook=scoring,
                       parameters={"data_path": "data/sample/schools.csv", "year": 2017},
                       grid={"county": [640181, "灵武市"]})
    jobs = batch.plan_jobs([spec])
    batch.validate_jobs(jobs)  # (str, int) in the notebook's check_parameters
    assert [job.parameters["county"] for job in jobs] == [640181, "灵武市"]
    bad = write_batch(tmp_path, "bad.yaml", notebook=scoring, grid={"county": [6401.5]})
    with pytest.raises(ValueError, match=r"county=6401.5 should be str or int, not float"):
        batch.validate_jobs(batch.plan_jobs([bad]))


def test_folder_names_name_every_identifying_parameter(tmp_path):
    # Issue 14.3: a single-county batch must not take the folders of a two-standard batch.
    data = tmp_path / "schools.csv"
    data.write_text("county_code,county_name,year\n640181,灵武市,2017\n", encoding="utf-8")
    nb = tmp_path / "county_scoring.ipynb"
    nb.write_bytes(TOY.read_bytes())
    both = write_batch(tmp_path, "both.yaml", notebook=nb,
                       parameters={"data_path": str(data), "year": 2017},
                       grid={"county": ["灵武市"], "standard": ["basic-2012", "quality-2017"]})
    one = write_batch(tmp_path, "one.yaml", notebook=nb,
                      parameters={"data_path": str(data), "year": 2017, "standard": "basic-2012"},
                      grid={"county": ["灵武市"]})
    first = [job.slug for job in batch.plan_jobs([both])]
    assert first == ["county=灵武市,standard=basic-2012,year=2017",
                     "county=灵武市,standard=quality-2017,year=2017"]
    # The same job planned alone gets the same folder (so --resume finds it); others differ.
    assert [job.slug for job in batch.plan_jobs([one])] == first[:1]


def test_county_all_expands_by_code_when_two_counties_share_a_name(tmp_path):
    data = tmp_path / "schools.csv"
    data.write_text("county_code,county_name,year\n110105,朝阳区,2017\n220104,朝阳区,2017\n"
                    "640181,灵武市,2017\n", encoding="utf-8")
    spec = write_batch(tmp_path, parameters={"data_path": str(data), "year": 2017},
                       grid={"county": "all"})
    jobs = batch.plan_jobs([spec])
    assert [job.parameters["county"] for job in jobs] == ["110105", "220104", "灵武市"]
    assert len({job.slug for job in jobs}) == 3


def test_one_file_digest_for_plan_and_cache(tmp_path, monkeypatch):
    path = tmp_path / "schools.csv"
    data = bytes(range(256)) * 9000    # more than two blocks of 1 MiB
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert plan.file_sha256(path) == plan.file_sha256(str(path)) == expected
    reads = []
    original = plan.file_sha256
    monkeypatch.setattr(plan, "file_sha256", lambda p: reads.append(p) or original(p))
    assert plan._file_digest(path, {}) == "sha256:" + expected
    # The scoring's cache key after the batch's planning: the file is not read again.
    assert cache._file_digest(path) == expected
    assert reads == [path]
    path.write_bytes(data + b"!")   # another size: another key, so read again
    assert cache._file_digest(path) == hashlib.sha256(data + b"!").hexdigest()
    assert len(reads) == 2


def test_a_kernel_takes_the_digest_the_batch_computed_for_the_same_file_only(
        tmp_path, monkeypatch):
    data = tmp_path / "schools.csv"
    data.write_bytes(b"a,b\n1,2\n")
    stat = data.stat()
    given = "f" * 64   # not the file's digest: proof that the file was not read again
    monkeypatch.setattr(plan, "_REMEMBERED", {})
    monkeypatch.setenv(plan.DIGESTS_ENV, json.dumps(
        [[str(data.resolve()), stat.st_size, stat.st_mtime_ns, given]]))
    assert plan.remembered_sha256(data) == given
    # The file changed (size and time): hashed, not taken.
    monkeypatch.setattr(plan, "_REMEMBERED", {})
    data.write_bytes(b"a,b\n1,2\n3,4\n")
    assert plan.remembered_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()
    # Anything else in the variable: every file hashed.
    monkeypatch.setattr(plan, "_REMEMBERED", {})
    monkeypatch.setenv(plan.DIGESTS_ENV, "not json")
    assert plan.remembered_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()


def test_the_digests_handed_on_stay_under_the_environments_limit(monkeypatch):
    many = {(f"/data/{'x' * 200}{i}.csv", i, i): "0" * 64 for i in range(1000)}
    monkeypatch.setattr(plan, "_REMEMBERED", many)
    text = plan.remembered_digests()
    kept = json.loads(text)
    assert len(text) <= 64 * 1024 and 0 < len(kept) < 1000
    assert kept[0] == [f"/data/{'x' * 200}0.csv", 0, 0, "0" * 64]
