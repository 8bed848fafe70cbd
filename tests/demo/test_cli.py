"""`thymoscope demo` driven with scripted input (CliRunner): listing, pacing, quiz, errors."""

from __future__ import annotations

import re
from pathlib import Path

from thymoscope import RESEARCH_NOTICE
from thymoscope.api import diagnose_file
from thymoscope.kb import knowledge
from thymoscope.report.walkthrough import build_walkthrough

from .conftest import CASES, run_demo

NOTICE_START = RESEARCH_NOTICE[:30]


def _walk(name: str):
    return build_walkthrough(diagnose_file(CASES / f"{name}.yaml"), knowledge().factor_titles)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _listed(output: str) -> tuple[list[str], list[str]]:
    """(case names, pair names) of a listing."""
    cases, pairs = (
        output.split("Pairs to compare") if "Pairs to compare" in output else (output, "")
    )
    names = [
        [ln.split()[0] for ln in part.splitlines() if ln.startswith("  ")]
        for part in (cases, pairs)
    ]
    return names[0], names[1]


def test_list_shows_one_line_per_case_and_pair() -> None:
    result = run_demo("--cases", str(CASES))
    assert result.exit_code == 0, result.output
    cases, pairs = _listed(result.output)
    assert cases == ["chb-end-of-therapy", "sepsis-open-small"]
    assert pairs == ["by-file", "sepsis-vs-hepatitis"]
    assert "Teaching pair: an open sepsis trial" in result.output
    assert NOTICE_START in result.output


def test_list_of_bundled_cases_names_every_bundled_file() -> None:
    from importlib.resources import files

    names = sorted(
        p.name.removesuffix(".yaml")
        for p in files("thymoscope.kb.cases").iterdir()
        if p.name.endswith(".yaml")
    )
    result = run_demo()
    assert result.exit_code == 0, result.output
    listed, pairs = _listed(result.output)
    assert listed == (names or ["(none)"])
    bundled_pairs = files("thymoscope.kb.cases").joinpath("pairs")
    if bundled_pairs.is_dir():
        stems = sorted(
            p.name.removesuffix(".yaml")
            for p in bundled_pairs.iterdir()
            if p.name.endswith(".yaml")
        )
        assert pairs == stems


def test_no_pause_prints_every_step_in_order() -> None:
    walk = _walk("chb-end-of-therapy")
    result = run_demo("--cases", str(CASES), "chb-end-of-therapy", "--no-pause")
    assert result.exit_code == 0, result.output
    total = len(walk.steps)
    numbers = [int(n) for n in re.findall(rf"Step (\d+) of {total}", result.output)]
    assert numbers == list(range(1, total + 1))
    flat = _flat(result.output)
    positions = [flat.index(step.title) for step in walk.finding_steps()]
    assert positions == sorted(positions)
    for step in walk.finding_steps():
        assert f"Rule that fired: {', '.join(step.finding['rules'])}" in flat
        for fact in step.facts:
            assert f"{fact.path} = {fact.value}" in flat
    assert "Press Enter" not in result.output
    assert result.output.count(NOTICE_START) == 2


def test_enter_advances_and_q_stops() -> None:
    result = run_demo("--cases", str(CASES), "chb-end-of-therapy", input="\nq\n")
    assert result.exit_code == 0, result.output
    assert "Step 2 of" in result.output and "Step 3 of" not in result.output
    assert "Stopped." in result.output


def test_auto_advances_without_input() -> None:
    result = run_demo("--cases", str(CASES), "sepsis-open-small", "--auto", "--delay", "0")
    assert result.exit_code == 0, result.output
    walk = _walk("sepsis-open-small")
    assert f"Step {len(walk.steps)} of {len(walk.steps)}" in result.output


def test_case_can_be_named_by_study_id_or_given_as_a_path(tmp_path: Path) -> None:
    target = tmp_path / "renamed.yaml"
    target.write_text((CASES / "sepsis-open-small.yaml").read_text(encoding="utf-8"))
    by_id = run_demo("--cases", str(tmp_path), "sepsis-open-small", "--no-pause")
    by_path = run_demo(str(target), "--no-pause")
    assert by_id.exit_code == 0 and by_path.exit_code == 0, by_id.output + by_path.output
    assert "Step 1 of" in by_path.output


def test_quiz_scores_scripted_answers() -> None:
    walk = _walk("chb-end-of-therapy")
    factors = list(walk.factors)
    answers = [factors.index(s.factor) + 1 for s in walk.finding_steps()]
    assert len(answers) >= 4, "the teaching case needs at least four findings"
    wrong = answers[1] % len(factors) + 1
    scripted = [
        str(answers[0]),  # right, by number
        str(wrong),  # wrong
        "no such factor",  # not a choice: asked again ...
        walk.factors[walk.finding_steps()[2].factor],  # ... right, by title
        "",  # passes
    ]
    result = run_demo(
        "--cases", str(CASES), "chb-end-of-therapy", "--quiz", input="\n".join(scripted) + "\n"
    )  # then end of input: the rest pass
    assert result.exit_code == 0, result.output
    asked = len(answers)
    assert f"Score: 2 of {asked} ({round(200 / asked)}%)" in result.output
    assert result.output.count("Right:") == 2
    assert result.output.count("Not quite:") == 1
    assert result.output.count("No answer.") == asked - 3
    assert "Not one of the choices: 'no such factor'" in result.output
    # the questions are the pauses; only the score waits for Enter after the last reveal
    assert result.output.count("Press Enter") == 1


def test_quiz_asks_before_revealing() -> None:
    result = run_demo("--cases", str(CASES), "sepsis-open-small", "--quiz", input="1\n")
    first = _walk("sepsis-open-small").finding_steps()[0]
    output = _flat(result.output)
    assert output.index("Which factor explains it?") < output.index(first.title)
    assert output.index("1. Baseline immunity") < output.index("Rule that fired")


def test_all_right_answers_score_full_marks() -> None:
    walk = _walk("sepsis-open-small")
    factors = list(walk.factors)
    answers = "".join(f"{factors.index(s.factor) + 1}\n" for s in walk.finding_steps())
    result = run_demo("--cases", str(CASES), "sepsis-open-small", "--quiz", input=answers)
    count = len(walk.finding_steps())
    assert f"Score: {count} of {count} (100%)" in result.output


def test_unknown_case_is_a_one_line_error() -> None:
    result = run_demo("--cases", str(CASES), "no-such-case")
    assert result.exit_code == 2
    assert "no-such-case: no such case" in result.output
    assert "Traceback" not in result.output


def test_bad_study_in_cases_folder_is_reported_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        "schema_version: 1\nid: broken\ntitle: x\nindication: flu\n", encoding="utf-8"
    )
    (tmp_path / "ok.yaml").write_text((CASES / "sepsis-open-small.yaml").read_text())
    listing = run_demo("--cases", str(tmp_path))
    assert listing.exit_code == 2
    assert re.search(r"broken\.yaml:4: indication: ", listing.output)
    assert "  ok  " in listing.output
    walk = run_demo("--cases", str(tmp_path), "broken", "--no-pause")
    assert walk.exit_code == 2
    assert re.search(r"broken\.yaml:\d+: ", walk.output)
    assert "Traceback" not in walk.output


def test_cases_must_be_a_folder(tmp_path: Path) -> None:
    result = run_demo("--cases", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "not a folder" in result.output


def test_html_writes_one_self_contained_page(tmp_path: Path) -> None:
    target = tmp_path / "slides.html"
    result = run_demo("--cases", str(CASES), "sepsis-open-small", "--html", str(target))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    walk = _walk("sepsis-open-small")
    assert html.count('<section class="slide') == len(walk.steps)
    assert f"({len(walk.steps)} slides)" in result.output
    for step in walk.finding_steps():
        assert step.finding["title"] in html
        for rule in step.finding["rules"]:
            assert f"<code>{rule}</code>" in html
    assert RESEARCH_NOTICE in html
    # nothing that could reach the network
    assert not re.search(r"(?i)\b(src|href)\s*=|@import|url\(|https?:", html)
    # study text is escaped, not markup
    assert "&lt;with a positive result&gt; &amp; no markers" in html
    assert "<with a positive result>" not in html


def test_html_quiz_adds_question_slides(tmp_path: Path) -> None:
    target = tmp_path / "quiz.html"
    result = run_demo("--cases", str(CASES), "sepsis-open-small", "--html", str(target), "--quiz")
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    walk = _walk("sepsis-open-small")
    assert html.count('class="slide slide-question"') == len(walk.finding_steps())


def test_html_to_an_unwritable_place_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_demo(
        "--cases",
        str(CASES),
        "sepsis-open-small",
        "--html",
        str(tmp_path / "no" / "such" / "dir.html"),
    )
    assert result.exit_code == 2
    assert result.output == (
        f"thymoscope: error: {tmp_path / 'no' / 'such' / 'dir.html'}: "
        f"folder {tmp_path / 'no' / 'such'} does not exist\n"
    )


def _pair_walk():
    from thymoscope.kb.comparison import compare_files, pair_factor_titles
    from thymoscope.report.comparison import comparison_document
    from thymoscope.report.walkthrough import build_pair_walkthrough

    comparison = compare_files(CASES / "sepsis-open-small.yaml", CASES / "chb-end-of-therapy.yaml")
    document = comparison_document(comparison, pair_factor_titles(), None)
    return build_pair_walkthrough(document, pair_factor_titles(), unasked=("results",))


def test_pair_walks_through_the_comparison() -> None:
    walk = _pair_walk()
    result = run_demo("--cases", str(CASES), "sepsis-vs-hepatitis", "--no-pause")
    assert result.exit_code == 0, result.output
    total = len(walk.steps)
    numbers = [int(n) for n in re.findall(rf"Step (\d+) of {total}", result.output)]
    assert numbers == list(range(1, total + 1))
    flat = _flat(result.output)
    assert "A: Teaching case: small open sepsis trial" in flat
    assert "Different diseases, different questions." in flat
    assert re.search(r"indication\s+sepsis\s+chronic_hepatitis_b", result.output)
    for step in walk.finding_steps():
        assert f"Rule that fired: {', '.join(step.finding['rules'])}" in flat
        for fact in step.facts:
            assert f"{fact.path} = {fact.value}" in flat
    assert result.output.count(NOTICE_START) == 2


def test_pair_naming_its_studies_by_file_gives_the_same_comparison_reversed() -> None:
    by_name = run_demo("--cases", str(CASES), "sepsis-vs-hepatitis", "--no-pause")
    by_file = run_demo("--cases", str(CASES), "by-file", "--no-pause")
    assert by_file.exit_code == 0, by_file.output
    assert "A: Teaching case: hepatitis B" in _flat(by_file.output)
    rules = re.findall(r"Rule that fired: (\S+)", by_name.output)
    assert sorted(rules) == sorted(re.findall(r"Rule that fired: (\S+)", by_file.output))


def test_pair_quiz_scores_and_does_not_ask_about_the_verdict() -> None:
    walk = _pair_walk()
    choices = [k for k in walk.factors if k not in walk.unasked]
    asked = [s for s in walk.finding_steps() if s.factor not in walk.unasked]
    answers = "".join(f"{choices.index(s.factor) + 1}\n" for s in asked)
    result = run_demo("--cases", str(CASES), "sepsis-vs-hepatitis", "--quiz", input=answers)
    assert result.exit_code == 0, result.output
    assert f"Score: {len(asked)} of {len(asked)} (100%)" in result.output
    assert result.output.count("Which factor explains it?") == len(asked)
    assert "Are the results in conflict?" in result.output  # shown, not asked


def test_pair_with_a_missing_case_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text((CASES / "sepsis-open-small.yaml").read_text())
    (tmp_path / "pairs").mkdir()
    (tmp_path / "pairs" / "lonely.yaml").write_text(
        "schema_version: 1\nid: lonely\ntitle: Lonely\na: one\nb: nobody\n", encoding="utf-8"
    )
    (tmp_path / "pairs" / "broken.yaml").write_text("schema_version: 1\nid: [\n")
    result = run_demo("--cases", str(tmp_path), "lonely", "--no-pause")
    assert result.exit_code == 2
    assert "lonely.yaml: nobody: no such case" in result.output
    listing = run_demo("--cases", str(tmp_path))
    assert listing.exit_code == 2
    assert re.search(r"broken\.yaml:\d+: ", listing.output)
    assert "Traceback" not in result.output + listing.output


def test_pair_html_shows_both_studies_side_by_side(tmp_path: Path) -> None:
    target = tmp_path / "pair.html"
    result = run_demo("--cases", str(CASES), "sepsis-vs-hepatitis", "--html", str(target))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    walk = _pair_walk()
    assert html.count('<section class="slide') == len(walk.steps)
    assert html.count('<table class="side-by-side') == 1 + len(walk.finding_steps())
    assert "A · sepsis-open-small" in html and "B · chb-end-of-therapy" in html
    assert not re.search(r"(?i)\b(src|href)\s*=|@import|url\(|https?:", html)
