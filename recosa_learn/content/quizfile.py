"""Reading and validating quizzes written in YAML (``<activity>.quiz.yaml``) into ``quiz.model`` objects."""
from __future__ import annotations

import re

from recosa_learn.quiz.model import (
    QUESTION_TYPES,
    Blank,
    Choice,
    NumericAnswer,
    OrderItem,
    Pair,
    Question,
    Quiz,
    QuizSettings,
    ScenarioChoice,
    ScenarioNode,
    TextAnswer,
)

from .fields import Reader, Source, check_unique
from .yamlsource import LineDict

BLANK_RE = re.compile(r"\[\[([^\[\]]*)\]\]")
FULL = 100.0
_EPSILON = 1e-6

QUIZ_FIELDS = ("pass_mark", "attempts", "shuffle", "feedback", "mastery", "questions")
COMMON_FIELDS = ("key", "type", "points", "text", "general_feedback")
TYPE_FIELDS = {
    "single_choice": ("options",),
    "multiple_response": ("options",),
    "true_false": ("answer", "feedback_true", "feedback_false"),
    "short_answer": ("answers", "case_sensitive", "ignore_accents", "normalize_whitespace"),
    "numerical": ("answers",),
    "matching": ("pairs",),
    "ordering": ("items", "grading"),
    "fill_blanks": ("blanks",),
    "scenario": ("start", "nodes"),
    "reflection": (),
}
SETTINGS_FIELDS = ("pass_mark", "attempts", "shuffle", "feedback", "mastery")


def read_quiz(src: Source, data) -> Quiz:
    """A quiz file's mapping → ``Quiz``; every problem goes to ``src``."""
    if not isinstance(data, LineDict):
        src.error(1, 'a quiz file must be a mapping with "questions" (see course_content/README.md)')
        return Quiz(settings=QuizSettings(), questions=[])
    reader = Reader(src, data, "the quiz", QUIZ_FIELDS)
    settings = read_settings(src, data, "the quiz")
    items = reader.items("questions", required=True, minimum=1)
    questions = [read_question(src, m) for m, _ in items]
    check_unique(src, [(m.get("key"), m.line) for m, _ in items], "question")
    return Quiz(settings=settings, questions=[q for q in questions if q is not None])


def read_settings(src: Source, data: LineDict, what: str) -> QuizSettings:
    """pass_mark, attempts, shuffle, feedback and mastery of a quiz (read leniently: unknown keys elsewhere)."""
    reader = Reader(src, data, what, tuple(data.keys()))  # unknown keys are reported by the caller
    settings = QuizSettings()
    settings.pass_mark = reader.number("pass_mark", None, 0, 100)
    settings.attempts = read_attempts(reader)
    settings.shuffle = reader.boolean("shuffle", False)
    settings.feedback = reader.string("feedback", False, ("immediate", "after_submit")) or "after_submit"
    mastery = reader.mapping("mastery")
    if mastery is not None:
        rule = Reader(src, mastery, f"the mastery rule of {what}", ("correct", "of_last"))
        correct = rule.integer("correct", None, 1, required=True)
        of_last = rule.integer("of_last", None, 1, required=True)
        if correct is not None and of_last is not None and correct > of_last:
            src.error(mastery.line, f'mastery rule of {what}: "correct" ({correct}) cannot exceed '
                                    f'"of_last" ({of_last})')
        elif correct is not None and of_last is not None:
            settings.mastery_correct, settings.mastery_of_last = correct, of_last
    return settings


def read_attempts(reader: Reader) -> int | None:
    """A whole number ≥ 1, or "unlimited" (None)."""
    value = reader.m.get("attempts")
    if value is None or value == "unlimited":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        reader.src.error(reader.line("attempts"),
                         f'"attempts" of {reader.what} must be a whole number ≥ 1 or "unlimited"')
        return None
    return value


def read_question(src: Source, m: LineDict) -> Question | None:
    """One question mapping → ``Question`` (None when its key or type is unusable)."""
    name = m.get("key")
    what = f'question "{name}"' if isinstance(name, str) else "a question"
    qtype = m.get("type")
    allowed = COMMON_FIELDS + TYPE_FIELDS.get(qtype, ())
    reader = Reader(src, m, what, allowed if qtype in TYPE_FIELDS else tuple(m.keys()))
    key = reader.key()
    qtype = reader.string("type", True, QUESTION_TYPES)
    if qtype is None:
        return None
    default_points = 0.0 if qtype == "reflection" else 1.0
    question = Question(key=key or "", type=qtype, text=reader.text("text"),
                        points=reader.number("points", default_points, 0, 1000),
                        general_feedback=reader.text("general_feedback", required=False))
    if qtype == "reflection" and question.points:
        src.error(reader.line("points"), f"{what}: a reflection is not scored, its points must be 0")
        question.points = 0.0
    _READERS[qtype](src, reader, question)
    return question if key else None


def _choices(src: Source, reader: Reader, field: str = "options", minimum: int = 2,
             multiple: bool = False) -> list[Choice]:
    """Options of a choice question or blank; ``correct: true`` is weight 100 (shared out when ``multiple``)."""
    choices, marked = [], []
    items = reader.items(field, required=True, minimum=minimum)
    for m, _ in items:
        option = Reader(src, m, f'an option of {reader.what}', ("key", "text", "weight", "correct", "feedback"))
        choice = Choice(key=option.key() or "", text=option.text("text"),
                        weight=option.number("weight", 0.0, -100, 100),
                        feedback=option.text("feedback", required=False))
        correct = option.boolean("correct", False)
        if correct and option.has("weight"):
            src.error(option.line("correct"), f'{option.what}: give either "correct: true" or a "weight", not both')
        elif correct:
            marked.append(choice)
            choice.weight = FULL
        choices.append(choice)
    if multiple and marked:
        if any(c.weight > 0 for c in choices if c not in marked):
            src.error(reader.line(field), f'{reader.what}: mix of "correct: true" and positive weights; '
                                          "use one or the other")
        for choice in marked:
            choice.weight = FULL / len(marked)
    check_unique(src, [(m.get("key"), m.line) for m, _ in items], "option")
    return choices


def _single_choice(src: Source, reader: Reader, q: Question) -> None:
    q.options = _choices(src, reader)
    if q.options and not any(abs(c.weight - FULL) < _EPSILON for c in q.options):
        src.error(reader.line("options"), f"{reader.what}: no correct answer (one option must be "
                                          '"correct: true" or have weight 100)')


def _multiple_response(src: Source, reader: Reader, q: Question) -> None:
    q.options = _choices(src, reader, multiple=True)
    total = sum(c.weight for c in q.options if c.weight > 0)
    if q.options and abs(total - FULL) > 0.01:
        src.error(reader.line("options"), f"{reader.what}: the positive weights add up to {total:g}, not 100")


def _true_false(src: Source, reader: Reader, q: Question) -> None:
    q.answer = reader.boolean("answer", None)
    if q.answer is None and "answer" not in reader.m:
        src.error(reader.line(), f'{reader.what}: no correct answer ("answer: true" or "answer: false")')
    q.feedback_true = reader.text("feedback_true", required=False)
    q.feedback_false = reader.text("feedback_false", required=False)


def _text_answers(src: Source, reader: Reader) -> list[TextAnswer]:
    """Typed answers; an answer is matched in any language, so it needs text in at least one."""
    answers = []
    for m, _ in reader.items("answers", required=True, minimum=1):
        item = Reader(src, m, f"an answer of {reader.what}", ("text", "weight", "feedback"))
        answers.append(TextAnswer(text=item.text("text", languages=()),
                                  weight=item.number("weight", FULL, -100, 100),
                                  feedback=item.text("feedback", required=False)))
    return answers


def _short_answer(src: Source, reader: Reader, q: Question) -> None:
    q.answers = _text_answers(src, reader)
    q.case_sensitive = reader.boolean("case_sensitive", False)
    q.ignore_accents = reader.boolean("ignore_accents", True)
    q.normalize_whitespace = reader.boolean("normalize_whitespace", True)
    if q.answers and not any(abs(a.weight - FULL) < _EPSILON for a in q.answers):
        src.error(reader.line("answers"), f"{reader.what}: no correct answer (no answer has weight 100)")


def _numerical(src: Source, reader: Reader, q: Question) -> None:
    for m, _ in reader.items("answers", required=True, minimum=1):
        item = Reader(src, m, f"an answer of {reader.what}",
                      ("value", "tolerance", "min", "max", "weight", "feedback"))
        answer = NumericAnswer(value=item.number("value"), tolerance=item.number("tolerance", 0.0, 0, None),
                               min=item.number("min"), max=item.number("max"),
                               weight=item.number("weight", FULL, -100, 100),
                               feedback=item.text("feedback", required=False))
        has_value, has_range = item.has("value"), item.has("min") or item.has("max")
        if has_value and has_range:
            src.error(m.line, f'{item.what}: give "value" (and "tolerance") or "min" and "max", not both')
        elif has_range and not (item.has("min") and item.has("max")):
            src.error(m.line, f'{item.what}: a range needs both "min" and "max"')
        elif item.has("tolerance") and not has_value:
            src.error(item.line("tolerance"), f'{item.what}: "tolerance" needs a "value"')
        elif answer.min is not None and answer.max is not None and answer.min > answer.max:
            src.error(m.line, f'{item.what}: "min" is greater than "max"')
        q.numeric_answers.append(answer)
    if q.numeric_answers and not any(abs(a.weight - FULL) < _EPSILON and (a.value is not None or a.min is not None)
                                     for a in q.numeric_answers):
        src.error(reader.line("answers"), f"{reader.what}: no correct answer (no number or range has weight 100)")


def _matching(src: Source, reader: Reader, q: Question) -> None:
    items = reader.items("pairs", required=True, minimum=2)
    for m, _ in items:
        pair = Reader(src, m, f"a pair of {reader.what}", ("key", "prompt", "answer"))
        prompt = pair.m.get("prompt")
        empty = prompt is None or prompt == "" or prompt == {}
        q.pairs.append(Pair(key=pair.key() or "", prompt={} if empty else pair.text("prompt"),
                            answer=pair.text("answer")))
    check_unique(src, [(m.get("key"), m.line) for m, _ in items], "pair")
    if items and sum(1 for p in q.pairs if p.prompt) < 2:
        src.error(reader.line("pairs"), f"{reader.what}: needs at least 2 pairs with a prompt")


def _ordering(src: Source, reader: Reader, q: Question) -> None:
    items = reader.items("items", required=True, minimum=2)
    for m, _ in items:
        item = Reader(src, m, f"an item of {reader.what}", ("key", "text"))
        q.items.append(OrderItem(key=item.key() or "", text=item.text("text")))
    check_unique(src, [(m.get("key"), m.line) for m, _ in items], "item")
    q.grading = reader.string("grading", False, ("absolute", "all_or_nothing")) or "absolute"


def _fill_blanks(src: Source, reader: Reader, q: Question) -> None:
    items = reader.items("blanks", required=True, minimum=1)
    for m, _ in items:
        item = Reader(src, m, f"a blank of {reader.what}", ("key", "answers", "options"))
        blank = Blank(key=item.key() or "")
        item.what = f'blank "{blank.key}" of {reader.what}'
        if item.has("answers") == item.has("options"):
            src.error(m.line, f'{item.what}: give either "answers" (typed) or "options" (to choose from)')
        elif item.has("answers"):
            blank.answers = _text_answers(src, item)
            if blank.answers and not any(abs(a.weight - FULL) < _EPSILON for a in blank.answers):
                src.error(item.line("answers"), f"{item.what}: no correct answer (no answer has weight 100)")
        else:
            blank.options = _choices(src, item)
            if blank.options and not any(abs(c.weight - FULL) < _EPSILON for c in blank.options):
                src.error(item.line("options"), f"{item.what}: no correct answer (no option has weight 100)")
        q.blanks.append(blank)
    check_unique(src, [(m.get("key"), m.line) for m, _ in items], "blank")
    keys = [b.key for b in q.blanks if b.key]
    for lang, text in q.text.items():
        markers = BLANK_RE.findall(text)
        for marker in markers:
            if marker not in keys:
                src.error(reader.line("text"), f'{reader.what}: the {lang} text has a marker [[{marker}]] '
                                               "that matches no blank")
        for key in keys:
            count = markers.count(key)
            if count != 1:
                where = "no" if count == 0 else f"{count}"
                src.error(reader.line("text"), f'{reader.what}: the {lang} text has {where} [[{key}]] marker'
                                               f"{'' if count == 0 else 's'} (exactly one expected)")


def _scenario(src: Source, reader: Reader, q: Question) -> None:
    q.start = reader.string("start")
    items = reader.items("nodes", required=True, minimum=2)
    next_lines: list[tuple[ScenarioChoice, int]] = []
    for m, _ in items:
        item = Reader(src, m, f"a node of {reader.what}", ("key", "text", "choices", "weight", "debrief"))
        node = ScenarioNode(key=item.key() or "", text=item.text("text"))
        item.what = f'node "{node.key}" of {reader.what}'
        choices = item.items("choices")
        if choices:
            if item.has("weight") or item.has("debrief"):
                src.error(m.line, f'{item.what}: a node with choices is not an ending; "weight" and "debrief" '
                                  "belong to endings")
            for cm, _ in choices:
                choice_reader = Reader(src, cm, f"a choice of {item.what}", ("key", "text", "next", "feedback"))
                choice = ScenarioChoice(key=choice_reader.key() or "", text=choice_reader.text("text"),
                                        next=choice_reader.string("next"),
                                        feedback=choice_reader.text("feedback", required=False))
                node.choices.append(choice)
                next_lines.append((choice, choice_reader.line("next")))
            check_unique(src, [(cm.get("key"), cm.line) for cm, _ in choices], "choice")
        else:
            node.weight = item.number("weight", 0.0, 0, 100)
            node.debrief = item.text("debrief", required=False)
        q.nodes.append(node)
    check_unique(src, [(m.get("key"), m.line) for m, _ in items], "node")
    nodes = {n.key: n for n in q.nodes if n.key}
    for choice, line in next_lines:
        if choice.next is not None and choice.next not in nodes:
            src.error(line, f'{reader.what}: choice "{choice.key}" leads to unknown node "{choice.next}"')
    if q.start is not None and q.start not in nodes:
        src.error(reader.line("start"), f'{reader.what}: "start" names unknown node "{q.start}"')
        return
    if q.start is None or not nodes:
        return
    _check_scenario_paths(src, reader, q, nodes)


def _check_scenario_paths(src: Source, reader: Reader, q: Question, nodes: dict) -> None:
    """Every node reachable from the start, every reachable node able to reach an ending, a 100% ending."""
    reachable, todo = set(), [q.start]
    while todo:
        key = todo.pop()
        if key in reachable or key not in nodes:
            continue
        reachable.add(key)
        todo.extend(c.next for c in nodes[key].choices if c.next)
    endings = {k for k, n in nodes.items() if not n.choices}
    can_end = set(endings)
    changed = True
    while changed:
        changed = False
        for key, node in nodes.items():
            if key not in can_end and any(c.next in can_end for c in node.choices):
                can_end.add(key)
                changed = True
    for key in nodes:
        if key not in reachable:
            src.error(reader.line("nodes"), f'{reader.what}: node "{key}" cannot be reached from the start')
        elif key not in can_end:
            src.error(reader.line("nodes"), f'{reader.what}: from node "{key}" no ending can be reached')
    if not any(nodes[k].weight >= FULL - _EPSILON for k in endings & reachable):
        src.error(reader.line("nodes"), f"{reader.what}: no reachable ending has weight 100")


def _reflection(src: Source, reader: Reader, q: Question) -> None:
    """A reflection has only a text."""


_READERS = {
    "single_choice": _single_choice,
    "multiple_response": _multiple_response,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "numerical": _numerical,
    "matching": _matching,
    "ordering": _ordering,
    "fill_blanks": _fill_blanks,
    "scenario": _scenario,
    "reflection": _reflection,
}
