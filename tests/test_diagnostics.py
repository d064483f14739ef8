"""Every diagnostic code: a tiny broken story per code, its exact message and position.

Each folder under tests/fixtures/broken/ is a minimal story (story.yaml plus one or two
episode files) holding one mistake. The table below says what `hyosan check` must report
for it: the code, where (path, line, column of the offending thing) and the important
part of the message, plus the did-you-mean suggestion where one fits.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from engine.compiler.loader import check_story, load_story
from engine.diagnostics import CODES, Diagnostic, Diagnostics, Pos, StoryError, did_you_mean
from engine.tools.lint import weak_spot_warnings

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
EPISODE = "episodes/one.yaml"


class Case(NamedTuple):
    fixture: str
    code: str
    path: str
    line: int
    col: int
    message: str
    suggestion: str | None = None


# The first row of each code is its primary example: docs/diagnostics.md shows its output.
CASES = [
    Case("E001-yaml-syntax", "E001", EPISODE, 7, 6, "did not find expected ',' or '}'"),
    Case("E001-colon-in-unquoted-text", "E001", EPISODE, 4, 25,
         "mapping values are not allowed in this context"),
    Case("E002-missing-episode-file", "E002", "story.yaml", 11, 31, '"episodes/two.yaml" does not'),
    Case("E003-not-utf8", "E003", EPISODE, 4, 14, "byte 0xe9 is not valid UTF-8"),
    Case("E003-binary", "E003", EPISODE, 1, 1, "the file is binary"),
    Case("E004-too-large", "E004", EPISODE, 1, 1, "story files are limited to 16 MiB"),
    Case("E005-too-deep", "E005", EPISODE, 4, 73, "nested more than 64 levels deep"),
    Case("E006-empty-file", "E006", EPISODE, 1, 1, "the file is empty"),
    Case("E006-only-comments", "E006", EPISODE, 1, 1, "holds no YAML document"),
    Case("E007-scalar-tag", "E007", EPISODE, 4, 11, "unsupported YAML tag"),
    Case("E007-python-tag", "E007", EPISODE, 4, 11, "unsupported YAML tag"),
    Case("E010-unknown-key", "E010", EPISODE, 5, 5, 'unknown key "turning_piont" in node a',
         "turning_point"),
    Case("E010-unknown-effect", "E010", EPISODE, 8, 15, 'unknown effect "kil"', "kill"),
    Case("E010-comma-in-unquoted-text", "E010", EPISODE, 6, 30,
         'unknown key "then go" in a choice'),
    Case("E011-missing-field", "E011", EPISODE, 6, 9, 'a choice is missing "text"'),
    Case("E011-missing-text", "E011", EPISODE, 7, 3, 'node end is missing "text"'),
    Case("E012-wrong-type", "E012", EPISODE, 1, 10, "episode: must be a whole number, not a"),
    Case("E012-text-number", "E012", EPISODE, 4, 11, "text: must be a string or a list"),
    # `id: on` is true to YAML: the choice is refused, and the turning point naming "on"
    # is not blamed for it (no follow-on E050).
    Case("E012-unquoted-yaml-boolean", "E012", EPISODE, 7, 14,
         "id: must be a string, not true or false"),
    Case("E012-unquoted-false-condition", "E012", EPISODE, 7, 37,
         "if: must be a string, not true or false"),
    Case("E013-invalid-status", "E013", "story.yaml", 4, 32, 'status "biten" is not one of',
         "bitten"),
    Case("E020-duplicate-node-across-files", "E020", "episodes/two.yaml", 3, 3,
         'node "end" is already defined at episodes/one.yaml:7:3'),
    Case("E020-duplicate-choice-id", "E020", EPISODE, 7, 10,
         'choice "go" is already defined in node "a"'),
    Case("E021-duplicate-key", "E021", EPISODE, 5, 5, 'duplicate key "text" (first at line 4'),
    Case("E030-unknown-goto", "E030", EPISODE, 6, 35, 'goes to unknown node "edn"', "end"),
    Case("E030-unknown-start", "E030", "story.yaml", 2, 8, 'start names unknown node "b"'),
    Case("E031-unknown-character-in-condition", "E031", EPISODE, 8, 20,
         'unknown character "on-joo"', "on-jo"),
    Case("E031-unknown-character-in-effect", "E031", EPISODE, 8, 21,
         'unknown character "on-joo"', "on-jo"),
    Case("E031-canon-roster-unknown-character", "E031", "story.yaml", 14, 5,
         'canon roster names unknown character "on-joo"', "on-jo"),
    Case("E032-unknown-item-in-condition", "E032", EPISODE, 8, 18, 'unknown item "phnoe"', "phone"),
    Case("E032-unknown-item-in-effect", "E032", EPISODE, 8, 21, 'unknown item "phnoe"', "phone"),
    Case("E033-unknown-flag-in-condition", "E033", EPISODE, 8, 13,
         'unknown flag or counter "door_bared"', "door_barred"),
    Case("E033-unknown-flag-in-effect", "E033", EPISODE, 8, 20, 'unknown flag "door_bared"',
         "door_barred"),
    # A bare name in a condition may be a flag or a counter, so it is E033 either way.
    Case("E033-unknown-counter-in-condition", "E033", EPISODE, 8, 13,
         'unknown flag or counter "trsut"', "trust"),
    Case("E034-unknown-counter-in-effect", "E034", EPISODE, 8, 21, 'unknown counter "trsut"',
         "trust"),
    Case("E035-set-on-a-counter", "E035", EPISODE, 8, 20,
         '"trust" is a counter, not a flag: set: works on flags only'),
    # `if: has('phone') and and`: the column of the second `and`, counted from the YAML line.
    Case("E040-condition-syntax", "E040", EPISODE, 8, 30, "'and' needs something before it"),
    Case("E040-single-equals", "E040", EPISODE, 8, 19, "unexpected character '=' (use == to"),
    Case("E040-ampersands", "E040", EPISODE, 8, 27, "unexpected character '&' (use and, or"),
    Case("E040-unclosed-string", "E040", EPISODE, 8, 17, "this string is never closed"),
    Case("E040-unknown-function", "E040", EPISODE, 8, 13, 'unknown function "hass"', "has"),
    # The condition continues on the next line: the second `and` is at line 9.
    Case("E040-condition-over-two-lines", "E040", EPISODE, 9, 15, "'and' needs something"),
    Case("E041-condition-type", "E041", EPISODE, 8, 32, "'biten' is not a status", "bitten"),
    Case("E041-number-vs-status", "E041", EPISODE, 8, 19, "cannot compare a number with a status"),
    Case("E050-canon-choice-missing", "E050", EPISODE, 5, 55,
         'canon choice "got" is not a choice of this node', "go"),
    Case("E051-ending-with-choices", "E051", EPISODE, 7, 3, 'node "end" is an ending but has'),
    Case("E052-dead-end", "E052", EPISODE, 11, 3, 'node "limbo" has no choices and is not an'),
    Case("E053-every-choice-conditional", "E053", EPISODE, 3, 3,
         'every choice of node "a" has an if:, so the player is stuck'),
    Case("E054-episode-twice", "E054", "episodes/two.yaml", 1, 10,
         "episode 1 is already defined in episodes/one.yaml"),
    Case("E055-canon-roster", "E055", "story.yaml", 14, 16, '"zombi" is not a status', "zombie"),
    Case("E055-canon-ending", "E055", "story.yaml", 13, 11,
         'canon ending "rescued" is not the id of any ending'),
    Case("E056-branch-conflict", "E056", "branches/extra.yaml", 3, 3,
         'node "end" is already defined at episodes/one.yaml:7:3'),
    Case("E056-add-choices-unknown-node", "E056", "branches/extra.yaml", 3, 3,
         'add_choices names node "b", which does not exist'),
    Case("E060-canon-path-disagrees", "E060", "story.yaml", 11, 13,
         "the record has i-sak dead at the end of episode 1, but the canon path makes them "
         "healthy"),
    Case("E061-canon-choice-not-declared", "E061", EPISODE, 6, 10,
         'the record passes node "a", where 2 choices are offered (left, right) and none is '
         "marked as the record's"),
    Case("E057-loop-no-way-out", "E057", EPISODE, 11, 3,
         'node "wait" only leads back to itself: once play is here it can never reach'),
    Case("E058-no-ending-reachable", "E058", EPISODE, 3, 3,
         'no ending can be reached from the start node "a"'),
    Case("E062-resume-outside-interrupt", "E062", EPISODE, 7, 57,
         'choice "back" of node "a" goes to $resume, but the story has no on_turn node'),
    Case("E063-turned-outside-interrupt", "E063", EPISODE, 8, 15,
         '"separate: $turned" in node "a", which is not an on_turn node'),
    Case("E064-on-turn-never-fires", "E064", "story.yaml", 4, 33,
         'on-jo\'s on_turn "turned" can never fire: play goes there only when a bite\'s '
         "incubation runs out while they are with the group, and nothing bites on-jo "
         '(the scripted "turn: on-jo" at episodes/one.yaml:8:15'),
    Case("E064-story-on-turn-never-fires", "E064", "story.yaml", 12, 12,
         'on_turn "turned" can never fire: play goes there only when a bite\'s incubation '
         "runs out while the bitten character is with the group, and nothing in the story "
         "bites anyone"),
    Case("E064-on-turn-never-with-group", "E064", "story.yaml", 4, 51,
         "on-jo is never with the group (they start elsewhere and nothing rejoins them)"),
    Case("E065-canon-choice-never-offered", "E065", EPISODE, 7, 46,
         'turning point TP-1: its canon choice "call" is never offered on the canon path: '
         "when the canon path reaches node \"a\", its if: (has('phone')) does not hold"),
    Case("W101-unreachable-node", "W101", EPISODE, 10, 3, 'node "attic" cannot be reached'),
    Case("W102-ending-nothing-leads-to", "W102", EPISODE, 10, 3,
         'ending "secret" (secret): no choice leads to it'),
    Case("W103-write-only-flag", "W103", "story.yaml", 8, 3,
         'flag "door_barred" is set (a:bar) but no condition or text piece ever reads it'),
    Case("W104-write-only-counter", "W104", "story.yaml", 10, 3,
         'counter "trust" is changed (a:help) but no condition or text piece ever reads it'),
    Case("W105-long-single-option-chain", "W105", EPISODE, 3, 3,
         "6 nodes in a row offer a single choice (a > ... > f): more than 5"),
    Case("W106-bite-always-resolved-by-script", "W106", EPISODE, 6, 48,
         'the bite of "gyeong-su" at a:pull is always resolved by script'),
]  # fmt: skip

# Broken stories used elsewhere: this one shows three problems on purpose.
OTHER_FIXTURES = {"three-independent-errors": "tests/test_check_cli.py"}
# Too large to keep in the repository: the test pads this file past the 16 MiB limit.
GROWN = {"E004-too-large": (EPISODE, 17 * 1024 * 1024)}


def story_folder(fixture: str, tmp_path: Path) -> Path:
    """The folder to check for `fixture` (a padded copy for the too-large case)."""
    if fixture not in GROWN:
        return BROKEN / fixture
    copy = tmp_path / fixture
    shutil.copytree(BROKEN / fixture, copy)
    rel, size = GROWN[fixture]
    with (copy / rel).open("a", encoding="utf-8") as out:
        out.write("# " + "x" * size + "\n")
    return copy


def diagnose(fixture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    """Check the fixture from inside its folder, so paths read `episodes/one.yaml`."""
    monkeypatch.chdir(story_folder(fixture, tmp_path))
    story, diagnostics = check_story(".")
    if story is not None:  # what `hyosan check` adds: the weak-spot warnings
        diagnostics = [*diagnostics, *weak_spot_warnings(story)]
    return diagnostics


def primary_cases() -> dict[str, Case]:
    primary: dict[str, Case] = {}
    for case in CASES:
        primary.setdefault(case.code, case)
    return primary


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_broken_story_reports_code_message_and_position(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagnostics = diagnose(case.fixture, tmp_path, monkeypatch)
    found = [d for d in diagnostics if d.code == case.code]
    assert found, f"no {case.code} among: {[d.render() for d in diagnostics]}"
    diagnostic = found[0]
    assert diagnostic.pos == Pos(case.path, case.line, case.col), diagnostic.render()
    assert case.message in diagnostic.message
    expected = f'"{case.suggestion}"' if case.suggestion else None
    assert diagnostic.suggestion == expected


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_one_mistake_gives_one_diagnostic(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One cause, one report: a broken file must not also cause a cascade of follow-ups."""
    diagnostics = diagnose(case.fixture, tmp_path, monkeypatch)
    shown = "\n".join(d.render() for d in diagnostics)
    assert [d.code for d in diagnostics] == [case.code], shown


# Text YAML misreads because it is not quoted: the fix says to quote it, and how.
QUOTE_IT = {
    "E001-colon-in-unquoted-text": 'a ": " inside unquoted text starts a new key: put the '
    "whole text in quotes",
    "E010-comma-in-unquoted-text": 'if "then go" is part of the text before it, quote that '
    'text: text: "Wait, then go"',
    "E012-unquoted-yaml-boolean": 'quote it: id: "on" (unquoted, YAML reads on as a '
    "true-or-false value",
    "E012-unquoted-false-condition": 'quote it: if: "false"',
}


@pytest.mark.parametrize("fixture", list(QUOTE_IT))
def test_unquoted_text_misread_by_yaml_says_quote_it(
    fixture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [diagnostic] = diagnose(fixture, tmp_path, monkeypatch)
    assert QUOTE_IT[fixture] in diagnostic.fix_text


def test_an_unknown_key_on_its_own_line_gets_no_quote_hint(tmp_path: Path) -> None:
    story_dir = tmp_path / "story"
    shutil.copytree(BROKEN / "E010-unknown-key", story_dir)
    _story, diagnostics = check_story(story_dir)
    assert [d.fix_text for d in diagnostics] == [CODES["E010"].fix]


def test_every_code_has_a_failing_fixture() -> None:
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    tested = {case.code for case in CASES}
    for code in CODES:
        assert any(name.startswith(f"{code}-") for name in folders), f"{code} has no fixture"
        assert code in tested, f"{code} has a fixture but no row in CASES"


def test_every_broken_fixture_is_tested() -> None:
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == {case.fixture for case in CASES} | set(OTHER_FIXTURES)


def test_every_code_has_a_severity_summary_and_fix() -> None:
    for code, entry in CODES.items():
        assert re.fullmatch(r"[EW]\d{3}", code)
        assert entry.severity == ("error" if code.startswith("E") else "warning")
        assert entry.summary.strip() and entry.fix.strip()


def test_warnings_leave_the_story_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / "W101-unreachable-node")
    story, diagnostics = check_story(".")
    assert story is not None
    assert [d.severity for d in diagnostics] == ["warning"]


def test_load_story_raises_story_error_with_every_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / "three-independent-errors")
    with pytest.raises(StoryError) as raised:
        load_story(".")
    assert [d.code for d in raised.value.diagnostics] == ["E010", "E040", "E031"]
    assert str(raised.value) == 'episodes/one.yaml:5:5: error E010: unknown key "colour" in node a'


def test_diagnostic_renders_position_code_message_suggestion_and_fix() -> None:
    diagnostic = Diagnostic(Pos("ep.yaml", 3, 7), "E030", 'unknown node "tned"', '"tend"')
    assert diagnostic.render().splitlines() == [
        'ep.yaml:3:7: error E030: unknown node "tned"',
        '  did you mean "tend"?',
        f"  fix: {CODES['E030'].fix}",
    ]


def test_diagnostic_without_suggestion_has_no_did_you_mean_line() -> None:
    diagnostic = Diagnostic(Pos("ep.yaml", 1, 1), "W101", "unreachable", fix="link it")
    assert diagnostic.render().splitlines() == [
        "ep.yaml:1:1: warning W101: unreachable",
        "  fix: link it",
    ]


def test_the_same_problem_at_the_same_place_is_kept_once() -> None:
    diagnostics = Diagnostics()
    for _ in range(2):
        diagnostics.add(Pos("a.yaml", 2, 3), "E010", 'unknown key "x"')
    diagnostics.add(Pos("a.yaml", 2, 3), "E012", "wrong type")
    assert [d.code for d in diagnostics.items] == ["E010", "E012"]


def test_an_uncatalogued_code_is_an_internal_error() -> None:
    with pytest.raises(KeyError, match="internal error"):
        Diagnostics().add(Pos("a.yaml", 1, 1), "E999", "nothing")


def test_did_you_mean_quotes_the_closest_id_or_gives_none() -> None:
    assert did_you_mean("ep03.tned", ["ep03.tend", "ep03.booth"]) == '"ep03.tend"'
    assert did_you_mean("zzz", ["ep03.tend", "ep03.booth"]) is None


# --- docs/diagnostics.md must not drift from the catalogue --------------------------------


def documented_sections() -> dict[str, str]:
    """Code -> its section of docs/diagnostics.md (from its heading to the next one)."""
    text = DOCS.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    sections: dict[str, str] = {}
    for part in parts:
        match = re.match(r"([EW]\d{3})\b", part)
        if match:
            sections[match.group(1)] = part
    return sections


def test_every_code_is_a_heading_in_the_docs() -> None:
    assert set(documented_sections()) >= set(CODES)


def test_the_docs_name_no_code_the_catalogue_lacks() -> None:
    assert set(documented_sections()) <= set(CODES)


def test_each_docs_section_states_the_codes_severity() -> None:
    sections = documented_sections()
    for code, entry in CODES.items():
        assert f"**Severity:** {entry.severity}" in sections.get(code, ""), code


@pytest.mark.parametrize("code", list(CODES))
def test_the_docs_show_what_check_prints(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output quoted in the docs is what the code's primary fixture really prints."""
    case = primary_cases()[code]
    rendered = [d.render() for d in diagnose(case.fixture, tmp_path, monkeypatch)]
    ours = [r for r in rendered if f" {code}: " in r.splitlines()[0]]
    assert ours, f"{case.fixture} prints no {code}"
    assert ours[0] in documented_sections().get(code, ""), ours[0]


def test_a_branch_of_only_add_choices_adds_them(tmp_path: Path) -> None:
    story_dir = tmp_path / "story"
    shutil.copytree(BROKEN / "W101-unreachable-node", story_dir)
    (story_dir / "branches").mkdir()
    (story_dir / "branches" / "up.yaml").write_text(
        "branch: up\nadd_choices:\n  a:\n    - {id: up, text: Climb., goto: attic}\n",
        encoding="utf-8",
    )
    story, diagnostics = check_story(story_dir)
    assert story is not None
    assert [c.id for c in story.nodes["a"].choices] == ["go", "up"]
    assert diagnostics == []  # the attic is reachable now
