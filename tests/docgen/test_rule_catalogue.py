"""The gate's rule tables in the READMEs: generated from gate/rules, current, and refused
when their markers are broken."""

from __future__ import annotations

from pathlib import Path

from docgen.rule_catalogue import begin_marker, document_rule_tables, render_readme
from gate.rules import RULES, RULES_BY_ID

END = "<!-- END GATE RULES -->"


def test_the_project_rule_tables_are_up_to_date():
    results = document_rule_tables()
    shown = {result.shown_as for result in results}
    assert {"README.md", "modules/cache/README.md", "modules/redis_cluster/README.md"} <= shown
    stale = [result.shown_as for result in results if result.stale]
    assert not stale, f"out of date: {', '.join(stale)}: run `python -m docgen` (or `make docs`)"
    assert [problem for result in results for problem in result.problems] == []


def test_the_root_readme_lists_every_rule_once_and_a_module_readme_its_own():
    (root,) = [result.new for result in document_rule_tables() if result.shown_as == "README.md"]
    for rule in RULES:
        assert root.count(f"| {rule.id} | {rule.name} |") == 1, rule.id
    (cache,) = [result.new for result in document_rule_tables() if result.shown_as == "modules/cache/README.md"]
    listed = {rule.id for rule in RULES if f"| {rule.id} |" in cache}
    assert listed == {f"CKV_CHAT_{n}" for n in range(30, 37)}
    # The reason is the predicate's docstring, on one line.
    assert " ".join(RULES_BY_ID["CKV_CHAT_33"].why.split()) in cache


def test_a_stale_table_is_regenerated_and_the_rest_of_the_readme_kept(tmp_path: Path):
    (tmp_path / "modules" / "cache").mkdir(parents=True)
    readme = tmp_path / "modules" / "cache" / "README.md"
    readme.write_text(f"# cache\n\nBefore.\n\n{begin_marker('cache')}\n| CKV_CHAT_30 | old words |\n{END}\n\nAfter.\n")
    (tmp_path / "README.md").write_text("# no rule table here\n")
    (result,) = document_rule_tables(root=tmp_path)
    assert result.stale and result.problems == ()
    assert "old words" not in result.new
    assert result.new.startswith("# cache\n\nBefore.\n\n") and result.new.endswith(f"{END}\n\nAfter.\n")
    assert "| CKV_CHAT_36 | ElastiCache replication groups deliver slow and engine logs |" in result.new


def test_broken_markers_and_unknown_modules_are_problems_and_nothing_changes():
    text = f"# x\n{begin_marker('all')}\n| old |\n"
    new, problems = render_readme(text, "README.md")
    assert new == text and problems == [f"README.md: line 2: BEGIN GATE RULES without its `{END}`"]
    text = f"# x\n{begin_marker('nosuchmodule')}\n{END}\n"
    new, problems = render_readme(text, "README.md")
    assert new == text and problems == ["README.md: line 2: no rule names the module 'nosuchmodule' (Rule.modules)"]
    text = f"# x\n<!-- BEGIN GATE RULES -->\n{END}\n"
    new, problems = render_readme(text, "README.md")
    assert new == text and len(problems) == 2  # a BEGIN without a selector, then an END without a BEGIN
