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
    """(case names, pair names) of a listing (a wrapped title's next lines start with
    more than two spaces)."""
    output = output.split("Review sets")[0]
    cases, pairs = (
        output.split("Pairs to compare") if "Pairs to compare" in output else (output, "")
    )
    names = [
        [ln.split()[0] for ln in part.splitlines() if re.match(r"  \S", ln)]
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
            assert _flat(fact.words) in flat
            assert f"{fact.path} = " not in flat  # facts in words, not field paths
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
    walk = _walk("sepsis-open-small")
    first = walk.finding_steps()[0]
    output = _flat(result.output)
    total = len(walk.finding_steps())
    assert output.index(f"Question 1 of {total}") < output.index(first.title)
    assert output.index("Which factor best explains the flag?") < output.index(first.title)
    assert output.index("1. Baseline immunity") < output.index("Rule that fired")


def test_quiz_hides_the_answer_behind_words() -> None:
    # usability item 22: the quiz showed "intervention.role = monotherapy", then asked
    walk = _walk("chb-end-of-therapy")
    result = run_demo("--cases", str(CASES), "chb-end-of-therapy", "--quiz", input="")
    output = result.output
    for step in walk.finding_steps():
        before = output[: output.index(step.title)]
        question = before[before.rindex("Question ") :]
        assert "What we know:" in question
        assert not re.search(r"\b[a-z_]+\.[a-z_]+ = ", question), question
        assert "_" not in question.split("Which factor")[0], question
    numbers = re.findall(r"Question (\d+) of (\d+)", output)
    assert [int(n) for n, _ in numbers] == list(range(1, len(numbers) + 1))


def test_quiz_record_appends_a_score_summary_and_keeps_earlier_records(tmp_path: Path) -> None:
    import csv

    walk = _walk("sepsis-open-small")
    factors = list(walk.factors)
    answers = "".join(f"{factors.index(s.factor) + 1}\n" for s in walk.finding_steps())
    scores = tmp_path / "scores.csv"
    args = ("--cases", str(CASES), "sepsis-open-small", "--quiz", "--record", str(scores))
    first = run_demo(*args, "--student", "Ada", input=answers)
    assert first.exit_code == 0, first.output
    second = run_demo(*args, "--student", "id-042", input="")
    assert second.exit_code == 0, second.output
    rows = list(csv.DictReader(scores.open(encoding="utf-8", newline="")))
    count = len(walk.finding_steps())
    assert len(rows) == 2 * (count + 1)
    assert [r["student"] for r in rows] == ["Ada"] * (count + 1) + ["id-042"] * (count + 1)
    assert {r["case"] for r in rows} == {"sepsis-open-small"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[0]["date"])
    assert [r["correct"] for r in rows[:count]] == ["yes"] * count
    assert rows[count]["question"] == "total" and rows[count]["score"] == "100%"
    assert rows[-1]["score"] == "0%"
    assert scores.read_text(encoding="utf-8").count("student,date,case") == 1


def test_quiz_record_refuses_a_file_that_is_not_a_score_record(tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("my,own,work\n1,2,3\n", encoding="utf-8")
    result = run_demo(
        "--cases", str(CASES), "sepsis-open-small", "--quiz", "--record", str(notes), input=""
    )
    assert result.exit_code == 2
    assert "not a score record" in result.output
    assert notes.read_text(encoding="utf-8") == "my,own,work\n1,2,3\n"


def test_record_needs_a_quiz() -> None:
    result = run_demo("--cases", str(CASES), "sepsis-open-small", "--record", "x.csv")
    assert result.exit_code == 2
    assert "add --quiz" in result.output
    to_stdout = run_demo("--cases", str(CASES), "sepsis-open-small", "--quiz", "--record", "-")
    assert to_stdout.exit_code == 2
    assert "--record needs a file" in to_stdout.output


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


def test_unknown_name_suggests_the_closest_and_keeps_the_cases_option() -> None:
    # usability item 21: no "did you mean"; the hint dropped --cases
    result = run_demo("--cases", str(CASES), "sepsis-opne-small")
    assert result.exit_code == 2
    assert "did you mean sepsis-open-small?" in result.output
    assert f"`thymoscope demo --cases {CASES}`" in result.output
    bundled = run_demo("chb-rct-end-of-therapi")
    assert "did you mean chb-rct-end-of-therapy?" in bundled.output
    assert "`thymoscope demo` for the list" in bundled.output


def test_list_hint_keeps_the_cases_option() -> None:
    result = run_demo("--cases", str(CASES))
    assert f"thymoscope demo --cases {CASES} NAME" in _flat(result.output)


def test_list_keeps_the_end_of_long_titles(tmp_path: Path) -> None:
    # usability item 20: titles that differ only at their end were cut there
    text = (CASES / "sepsis-open-small.yaml").read_text(encoding="utf-8")
    common = "A very long teaching title that goes on and on about a sepsis trial, read "
    for stem, end in (("early", "at day 7"), ("late", "at day 90")):
        changed = re.sub(r"(?m)^title: .*$", f"title: {common}{end}", text)
        changed = re.sub(r"(?m)^id: .*$", f"id: {stem}", changed)
        (tmp_path / f"{stem}.yaml").write_text(changed, encoding="utf-8")
    result = run_demo("--cases", str(tmp_path))
    assert result.exit_code == 0, result.output
    flat = _flat(result.output)
    assert f"{common}at day 7" in flat and f"{common}at day 90" in flat
    assert "…" not in result.output


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
    assert html.count('<section class="slide') >= len(walk.steps) + 1
    slides = html.count('<section class="slide')
    assert f"({slides} slides)" in result.output
    screen = re.sub(r'(?s)<aside class="notes".*?</aside>', "", html)
    for step in walk.finding_steps():
        assert step.finding["title"] in html
        for rule in step.finding["rules"]:
            assert rule not in screen  # no rule id on a slide ...
            assert rule.replace("_", " ") in html  # ... it is in the speaker notes
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
    from thymoscope.cli.demo_session import pair_walkthrough_of
    from thymoscope.kb.comparison import compare_files, pair_factor_titles
    from thymoscope.report.comparison import comparison_document

    comparison = compare_files(CASES / "sepsis-open-small.yaml", CASES / "chb-end-of-therapy.yaml")
    return pair_walkthrough_of(comparison_document(comparison, pair_factor_titles(), None))


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
    assert re.search(r"Indication\s+sepsis\s+chronic hepatitis B", result.output)
    for step in walk.finding_steps():
        assert f"Rule that fired: {', '.join(step.finding['rules'])}" in flat
        for fact in step.facts:
            assert _flat(fact.words) in flat
    assert result.output.count(NOTICE_START) == 2


def test_pair_naming_its_studies_by_file_gives_the_same_comparison_reversed() -> None:
    by_name = run_demo("--cases", str(CASES), "sepsis-vs-hepatitis", "--no-pause")
    by_file = run_demo("--cases", str(CASES), "by-file", "--no-pause")
    assert by_file.exit_code == 0, by_file.output
    assert "A: Teaching case: hepatitis B" in _flat(by_file.output)
    rules = re.findall(r"Rule that fired: (\S+)", by_name.output)
    assert sorted(rules) == sorted(re.findall(r"Rule that fired: (\S+)", by_file.output))


def test_pair_quiz_asks_the_factor_and_whether_the_conflict_is_real() -> None:
    from thymoscope.report.walkthrough import questions

    walk = _pair_walk()
    asked = questions(walk)
    answers = "".join(f"{[k for k, _ in q.choices].index(q.answer) + 1}\n" for q in asked)
    result = run_demo(
        "--cases", str(CASES), "sepsis-vs-hepatitis", "--quiz", "--no-pause", input=answers
    )
    assert result.exit_code == 0, result.output
    assert f"Score: {len(asked)} of {len(asked)} (100%)" in result.output
    flat = _flat(result.output)
    assert "Which factor best explains why study A" in flat and "disagrees with study B" in flat
    conflict = [q for q in asked if q.kind == "conflict"]
    assert flat.count("Is this conflict real, or only a difference in significance?") == len(
        conflict
    )
    assert "Are the results in conflict?:" not in flat


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
    assert html.count('<section class="slide') >= len(walk.steps) + 1
    assert html.count('<table class="side-by-side') >= 1
    assert "A · Teaching case: small open sepsis trial" in html
    assert "B · Teaching case: hepatitis B" in html
    assert not re.search(r"(?i)\b(src|href)\s*=|@import|url\(|https?:", html)


def test_html_without_a_name_builds_the_whole_course(tmp_path: Path) -> None:
    # usability item 21: `demo --html` without a case was ignored
    target = tmp_path / "course.html"
    result = run_demo("--cases", str(CASES), "--html", str(target))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    for title in (
        "Teaching case: small open sepsis trial",
        "Teaching case: hepatitis B",
        "Teaching pair: an open sepsis trial vs a hepatitis B trial",
        "Teaching pair: the same two cases, named by file",
    ):
        assert title in html
    assert html.count('class="slide slide-part"') == 4
    assert "slide-contents" in html
    every = tmp_path / "every.html"
    assert run_demo("--cases", str(CASES), "--all", "--html", str(every)).exit_code == 0
    assert every.read_text(encoding="utf-8").count('class="slide slide-part"') == 4


def test_course_of_named_cases_pairs_and_a_review_set(tmp_path: Path) -> None:
    target = tmp_path / "deck.html"
    result = run_demo(
        "chb-rct-end-of-therapy", "sepsis-small-vs-large", "sepsis-quality", "--html", str(target)
    )
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert html.count('class="slide slide-part"') == 3
    assert "Review set" in html and "Try each factor as an explanation" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="forest"') >= 2
    screen = re.sub(r'(?s)<aside class="notes".*?</aside>', "", html)
    assert "Are the results in conflict?:" not in screen
    assert not re.search(r">[^<]*\b[a-z]+_[a-z_]+\b[^<]*<", re.sub(r"<[^>]*>", "><", screen))


def test_review_set_walks_through_in_the_terminal() -> None:
    result = run_demo("sepsis-quality", "--no-pause")
    assert result.exit_code == 0, result.output
    flat = _flat(result.output)
    for number, title in enumerate(
        (
            "The studies",
            "Pool them and measure the disagreement",
            "Try each factor as an explanation",
            "Other checks on the body",
            "How certain is the evidence?",
        ),
        start=1,
    ):
        assert f"step {number}: {title}" in flat
    assert "REML pooled" in flat
    assert "design.blinding" not in flat  # field paths in words
    assert "Review sets (bundled):" in run_demo().output


def test_handout_has_answer_lines_and_a_separate_key(tmp_path: Path) -> None:
    handout = tmp_path / "handout.html"
    result = run_demo(
        "chb-rct-end-of-therapy", "sepsis-small-vs-large", "sepsis-quality", "--handout",
        str(handout),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = handout.read_text(encoding="utf-8")
    questions = re.findall(r"<h3>Question (\d+)\.", html)
    assert [int(n) for n in questions] == list(range(1, len(questions) + 1))
    assert html.count('class="answer-line"') >= 2 * len(questions)
    key = html[html.index('id="answer-key"') :]
    assert [int(n) for n in re.findall(r"<dt>Question (\d+) ", key)] == [int(n) for n in questions]
    assert "Is this conflict real, or only a difference in significance?" in html
    assert "which factor best accounts for the disagreement" in html
    assert "Study quality" in key
    assert RESEARCH_NOTICE in html
    offline = html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a request
    assert not re.search(r"(?i)\b(src|href)\s*=|@import|url\(|https?:", offline)

    apart, key_file = tmp_path / "students.html", tmp_path / "key.html"
    result = run_demo(
        "chb-rct-end-of-therapy", "--handout", str(apart), "--answer-key", str(key_file)
    )
    assert result.exit_code == 0, result.output
    assert 'id="answer-key"' not in apart.read_text(encoding="utf-8")
    alone = key_file.read_text(encoding="utf-8")
    assert "Answer key" in alone and 'class="answer-line"' not in alone


def test_handout_is_never_written_onto_an_input(tmp_path: Path) -> None:
    study = tmp_path / "mine.yaml"
    study.write_text((CASES / "sepsis-open-small.yaml").read_text(encoding="utf-8"))
    before = study.read_text(encoding="utf-8")
    result = run_demo(str(study), "--handout", str(study))
    assert result.exit_code == 2
    assert "refusing to overwrite an input file" in result.output
    assert study.read_text(encoding="utf-8") == before


def test_review_set_quiz_slide_asks_which_factor_accounts_for_the_disagreement(
    tmp_path: Path,
) -> None:
    target = tmp_path / "review.html"
    result = run_demo("chb-endpoint-timing", "--quiz", "--html", str(target))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    question = html.index("which factor best accounts for the disagreement")
    assert question < html.index("Try each factor as an explanation")
    assert "Answer: Endpoint timing." in html  # in the speaker notes


def test_handout_as_pdf_through_chromium(tmp_path: Path) -> None:
    import shutil

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        import pytest

        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    target = tmp_path / "handout.pdf"
    target.write_bytes(b"an older handout")
    result = run_demo("chb-rct-end-of-therapy", "--handout", str(target))
    assert result.exit_code == 0, result.output
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 2  # the case, then the key
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]  # no temporary left
