"""edubalance.run.job: one job in its own folder (never outside the output), its error in one line, the temporary folders it leaves when killed."""
from __future__ import annotations

import pytest

from edubalance.run import batch


def test_leftover_folders_are_matched_exactly():
    assert batch.is_leftover_of(".tmp-A-abc12_z9", "A")
    assert batch.is_leftover_of(".old-A-abc12_z9", "A")
    assert not batch.is_leftover_of(".tmp-A-B-abc12_z9", "A")  # job "A-B" may be running
    assert not batch.is_leftover_of(".tmp-A-abc12", "A")


def test_a_job_folder_stays_inside_the_output(tmp_path):
    from edubalance.run.job import inside

    out = tmp_path / "out"
    (out / "nb").mkdir(parents=True)
    assert inside(out, out / "nb" / "job") == (out / "nb" / "job").resolve()
    with pytest.raises(ValueError, match="would escape the output folder"):
        inside(out, out / "nb" / ".." / ".." / "elsewhere")
    (out / "nb" / "link").symlink_to(tmp_path)  # a link out of the folder does not count
    with pytest.raises(ValueError, match="would escape"):
        inside(out, out / "nb" / "link" / "job")


def test_remove_leftovers_removes_only_the_jobs_own_temporary_folders(tmp_path):
    from edubalance.run.job import remove_leftovers

    for name in (".tmp-A-abcd_123", ".old-A-zz99_abc", ".tmp-A-B-abcd_123", "A", ".tmp-A-x"):
        (tmp_path / name).mkdir()
    remove_leftovers(tmp_path, "A")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-A-B-abcd_123", ".tmp-A-x", "A"]


def test_describe_error_is_one_line_naming_what_stopped_the_job():
    from edubalance.run.job import describe_error

    assert describe_error(ValueError("bad county"), False, None) == "ValueError: bad county"
    assert describe_error(RuntimeError("x"), True, 30.0) == \
        "timed out after 30 s (job watchdog); kernel and its processes stopped"

    class CellTimeoutError(Exception):
        pass

    class PapermillExecutionError(Exception):
        ename, evalue, exec_count = "KeyError", "'county'", 4

    assert describe_error(CellTimeoutError(), False, 2.5) == "cell timed out after 2.5 s"
    assert describe_error(PapermillExecutionError(), False, None) == "KeyError: 'county' (cell 4)"
