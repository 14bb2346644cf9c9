"""``labecon run``: its outputs written together, and a failed run loses nothing."""

from mini_project import add_broken_chapter, chart_files, labecon

from labecon_book.outputs import MARKER


def test_a_failed_run_leaves_the_earlier_run_untouched(project):
    add_broken_chapter(project)
    out = project / "runs" / "broken"
    out.mkdir(parents=True)
    earlier = {name: f"earlier {name}" for name in ("broken.ipynb", "broken.html", "results.json")}
    earlier[MARKER] = "run\n"  # an earlier run's folder
    for name, text in earlier.items():
        (out / name).write_text(text)
    proc = labecon(project, "run", "broken", "--out", str(out))
    assert proc.returncode == 2
    assert "chapter 'broken' failed in code cell 3: RuntimeError: boom in the middle" in proc.stderr
    assert {p.name: p.read_text() for p in out.iterdir()} == earlier, "nothing replaced, nothing left behind"


def test_a_run_replaces_all_its_outputs_and_leaves_no_temporary_file(project):
    out = project / "runs" / "cohort"
    (out / "chart-data").mkdir(parents=True)
    (out / MARKER).write_text("run\n")
    (out / "chart-data" / "chart-old-0.csv").write_text("an earlier run's chart")
    proc = labecon(project, "run", "cohort-accounting", "-p", "cost_growth", "5", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir() if p.suffix not in (".js", ".css")) == [
        MARKER, "chart-data", "cohort-accounting.html", "cohort-accounting.ipynb", "results.json"]
    assert '"cost_growth": 5.0' in (out / "results.json").read_text()
    charts = sorted(p.name for p in (out / "chart-data").iterdir())
    assert charts == chart_files(project / "book" / "cohort-accounting.ipynb"), "an earlier run's charts are gone"
