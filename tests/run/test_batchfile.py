"""edubalance.run.batchfile: batch files read safely (aliases, duplicate keys, size), paths resolved from the file's folder, counties listed from the data."""
from __future__ import annotations

from pathlib import Path

import pytest

from edubalance.run import batch
from tests.run.test_batch import TOY, write_batch


def test_county_all_on_the_sample_data():
    sample = Path(__file__).resolve().parents[2] / "data" / "sample" / "schools.csv"
    if not sample.is_file():
        pytest.skip("data/sample/schools.csv not generated yet")
    counties = batch.counties_in(sample, years=[2017])
    assert len(counties) == 22 and len(set(counties)) == 22


def test_batch_file_errors_are_readable(tmp_path):
    with pytest.raises(ValueError, match="unknown key.*paramters"):
        batch.load_batch_file(write_batch(tmp_path, paramters={"value": 1}))
    with pytest.raises(FileNotFoundError, match="notebook not found"):
        batch.load_batch_file(write_batch(tmp_path, notebook=tmp_path / "nope.ipynb"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("!!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ValueError, match="not valid YAML"):  # safe_load refuses the tag
        batch.load_batch_file(bad)


BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                  for p, c in zip("abcdefgh", "bcdefghi", strict=True)))


def test_nested_alias_bomb_fails_before_expansion(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(f"notebook: {TOY}\nparameters:\n" + "".join(
        "  " + line + "\n" for line in BOMB.splitlines()), encoding="utf-8")
    assert len(BOMB.encode()) < 600
    with pytest.raises(ValueError, match="expands to more than"):
        batch.load_batch_file(bomb)
    many = tmp_path / "many.yaml"
    many.write_text("a: &a 1\nb: [" + ", ".join(["*a"] * 150) + "]\n")
    with pytest.raises(ValueError, match="more than 100 aliases"):
        batch.load_batch_file(many)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_100_000 + "\n")
    with pytest.raises(ValueError, match="more than the 1,000,000"):
        batch.load_batch_file(big)


def test_duplicate_keys_are_rejected(tmp_path):
    spec = tmp_path / "dup.yaml"
    spec.write_text(f"notebook: {TOY}\nparameters:\n  value: 1\n  value: 2\n")
    with pytest.raises(ValueError, match=r"key 'value' given twice \(lines 3 and 4\)"):
        batch.load_batch_file(spec)


def test_relative_paths_resolve_from_the_batch_files_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "nb").mkdir(parents=True)
    (project / "nb" / "toy.ipynb").write_bytes(TOY.read_bytes())
    (project / "data.csv").write_text("a\n1\n")
    spec = project / "batch.yaml"
    spec.write_text("notebook: nb/toy.ipynb\nparameters: {gate_file: data.csv}\n"
                    "grid: {county: [a]}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = batch.load_batch_file(spec)
    assert loaded["notebook"] == (project / "nb" / "toy.ipynb").resolve()
    assert loaded["parameters"]["gate_file"] == str((project / "data.csv").resolve())
    spec.write_text("notebook: nb/missing.ipynb\n")
    with pytest.raises(FileNotFoundError) as error:
        batch.load_batch_file(spec)
    assert str(elsewhere) in str(error.value) and str(project) in str(error.value)
