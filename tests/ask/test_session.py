"""The interview session with a terminal's reader stood in for: review screen and 'edit'."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.ask.interviews import script_for
from thymoscope.cli.ask import Session
from thymoscope.cli.ask_file import AnswerFile
from thymoscope.cli.ask_terminal import Ask, Stop
from thymoscope.engine.questionnaire import Interview
from thymoscope.kb.questions import question_bank


@dataclass
class ScriptedTerminal:
    """Answers from a list, as a terminal would give them; records every prompt."""

    lines: list[str]
    interactive: bool = True
    asked: list[Ask] = field(default_factory=list)

    def read(self, ask: Ask) -> str:
        self.asked.append(ask)
        if not self.lines:
            raise Stop(130, "Ctrl-D")
        return self.lines.pop(0)


def _session(tmp_path: Path, lines: list[str]) -> tuple[Session, ScriptedTerminal]:
    reader = ScriptedTerminal(lines)
    session = Session(Interview(question_bank()), tmp_path / "s.yaml", [], AnswerFile(), reader)
    return session, reader


def test_review_screen_changes_an_answer_before_finishing(tmp_path: Path) -> None:
    script = script_for({"title": "First title", "id": "", "indication": "other"})
    session, reader = _session(tmp_path, [*script, "1", "Second title", ""])
    session.run()
    review = reader.asked[len(script)]
    assert review.prompt.startswith("Number to change")
    assert reader.asked[len(script) + 1].default == "First title"  # ready to edit
    assert reader.asked[-1].prompt.startswith("Number to change")  # reviewed again
    data = yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))
    assert data["title"] == "Second title"
    assert data["id"] == "first-title"


def test_edit_mid_interview_revises_an_earlier_answer_then_goes_on(tmp_path: Path) -> None:
    session, reader = _session(tmp_path, ["T", "", "sepsis", "edit", "3", "cancer"])
    with pytest.raises(Stop):
        session.run()
    assert session.interview.value("indication") == "cancer"
    assert [a.default for a in reader.asked if a.default] == ["sepsis"]
    # after the revision the interview goes on with the question where 'edit' was typed
    last = reader.asked[-1]
    assert last.prompt == "> " and "question 4 of about" in last.footer


def test_choices_offered_in_the_menu_follow_the_indication(tmp_path: Path) -> None:
    session, _ = _session(tmp_path, ["T", "", "chronic_hepatitis_b"])
    with pytest.raises(Stop):
        session.run()
    session.interview.answer("intervention.role", "adjuvant")
    question = session.interview.bank.question("intervention.combined_with")
    ask = session.present(question, question.field, 9, 20)
    values = [value for value, _ in ask.choices]
    assert "chemotherapy" not in values and "interferon" in values
    assert ask.multi and ask.footer.startswith("question 9 of about 20 still relevant")
