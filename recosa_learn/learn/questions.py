"""Questions as plain HTML forms: what each type shows, how a submitted form becomes a response, and feedback.

No JavaScript is needed for any type. Choices are sent as opaque position tokens ("1", "2" … in the order shown),
never as option keys, and orders are fixed by the attempt's seed; so nothing in a page tells which answer is
right before it is due, and a resumed attempt shows the same order. Texts come from ``Question.rendered`` (HTML
sanitized at import), in the learner's language with the fallback chain.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from flask_babel import gettext as _
from markupsafe import Markup

from ..quiz.model import Question
from ..quiz.scoring import Result, parse_number, score_question, shuffle_order
from .texts import Shown, pick, pick_html

MAX_TEXT = 500
MAX_REFLECTION = 5000
MAX_SCENARIO_STEPS = 60
BLANK = re.compile(r"\[\[([A-Za-z0-9_-]+)\]\]")


class AnswerError(ValueError):
    """A submitted answer that cannot be used; the message is translated and shown to the learner."""


def rendered_part(rendered: Any, *path: Any) -> dict:
    """``rendered[path…]`` or {} when a part is missing."""
    node = rendered
    for step in path:
        if isinstance(node, Mapping):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return {}
    return node if isinstance(node, Mapping) else {}


def html_text(rendered_i18n: Mapping, raw_i18n: Mapping, languages: list[str]) -> Shown:
    """Rendered HTML when the importer stored it, else the raw text escaped."""
    return pick_html(rendered_i18n, languages) if rendered_i18n else pick(raw_i18n, languages)


@dataclass
class Choice:
    token: str
    label: Shown
    key: str
    selected: bool = False


@dataclass
class Presented:
    """What a question page shows; the template switches on ``type``."""

    key: str
    type: str
    text: Shown
    choices: list[Choice] = field(default_factory=list)
    value: str = ""  #: text answers
    rows: list[dict] = field(default_factory=list)  #: matching prompts / ordering items
    blanks_html: Optional[Markup] = None
    scenario: Optional[dict] = None


# --- display orders (fixed by the attempt's seed) --------------------------------------------------------------

def option_order(q: Question, seed: int, shuffle: bool) -> list[str]:
    keys = [o.key for o in q.options]
    return shuffle_order(keys, f"{seed}:{q.key}") if shuffle else keys


def _matching_answers(q: Question, seed: int) -> list[str]:
    """One pair key per distinct answer text, always shuffled (the content lists them next to their prompts)."""
    distinct: dict[str, str] = {}
    for pair in q.pairs:
        distinct.setdefault(json.dumps(pair.answer, sort_keys=True), pair.key)
    return shuffle_order(list(distinct.values()), f"{seed}:{q.key}:answers")


def _prompts(q: Question) -> list:
    return [p for p in q.pairs if any((t or "").strip() for t in p.prompt.values())]


def ordering_order(q: Question, seed: int) -> list[str]:
    """Items in a shuffled order that is never the right one (the content lists them in the right order)."""
    keys = [item.key for item in q.items]
    shown = shuffle_order(keys, f"{seed}:{q.key}:items")
    if len(keys) > 1 and shown == keys:
        shown = shown[1:] + shown[:1]
    return shown


def blank_order(q: Question, blank_key: str, seed: int) -> list[str]:
    blank = next(b for b in q.blanks if b.key == blank_key)
    return shuffle_order([o.key for o in blank.options], f"{seed}:{q.key}:{blank_key}")


def _token(order: list[str], value: Any) -> Optional[str]:
    if not isinstance(value, str) or not value.isdigit():
        return None
    index = int(value) - 1
    return order[index] if 0 <= index < len(order) else None


# --- presenting ------------------------------------------------------------------------------------------------

def present(q: Question, rendered: Mapping, languages: list[str], seed: int, shuffle: bool,
            response: Any = None, scenario_path: Optional[list] = None) -> Presented:
    """The view of ``q`` for a question page, with the learner's saved ``response`` filled in."""
    text = html_text(rendered_part(rendered, "text"), q.text, languages)
    shown = Presented(key=q.key, type=q.type, text=text)
    if q.type in ("single_choice", "multiple_response"):
        chosen = set(response) if isinstance(response, list) else {response}
        options = {o.key: o for o in q.options}
        for i, key in enumerate(option_order(q, seed, shuffle), start=1):
            label = html_text(rendered_part(rendered, "options", key, "text"), options[key].text, languages)
            shown.choices.append(Choice(str(i), label, key, key in chosen))
    elif q.type == "true_false":
        shown.choices = [Choice("true", Shown(_("True"), languages[0], False), "true", response is True),
                         Choice("false", Shown(_("False"), languages[0], False), "false", response is False)]
    elif q.type in ("short_answer", "numerical", "reflection"):
        shown.value = response if isinstance(response, str) else ""
    elif q.type == "matching":
        answers = _matching_answers(q, seed)
        pairs = {p.key: p for p in q.pairs}
        labels = [Choice(str(i), html_text(rendered_part(rendered, "pairs", key, "answer"), pairs[key].answer,
                                           languages), key)
                  for i, key in enumerate(answers, start=1)]
        given = response if isinstance(response, Mapping) else {}
        for prompt in _prompts(q):
            chosen = given.get(prompt.key)
            chosen_text = json.dumps(pairs[chosen].answer, sort_keys=True) if chosen in pairs else None
            selected = next((c.token for c in labels
                             if json.dumps(pairs[c.key].answer, sort_keys=True) == chosen_text), "")
            shown.rows.append({"name": f"match-{prompt.key}", "selected": selected,
                               "label": html_text(rendered_part(rendered, "pairs", prompt.key, "prompt"),
                                                  prompt.prompt, languages)})
        shown.choices = labels
    elif q.type == "ordering":
        items = {item.key: item for item in q.items}
        ranks = {key: i for i, key in enumerate(response, start=1)} if isinstance(response, list) else {}
        for i, key in enumerate(ordering_order(q, seed), start=1):
            shown.rows.append({"name": f"rank-{i}", "selected": str(ranks.get(key, "")),
                               "label": html_text(rendered_part(rendered, "items", key, "text"), items[key].text,
                                                  languages)})
    elif q.type == "fill_blanks":
        shown.blanks_html = _blanks_html(q, rendered, languages, seed, response)
    elif q.type == "scenario":
        shown.scenario = scenario_state(q, rendered, languages, scenario_path or [])
    return shown


def _blanks_html(q: Question, rendered: Mapping, languages: list[str], seed: int, response: Any) -> Markup:
    """The blank text with each ``[[key]]`` replaced by a labelled text input or select, built server-side."""
    source = html_text(rendered_part(rendered, "text"), q.text, languages)
    html = str(Markup(source.__html__()))
    blanks = {b.key: b for b in q.blanks}
    given = response if isinstance(response, Mapping) else {}
    numbers = {key: i for i, key in enumerate(blanks, start=1)}

    def replace(match: re.Match) -> str:
        key = match.group(1)
        blank = blanks.get(key)
        if blank is None:
            return match.group(0)
        ident = f"blank-{key}"
        label = Markup('<label class="visually-hidden" for="{0}">{1}</label>').format(
            ident, _("Blank %(n)s", n=numbers[key]))
        if blank.options:
            options = {o.key: o for o in blank.options}
            parts = [Markup('<option value="">{0}</option>').format(_("Choose…"))]
            for i, okey in enumerate(blank_order(q, key, seed), start=1):
                text = html_text(rendered_part(rendered, "blanks", key, "options", okey, "text"),
                                 options[okey].text, languages)
                selected = Markup(" selected") if given.get(key) == okey else Markup("")
                parts.append(Markup('<option value="{0}"{1}>{2}</option>').format(str(i), selected,
                                                                                  Markup(text.__html__())))
            field_html = Markup('<select class="blank" name="{0}" id="{0}">{1}</select>').format(
                ident, Markup("").join(parts))
        else:
            value = given.get(key) if isinstance(given.get(key), str) else ""
            field_html = Markup('<input class="blank" type="text" name="{0}" id="{0}" value="{1}" size="12" '
                                'autocomplete="off" maxlength="{2}">').format(ident, value, MAX_TEXT)
        return str(label + field_html)

    return Markup(BLANK.sub(replace, html))


def scenario_state(q: Question, rendered: Mapping, languages: list[str], path: list) -> dict:
    """Where the learner is in a scenario: the current node, its choices (tokens), or the ending and debrief."""
    nodes = {n.key: n for n in q.nodes}
    node = nodes.get(q.start)
    last_choice = None
    for key in path:
        choice = next((c for c in node.choices if c.key == key), None) if node else None
        if choice is None or choice.next not in nodes:
            break
        last_choice = (node.key, choice)
        node = nodes[choice.next]
    if node is None:
        return {"node": None, "choices": [], "ended": True, "debrief": None, "last_feedback": None}
    choices = [Choice(str(i), html_text(rendered_part(rendered, "nodes", node.key, "choices", c.key, "text"),
                                        c.text, languages), c.key)
               for i, c in enumerate(node.choices, start=1)]
    last_feedback = None
    if last_choice and last_choice[1].feedback:
        last_feedback = html_text(rendered_part(rendered, "nodes", last_choice[0], "choices", last_choice[1].key,
                                                "feedback"), last_choice[1].feedback, languages)
    ended = not node.choices
    debrief = None
    if ended and node.debrief:
        debrief = html_text(rendered_part(rendered, "nodes", node.key, "debrief"), node.debrief, languages)
    return {"node": html_text(rendered_part(rendered, "nodes", node.key, "text"), node.text, languages),
            "node_key": node.key, "choices": choices, "ended": ended, "debrief": debrief,
            "last_feedback": last_feedback, "step": len(path) + 1}


def scenario_ended(q: Question, path: Any) -> bool:
    if not isinstance(path, list):
        return False
    nodes = {n.key: n for n in q.nodes}
    node = nodes.get(q.start)
    for key in path:
        choice = next((c for c in node.choices if c.key == key), None) if node else None
        if choice is None or choice.next not in nodes:
            return False
        node = nodes[choice.next]
    return node is not None and not node.choices


# --- parsing a submitted form ----------------------------------------------------------------------------------

def parse(q: Question, form: Mapping, seed: int, shuffle: bool, path: Optional[list] = None) -> Any:
    """The response a submitted question form gives. :raises AnswerError: when it is missing or malformed."""
    if q.type == "single_choice":
        key = _token(option_order(q, seed, shuffle), form.get("answer"))
        if key is None:
            raise AnswerError(_("Choose an answer."))
        return key
    if q.type == "multiple_response":
        order = option_order(q, seed, shuffle)
        tokens = form.getlist("answer") if hasattr(form, "getlist") else []
        keys = [_token(order, t) for t in tokens]
        if not keys:
            raise AnswerError(_("Choose at least one answer."))
        if any(k is None for k in keys):
            raise AnswerError(_("This answer is not one of the choices."))
        return sorted(set(keys), key=order.index)
    if q.type == "true_false":
        value = form.get("answer")
        if value not in ("true", "false"):
            raise AnswerError(_("Choose true or false."))
        return value == "true"
    if q.type in ("short_answer", "reflection"):
        text = (form.get("answer") or "").strip()
        limit = MAX_REFLECTION if q.type == "reflection" else MAX_TEXT
        if not text:
            raise AnswerError(_("Write an answer."))
        if len(text) > limit:
            raise AnswerError(_("Your answer is too long (at most %(n)s characters).", n=limit))
        return text
    if q.type == "numerical":
        text = (form.get("answer") or "").strip()
        if not text:
            raise AnswerError(_("Type a number."))
        if len(text) > 40 or parse_number(text) is None:
            raise AnswerError(_("Type a number, for example 12 or 3.5."))
        return text
    if q.type == "matching":
        answers = _matching_answers(q, seed)
        response = {}
        for prompt in _prompts(q):
            key = _token(answers, form.get(f"match-{prompt.key}"))
            if key is None:
                raise AnswerError(_("Choose an answer for each line."))
            response[prompt.key] = key
        return response
    if q.type == "ordering":
        shown = ordering_order(q, seed)
        ranks: dict[int, str] = {}
        for i, key in enumerate(shown, start=1):
            value = form.get(f"rank-{i}") or ""
            if not value.isdigit() or not 1 <= int(value) <= len(shown):
                raise AnswerError(_("Give each item a position."))
            if int(value) in ranks:
                raise AnswerError(_("Give each position to one item only."))
            ranks[int(value)] = key
        return [ranks[r] for r in sorted(ranks)]
    if q.type == "fill_blanks":
        response = {}
        for blank in q.blanks:
            value = form.get(f"blank-{blank.key}") or ""
            if blank.options:
                key = _token(blank_order(q, blank.key, seed), value)
                if key is None:
                    raise AnswerError(_("Fill in every blank."))
                response[blank.key] = key
            else:
                value = value.strip()
                if not value:
                    raise AnswerError(_("Fill in every blank."))
                if len(value) > MAX_TEXT:
                    raise AnswerError(_("Your answer is too long (at most %(n)s characters).", n=MAX_TEXT))
                response[blank.key] = value
        return response
    if q.type == "scenario":
        path = list(path or [])
        nodes = {n.key: n for n in q.nodes}
        node = nodes.get(q.start)
        for key in path:
            node = nodes.get(next((c.next for c in node.choices if c.key == key), None)) if node else None
        if node is None or not node.choices or len(path) >= MAX_SCENARIO_STEPS:
            raise AnswerError(_("This scenario has ended."))
        choice = _token([c.key for c in node.choices], form.get("choice"))
        if choice is None:
            raise AnswerError(_("Choose what you do."))
        return path + [choice]
    raise AnswerError(_("This question cannot be answered."))


# --- feedback and review ---------------------------------------------------------------------------------------

def _feedback_sources(q: Question, rendered: Mapping) -> dict[int, dict]:
    """Each feedback text of the model (by identity) → its rendered HTML."""
    found: dict[int, dict] = {
        id(q.general_feedback): rendered_part(rendered, "general_feedback"),
        id(q.feedback_true): rendered_part(rendered, "feedback_true"),
        id(q.feedback_false): rendered_part(rendered, "feedback_false"),
    }
    for o in q.options:
        found[id(o.feedback)] = rendered_part(rendered, "options", o.key, "feedback")
    for i, a in enumerate(q.answers if q.type == "short_answer" else q.numeric_answers):
        found[id(a.feedback)] = rendered_part(rendered, "answers", i, "feedback")
    for b in q.blanks:
        for o in b.options:
            found[id(o.feedback)] = rendered_part(rendered, "blanks", b.key, "options", o.key, "feedback")
        for i, a in enumerate(b.answers):
            found[id(a.feedback)] = rendered_part(rendered, "blanks", b.key, "answers", i, "feedback")
    for n in q.nodes:
        found[id(n.debrief)] = rendered_part(rendered, "nodes", n.key, "debrief")
        for c in n.choices:
            found[id(c.feedback)] = rendered_part(rendered, "nodes", n.key, "choices", c.key, "feedback")
    return found


@dataclass
class Marked:
    """A scored response with its feedback, for immediate feedback and the review page."""

    result: Result
    feedback: list[Shown]
    answer: list[Shown]


def mark(q: Question, rendered: Mapping, response: Any, languages: list[str]) -> Marked:
    result = score_question(q, response, languages[0])
    sources = _feedback_sources(q, rendered)
    feedback = [html_text(sources.get(id(f)) or {}, f, languages) for f in result.feedback]
    return Marked(result, [f for f in feedback if f.text], describe(q, rendered, response, languages))


def describe(q: Question, rendered: Mapping, response: Any, languages: list[str]) -> list[Shown]:
    """The learner's response in words (the review page)."""
    if response is None:
        return []
    plain = lambda text: Shown(str(text), languages[0], False)
    if q.type in ("single_choice", "multiple_response"):
        keys = response if isinstance(response, list) else [response]
        options = {o.key: o for o in q.options}
        return [html_text(rendered_part(rendered, "options", k, "text"), options[k].text, languages)
                for k in keys if k in options]
    if q.type == "true_false":
        return [plain(_("True") if response is True else _("False"))]
    if q.type in ("short_answer", "numerical", "reflection"):
        return [plain(response)]
    if q.type == "matching" and isinstance(response, Mapping):
        pairs = {p.key: p for p in q.pairs}
        return [plain(f"{pick(pairs[k].prompt, languages)} → {pick(pairs[v].answer, languages)}")
                for k, v in response.items() if k in pairs and v in pairs]
    if q.type == "ordering" and isinstance(response, list):
        items = {i.key: i for i in q.items}
        return [plain(f"{n}. {pick(items[k].text, languages)}") for n, k in enumerate(response, 1) if k in items]
    if q.type == "fill_blanks" and isinstance(response, Mapping):
        shown = []
        for blank in q.blanks:
            value = response.get(blank.key)
            if blank.options:
                option = next((o for o in blank.options if o.key == value), None)
                value = pick(option.text, languages).text if option else None
            if value is not None:
                shown.append(plain(value))
        return shown
    if q.type == "scenario" and isinstance(response, list):
        nodes = {n.key: n for n in q.nodes}
        node, shown = nodes.get(q.start), []
        for key in response:
            choice = next((c for c in node.choices if c.key == key), None) if node else None
            if choice is None:
                break
            shown.append(pick(choice.text, languages))
            node = nodes.get(choice.next)
        return shown
    return []


def is_complete(q: Question, response: Any) -> bool:
    """Whether a saved response counts as answered (a scenario only once its ending is reached)."""
    if response is None:
        return False
    if q.type == "scenario":
        return scenario_ended(q, response)
    return True
