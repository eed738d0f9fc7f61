"""Moodle GIFT question banks to and from the question model, following the semantics of Moodle's importer.

Texts become Markdown: ``[markdown]`` is kept, ``[html]`` is kept as inline HTML (sanitized when rendered),
``[plain]``, ``[moodle]`` and unmarked text (Moodle's default format) are escaped. Typed answers
(short answer, numbers) stay plain text because learners' input is compared with them. The writer always
marks the question text ``[markdown]``, so parse → write → parse is a fixed point.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from recosa_learn.quiz.model import Blank, Choice, I18n, NumericAnswer, Pair, Question, TextAnswer

FULL = 100.0
BLANK_KEY = "b1"
MOODLE_BLANK = "_____"  #: what Moodle puts where the answers were when text follows them
FORMATS = ("moodle", "html", "plain", "markdown")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
KEY_MAX = 64

# Escaped control characters are swapped for private-use characters while parsing, then put back.
_ESCAPABLE = "\\:#={}~"
_PROTECT = {c: chr(0xE000 + i) for i, c in enumerate(_ESCAPABLE)}
_UNPROTECT = {v: k for k, v in _PROTECT.items()}
_SPOT = "\uE0FF"  #: marks where the answer block was in the question text
_WEIGHT_RE = re.compile(r"%([^%]*)%")
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMAT_RE = re.compile(r"\[([a-z]+)\]")
_ENTITY_RE = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass
class GiftResult:
    """Parsed questions, and ``(line, message)`` for every question that could not be represented."""

    questions: list[Question] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


class GiftExportError(ValueError):
    """Some questions have no GIFT equivalent; ``problems`` lists ``(question key, message)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in problems))
        self.problems = problems


class _Problem(Exception):
    """A question that cannot be read or written; the message is shown to the author."""


# --- Markdown escaping ----------------------------------------------------------------------------------------

_INLINE_SPECIAL = set("\\`*_[]<|~")


def _escape_inline(text: str) -> str:
    out = []
    for i, c in enumerate(text):
        if c in _INLINE_SPECIAL or (c == "&" and _ENTITY_RE.match(text, i)):
            out.append("\\")
        out.append(c)
    return "".join(out)


def _escape_line(line: str, first: bool) -> str:
    rest = line.lstrip(" \t")
    indent = line[:len(line) - len(rest)]
    prefix = ""
    if rest and (rest[0] in "#>+-" or (rest[0] == "=" and not first)):
        prefix, rest = "\\" + rest[0], rest[1:]
    else:
        numbered = re.match(r"(\d{1,9})([.)])", rest)
        if numbered:
            prefix, rest = numbered.group(1) + "\\" + numbered.group(2), rest[numbered.end():]
    return indent + prefix + _escape_inline(rest)


def escape_markdown(text: str) -> str:
    """Plain text → Markdown showing exactly that text (only characters Markdown would act on are escaped)."""
    return "\n".join(_escape_line(line, i == 0) for i, line in enumerate(text.split("\n")))


def unescape_markdown(text: str) -> str:
    """The inverse of ``escape_markdown``: drop the backslash before any ASCII punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# --- reading --------------------------------------------------------------------------------------------------


def _protect(text: str) -> str:
    """Swap GIFT escapes (``\\~ \\= \\# \\{ \\} \\: \\\\``) for placeholders and ``\\n`` for a newline."""
    out, i = [], 0
    while i < len(text):
        c, nxt = text[i], text[i + 1:i + 2]
        if c == "\\" and nxt and nxt in _PROTECT:
            out.append(_PROTECT[nxt])
            i += 2
        elif c == "\\" and nxt == "n":
            out.append("\n")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _unprotect(text: str) -> str:
    return "".join(_UNPROTECT.get(c, c) for c in text)


def _split_format(text: str, default: str) -> tuple[str, str]:
    """``[format]text`` → (format, text); an unknown ``[word]`` is part of the text, as in Moodle."""
    text = text.strip()
    match = _FORMAT_RE.match(text)
    if match and match.group(1) in FORMATS:
        return match.group(1), text[match.end():]
    return default, text


def _markdown(raw: str, default: str) -> str:
    """A GIFT text (with an optional ``[format]``) as Markdown."""
    fmt, text = _split_format(raw, default)
    text = _unprotect(text).strip()
    return text if fmt in ("html", "markdown") else escape_markdown(text)


def _plain(raw: str, default: str) -> str:
    """A GIFT text that a learner's typed answer is compared with: no format, no Markdown."""
    return _unprotect(_split_format(raw, default)[1]).strip()


def _i18n(text: str, lang: str) -> I18n:
    return {lang: text} if text else {}


def _weight(answer: str, default: float) -> tuple[float, str]:
    """A leading ``%n%`` weight (percent, decimals and negatives allowed) and the rest of the answer."""
    match = _WEIGHT_RE.match(answer) if answer.startswith("%") else None
    if match is None:
        return default, answer
    if not _NUMBER_RE.fullmatch(match.group(1)):
        raise _Problem(f'invalid weight "%{_unprotect(match.group(1))}%"')
    weight = float(match.group(1))
    if not -FULL <= weight <= FULL:
        raise _Problem(f"weight {weight:g}% is outside -100..100")
    return weight, answer[match.end():]


def _split_answers(answer_text: str, marker: str) -> list[str]:
    """Moodle splits on the marker and drops an empty first piece."""
    parts = answer_text.split(marker)
    if parts and not parts[0].strip():
        parts.pop(0)
    return [p.strip() for p in parts]


def _feedback(answer: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return text, feedback


def _number(text: str) -> float:
    text = _unprotect(text).strip()
    if not _NUMBER_RE.fullmatch(text):
        raise _Problem(f'"{text}" is not a number')
    return float(text)


def _choices(answer_text: str, fmt: str, lang: str) -> list[Choice]:
    """Multiple-choice answers: ``=right``, ``~wrong``, ``~%n%partial``, each with an optional ``#feedback``."""
    choices = []
    for answer in _split_answers(answer_text.replace("=", "~="), "~"):
        if answer.startswith("="):
            weight, answer = FULL, answer[1:]
        else:
            weight, answer = _weight(answer, 0.0)
        text, feedback = _feedback(answer)
        text = _markdown(text, fmt)
        if not text:
            raise _Problem("an answer has no text")
        choices.append(Choice(key=_letter_key(len(choices)), text=_i18n(text, lang), weight=weight,
                              feedback=_i18n(_markdown(feedback, fmt), lang)))
    if len(choices) < 2:
        raise _Problem("a multiple-choice question needs at least 2 answers")
    return choices


def _letter_key(index: int) -> str:
    """a, b, … z, then aa, ab, …"""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("a") + rest) + key
    return key


def _text_answers(answer_text: str, fmt: str, lang: str) -> list[TextAnswer]:
    answers = []
    for answer in _split_answers(answer_text, "="):
        weight, answer = _weight(answer, FULL)
        text, feedback = _feedback(answer)
        text = _plain(text, fmt)
        if not text:
            raise _Problem("an answer has no text")
        answers.append(TextAnswer(text={lang: text}, weight=weight, feedback=_i18n(_markdown(feedback, fmt), lang)))
    if not answers:
        raise _Problem("a short-answer question needs at least one answer")
    if not any(a.weight == FULL for a in answers):
        raise _Problem("no correct answer (no answer is worth 100%)")
    return answers


def _numeric_answers(answer_text: str, fmt: str, lang: str) -> list[NumericAnswer]:
    """``#value``, ``#value:tolerance``, ``#min..max``, several ``=%n%…`` answers, then ``~#other feedback``."""
    body, tilde, wrong = answer_text[1:].partition("~")
    answers = []
    for answer in _split_answers(body, "="):
        weight, answer = _weight(answer, FULL)
        value, feedback = _feedback(answer)
        value = _plain(value, fmt)
        answers.append(_numeric(value, weight, _i18n(_markdown(feedback, fmt), lang)))
    if not answers:
        raise _Problem("a numerical question needs at least one number")
    if tilde:
        answers.append(NumericAnswer(weight=0.0, feedback=_i18n(_markdown(_feedback(wrong)[1], fmt), lang)))
    if not any(a.weight == FULL and (a.value is not None or a.min is not None) for a in answers):
        raise _Problem("no correct answer (no number or range is worth 100%)")
    return answers


def _numeric(value: str, weight: float, feedback: I18n) -> NumericAnswer:
    if value == "*":
        return NumericAnswer(weight=weight, feedback=feedback)
    if value.find("..") > 0:
        low, high = value.split("..", 1)
        answer = NumericAnswer(min=_number(low), max=_number(high), weight=weight, feedback=feedback)
        if answer.min > answer.max:
            raise _Problem(f'the range "{value}" starts above its end')
        return answer
    number, _, tolerance = value.partition(":") if value.find(":") > 0 else (value, "", "0")
    answer = NumericAnswer(value=_number(number), tolerance=_number(tolerance), weight=weight, feedback=feedback)
    if answer.tolerance < 0:
        raise _Problem(f'the tolerance in "{value}" is negative')
    return answer


def _pairs(answer_text: str, fmt: str, lang: str) -> list[Pair]:
    pairs = []
    for answer in _split_answers(answer_text, "="):
        prompt, arrow, right = answer.partition("->")
        if not arrow:
            raise _Problem(f'a matching answer has no "->": "{_unprotect(answer)}"')
        right = escape_markdown(_unprotect(right).strip())
        if not right:
            raise _Problem("a matching pair has nothing after its \"->\"")
        pairs.append(Pair(key=_letter_key(len(pairs)), prompt=_i18n(_markdown(prompt, fmt), lang),
                          answer={lang: right}))
    if sum(1 for p in pairs if p.prompt) < 2:
        raise _Problem("a matching question needs at least 2 pairs with a left side")
    return pairs


def _question_type(answer_text: str) -> str:
    """Moodle's rules, in its order: essay, numerical, multiple choice, matching, true/false, short answer."""
    if not answer_text:
        return "essay"
    if answer_text.startswith("#"):
        return "numerical"
    if "~" in answer_text:
        return "multichoice"
    if "=" in answer_text and "->" in answer_text:
        return "matching"
    head = answer_text.split("#", 1)[0].strip()
    return "truefalse" if head in TRUE_FALSE else "shortanswer"


def _answer_block(text: str) -> tuple[str, str, str]:
    """(text before, answers, text after) of the one ``{…}`` block."""
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        raise _Problem("no answers in braces {…}: a text without a question (Moodle \"description\") is not "
                       "supported")
    if finish < 0:
        raise _Problem('unclosed "{": the answers have no closing "}"')
    if start < 0 or finish < start:
        raise _Problem('"}" without an opening "{" (write \\} for a literal brace)')
    if "{" in text[start + 1:finish]:
        raise _Problem('"{" inside the answers (unclosed brace, or write \\{ for a literal brace)')
    after = text[finish + 1:]
    if "{" in after or "}" in after:
        raise _Problem("more than one block of answers in braces (write \\{ and \\} for literal braces)")
    return text[:start], text[start + 1:finish].strip(), after


def _read_question(text: str, lang: str) -> Question:
    """One GIFT question (comments removed) → ``Question`` with an empty key."""
    text = _protect(text.strip())
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise _Problem('the title has no closing "::"')
        title, text = _unprotect(text[2:end]).strip(), text[end + 2:].strip()
    before, answer_text, after = _answer_block(text)
    general = ""
    separator = answer_text.rfind("####")
    if separator >= 0:
        general, answer_text = answer_text[separator + 4:], answer_text[:separator].strip()
    kind = _question_type(answer_text)
    inline = after != ""
    fmt = _split_format(before + _SPOT + after, "moodle")[0]
    q = Question(key="", type="", text={}, title=title, general_feedback=_i18n(_markdown(general, fmt), lang))
    if kind == "multichoice" and "=" in answer_text:
        options = _choices(answer_text, fmt, lang)
        if not any(o.weight == FULL for o in options):
            raise _Problem('no correct answer (mark it with "=" or weight it %100%)')
        if inline:
            q.type, q.blanks = "fill_blanks", [Blank(key=BLANK_KEY, options=options)]
        else:
            q.type, q.options = "single_choice", options
    elif kind == "multichoice":
        q.type, q.options = "multiple_response", _choices(answer_text, fmt, lang)
        total = sum(o.weight for o in q.options if o.weight > 0)
        if total == 0:
            raise _Problem('no correct answer (mark it with "=", or weight the right answers with %n%)')
        if abs(total - FULL) > 0.01:
            raise _Problem(f"the positive weights add up to {total:g}%, not 100%")
    elif kind == "shortanswer":
        answers = _text_answers(answer_text, fmt, lang)
        if inline:
            q.type, q.blanks = "fill_blanks", [Blank(key=BLANK_KEY, answers=answers)]
        else:
            q.type, q.answers = "short_answer", answers
    elif kind == "numerical":
        q.type, q.numeric_answers = "numerical", _numeric_answers(answer_text, fmt, lang)
    elif kind == "matching":
        q.type, q.pairs = "matching", _pairs(answer_text, fmt, lang)
    elif kind == "truefalse":
        q.type = "true_false"
        parts = (answer_text.split("#", 2) + ["", ""])[:3]
        wrong, right = (_i18n(_markdown(p, fmt), lang) for p in parts[1:])
        q.answer = TRUE_FALSE[parts[0].strip()]
        q.feedback_true, q.feedback_false = (right, wrong) if q.answer else (wrong, right)
    else:
        q.type, q.points = "reflection", 0.0
    if not _markdown(before + after, "moodle"):
        raise _Problem("the question has no text")
    if q.type == "fill_blanks":
        marker = f"[[{BLANK_KEY}]]"
        question_text = _markdown(before + _SPOT + after, "moodle")
        if marker in question_text:
            raise _Problem(f"the text already contains {marker}, the marker of the blank")
        question_text = question_text.replace(_SPOT, marker)
    else:
        question_text = _markdown(before + (MOODLE_BLANK if inline else "") + after, "moodle")
    q.text = {lang: question_text}
    return q


def _blocks(text: str):
    """``(first line number, category or None, question lines)``: questions are separated by blank lines."""
    block: list[tuple[int, str]] = []
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not line.strip().startswith("//"):
                block.append((number, line))
            continue
        if not block:
            continue
        first_line, first = block[0]
        if first.strip().startswith("$CATEGORY:"):
            yield first_line, first.strip()[len("$CATEGORY:"):].strip(), []
            block = block[1:]
        if block:
            yield block[0][0], None, [line for _, line in block]
        block = []


def slugify(title: str) -> str:
    """A key from a title: lower-case ASCII letters, digits and dashes ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:KEY_MAX].strip("-")


def _unique_key(candidate: str, used: set[str]) -> str:
    key, n = candidate, 1
    while key in used:
        n += 1
        suffix = f"-{n}"
        key = candidate[:KEY_MAX - len(suffix)].rstrip("-") + suffix
    used.add(key)
    return key


def parse_gift(text: str, lang: str = "fr") -> GiftResult:
    """Read a GIFT file; every question that cannot be represented is reported by its first line."""
    result, used, category, position = GiftResult(), set(), "", 0
    for line, new_category, lines in _blocks(text):
        if new_category is not None:
            category = new_category
            continue
        position += 1
        try:
            question = _read_question("\n".join(lines), lang)
        except _Problem as problem:
            result.problems.append((line, str(problem)))
            continue
        question.key = _unique_key(slugify(question.title) or f"q{position}", used)
        question.category = category
        result.questions.append(question)
    return result


# --- writing --------------------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Text → GIFT: control characters escaped, newlines as ``\\n``."""
    out = []
    for c in text.replace("\r", ""):
        out.append("\\n" if c == "\n" else ("\\" + c if c in _ESCAPABLE else c))
    return "".join(out)


def _guarded(text: str) -> str:
    """Escaped text that does not start with something GIFT would read as a ``[format]``."""
    match = _FORMAT_RE.match(text.strip())
    return ("[markdown]" if match and match.group(1) in FORMATS else "") + _escape(text)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _text(text: I18n, lang: str, what: str) -> str:
    value = text.get(lang, "")
    if not value.strip():
        raise _Problem(f"{what} has no text in {lang}")
    return value


def _value(text: I18n, lang: str) -> str:
    """The text in ``lang``, or "" when it is missing or blank."""
    value = text.get(lang, "")
    return value if value.strip() else ""


def _with_feedback(line: str, feedback: I18n, lang: str) -> str:
    value = _value(feedback, lang)
    return line + ("#" + _guarded(value) if value else "")


def _general(q: Question, lang: str) -> list[str]:
    value = _value(q.general_feedback, lang)
    return ["####" + _guarded(value)] if value else []


def _choice_lines(options: list[Choice], lang: str, single: bool) -> list[str]:
    """``=`` marks a right answer of a single choice; a multiple response never uses ``=`` (Moodle's rule)."""
    lines = []
    all_full = all(o.weight == FULL for o in options)
    for i, option in enumerate(options):
        text = _text(option.text, lang, f'option "{option.key}"')
        if single and option.weight == FULL and not (all_full and i == len(options) - 1):
            marker = "="  # but one "~" must remain, or GIFT would not read a multiple choice
        elif option.weight == 0 and not text.startswith("%"):
            marker = "~"
        else:
            marker = f"~%{_number_text(option.weight)}%"
        lines.append(_with_feedback(marker + _guarded(text), option.feedback, lang))
    return lines


def _text_answer_lines(answers: list[TextAnswer], lang: str) -> list[str]:
    lines = []
    for answer in answers:
        text = _text(answer.text, lang, "an answer")
        if "->" in text:
            raise _Problem(f'the answer "{text}" contains "->", which GIFT would read as matching')
        weight = "" if answer.weight == FULL and not text.startswith("%") else f"%{_number_text(answer.weight)}%"
        lines.append(_with_feedback("=" + weight + _guarded(text), _no_arrow(answer.feedback), lang))
    return lines


def _no_arrow(text: I18n) -> I18n:
    """Markdown feedback with ``->`` written ``-\\>`` (same rendering), so GIFT does not take it for matching."""
    return {k: v.replace("->", "-\\>") for k, v in text.items()}


def _numeric_lines(answers: list[NumericAnswer], lang: str) -> list[str]:
    lines = []
    for i, answer in enumerate(answers):
        weight = "" if answer.weight == FULL else f"%{_number_text(answer.weight)}%"
        if answer.value is not None:
            value = _number_text(answer.value) + (f":{_number_text(answer.tolerance)}" if answer.tolerance else "")
        elif answer.min is not None and answer.max is not None:
            value = f"{_number_text(answer.min)}..{_number_text(answer.max)}"
        elif answer.min is None and answer.max is None:
            if answer.weight == 0 and i == len(answers) - 1:
                lines.append("~#" + _guarded(answer.feedback.get(lang, "")))
                continue
            value = "*"
        else:
            raise _Problem("a range needs both a minimum and a maximum")
        lines.append(_with_feedback("=" + weight + value, answer.feedback, lang))
    return lines


def _pair_lines(pairs: list[Pair], lang: str) -> list[str]:
    lines = []
    for pair in pairs:
        prompt = pair.prompt.get(lang, "").replace("->", "-\\>")
        answer = unescape_markdown(_text(pair.answer, lang, f'pair "{pair.key}"'))
        lines.append("=" + (_guarded(prompt) if prompt.strip() else "") + " -> " + _escape(answer))
    return lines


def _true_false(q: Question, lang: str) -> str:
    """``TRUE#feedback if wrong#feedback if right``: Moodle orders the feedbacks by rightness, not by value."""
    if q.answer is None:
        raise _Problem("a true/false question without its answer")
    right, wrong = (q.feedback_true, q.feedback_false) if q.answer else (q.feedback_false, q.feedback_true)
    right, wrong = _value(right, lang), _value(wrong, lang)
    return (("TRUE" if q.answer else "FALSE") + ("#" + _guarded(wrong) if wrong or right else "")
            + ("#" + _guarded(right) if right else ""))


def _fill_blank(q: Question, lang: str) -> tuple[str, list[str], str]:
    """(text before, answer lines, text after) of a one-blank fill-in question."""
    if len(q.blanks) != 1:
        raise _Problem("GIFT has room for one blank only")
    blank = q.blanks[0]
    text = _text(q.text, lang, "the question")
    marker = f"[[{blank.key}]]"
    if text.count(marker) != 1:
        raise _Problem(f"the {lang} text needs exactly one {marker}")
    before, _, after = text.partition(marker)
    if blank.options and blank.answers:
        raise _Problem("a blank is either typed or chosen, not both")
    lines = _choice_lines(blank.options, lang, True) if blank.options else _text_answer_lines(blank.answers, lang)
    return before, lines, after


def _write_question(q: Question, lang: str) -> str:
    head = f"::{_escape(q.title)}::" if q.title else ""
    after, layout = "", "lines"
    if q.type == "fill_blanks":
        before, lines, after = _fill_blank(q, lang)
    else:
        before = _text(q.text, lang, "the question")
    if q.type == "single_choice":
        lines = _choice_lines(q.options, lang, True)
    elif q.type == "multiple_response":
        lines = _choice_lines(q.options, lang, False)
    elif q.type == "short_answer":
        lines = _text_answer_lines(q.answers, lang)
    elif q.type == "numerical":
        lines = _numeric_lines(q.numeric_answers, lang)
    elif q.type == "matching":
        lines = _pair_lines(q.pairs, lang)
    elif q.type == "true_false":
        lines, layout = [_true_false(q, lang)], "inline"
    elif q.type == "reflection":
        lines, layout = [], "inline"
    elif q.type != "fill_blanks":
        raise _Problem(f"{q.type} questions have no GIFT equivalent")
    lines += _general(q, lang)
    if layout == "inline":
        block = "{" + "".join(lines) + "}"
    else:
        opener = "{#\n" if q.type == "numerical" else "{\n"
        block = opener + "".join(f"\t{line}\n" for line in lines) + "}"
    return f"{head}[markdown]{_escape(before)}{block}{_escape(after)}"


def write_gift(questions: list[Question], lang: str = "fr") -> str:
    """Questions → GIFT text in ``lang``; raises ``GiftExportError`` listing every question GIFT cannot hold."""
    chunks, problems, category = [], [], ""
    for q in questions:
        try:
            chunk = _write_question(q, lang)
        except _Problem as problem:
            problems.append((q.key, str(problem)))
            continue
        if q.category != category:
            chunks.append(f"$CATEGORY: {q.category}")
            category = q.category
        chunks.append(chunk)
    if problems:
        raise GiftExportError(problems)
    return "\n\n".join(chunks) + "\n"
