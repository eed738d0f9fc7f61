"""Scoring engine: every question type, malformed responses, quiz totals, shuffling, mastery, answer keys."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recosa_learn.quiz.model import (Blank, Choice, NumericAnswer, OrderItem, Pair, Question, ScenarioChoice,
                                     ScenarioNode, TextAnswer)
from recosa_learn.quiz.scoring import (Result, correct_response, mastery_reached, normalize_text, parse_number,
                                       score_question, score_quiz, shuffle_order, text_matches)


def t(text: str) -> dict[str, str]:
    return {"fr": text}


def single() -> Question:
    return Question(key="q", type="single_choice", text=t("Capitale du Mali ?"), points=2,
                    general_feedback=t("Bamako est sur le Niger."),
                    options=[Choice("a", t("Bamako"), 100, t("Oui")), Choice("b", t("Mopti"), 50, t("Presque")),
                             Choice("c", t("Dakar"), -50, t("Non"))])


def multi() -> Question:
    return Question(key="m", type="multiple_response", text=t("Pays de la CEDEAO ?"),
                    options=[Choice("a", t("Sénégal"), 50, t("Oui")), Choice("b", t("Mali"), 50),
                             Choice("c", t("Maroc"), -100, t("Non")), Choice("d", t("Tchad"), 0)])


def short(**flags) -> Question:
    return Question(key="s", type="short_answer", text=t("Capitale ?"),
                    answers=[TextAnswer({"fr": "Côte d'Ivoire", "en": "Ivory Coast"}, 100, t("Bravo")),
                             TextAnswer(t("Abidj*"), 50, t("Ancienne capitale")),
                             TextAnswer(t("*"), 0, t("Non"))], **flags)


def numerical() -> Question:
    return Question(key="n", type="numerical", text=t("Combien ?"),
                    numeric_answers=[NumericAnswer(value=3.5, tolerance=0.1, feedback=t("Exact")),
                                     NumericAnswer(min=1, max=10, weight=50, feedback=t("Dans l'intervalle")),
                                     NumericAnswer(weight=0, feedback=t("Non"))])


def matching() -> Question:
    return Question(key="p", type="matching", text=t("Associez"),
                    pairs=[Pair("a", t("Sénégal"), t("Dakar")), Pair("b", t("Mali"), t("Bamako")),
                           Pair("c", t("Maroc"), t("Rabat")), Pair("d", {}, t("Lagos"))])


def ordering(grading: str = "absolute") -> Question:
    return Question(key="o", type="ordering", text=t("Ordonnez"), grading=grading,
                    items=[OrderItem("a", t("1")), OrderItem("b", t("2")), OrderItem("c", t("3")),
                           OrderItem("d", t("4"))])


def blanks() -> Question:
    return Question(key="f", type="fill_blanks", text=t("[[b1]] est au [[b2]]."),
                    blanks=[Blank("b1", answers=[TextAnswer(t("Dakar"), 100, t("Oui"))]),
                            Blank("b2", options=[Choice("x", t("Sénégal"), 100, t("Bien")),
                                                 Choice("y", t("Mali"), 0)])])


def scenario() -> Question:
    return Question(key="sc", type="scenario", text=t("Un ami part"), start="n1",
                    nodes=[ScenarioNode("n1", t("Que fais-tu ?"), [
                        ScenarioChoice("c1", t("Je l'informe"), "n2", t("Bonne idée")),
                        ScenarioChoice("c2", t("Rien"), "bad", t("Dommage"))]),
                        ScenarioNode("n2", t("Il hésite"), [ScenarioChoice("c3", t("Centre"), "good"),
                                                            ScenarioChoice("c4", t("Passeur"), "bad")]),
                        ScenarioNode("good", t("Fin"), weight=100, debrief=t("Très bien")),
                        ScenarioNode("bad", t("Fin"), weight=20, debrief=t("Risqué"))])


# --- single choice, multiple response, true/false -------------------------------------------------------------

def test_single_choice_scores_the_chosen_weight_and_shows_its_feedback():
    result = score_question(single(), "b")
    assert (result.fraction, result.earned, result.max_points, result.is_correct, result.graded) == (
        0.5, 1.0, 2.0, False, True)
    assert result.feedback == [t("Presque"), t("Bamako est sur le Niger.")]
    assert score_question(single(), "a").is_correct is True
    assert score_question(single(), "a").earned == 2.0


def test_single_choice_negative_weight_floors_at_zero():
    result = score_question(single(), "c")
    assert result.fraction == 0.0 and result.earned == 0.0 and result.feedback[0] == t("Non")


def test_result_is_frozen():
    with pytest.raises(AttributeError):
        score_question(single(), "a").fraction = 0.5  # type: ignore[misc]


def test_multiple_response_sums_weights_floors_and_caps():
    q = multi()
    assert score_question(q, ["a", "b"]).fraction == 1.0
    assert score_question(q, {"a"}).fraction == 0.5
    assert score_question(q, ["a", "c"]).fraction == 0.0
    assert score_question(q, ["a", "b", "d"]).fraction == 1.0
    assert score_question(q, ["a", "a"]).fraction == 0.5
    assert score_question(q, []).fraction == 0.0
    assert score_question(q, ["a", "c"]).feedback == [t("Oui"), t("Non")]
    over = Question(key="o", type="multiple_response", text=t("?"),
                    options=[Choice("a", t("x"), 80), Choice("b", t("y"), 80)])
    assert score_question(over, ["a", "b"]).fraction == 1.0


def test_multiple_response_thirds_count_as_full_marks():
    q = Question(key="m", type="multiple_response", text=t("?"),
                 options=[Choice(k, t(k), 33.33333) for k in "abc"] + [Choice("d", t("d"), 0)])
    result = score_question(q, ["a", "b", "c"])
    assert result.fraction == 1.0 and result.is_correct


def test_true_false_and_its_two_feedbacks():
    q = Question(key="tf", type="true_false", text=t("Vrai ?"), answer=False,
                 feedback_true=t("Non, c'est faux"), feedback_false=t("Exact"))
    assert score_question(q, False).fraction == 1.0
    assert score_question(q, False).feedback == [t("Exact")]
    assert score_question(q, True).fraction == 0.0
    assert score_question(q, True).feedback == [t("Non, c'est faux")]
    assert score_question(q, "false").fraction == 0.0
    assert score_question(q, 0).fraction == 0.0


# --- short answer ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, fraction", [
    ("Côte d'Ivoire", 1.0), ("cote d'ivoire", 1.0), ("  CÔTE   d'IVOIRE ", 1.0), ("Ivory coast", 1.0),
    ("Abidjan", 0.5), ("abidjan-ville", 0.5), ("Yamoussoukro", 0.0), ("", 0.0)])
def test_short_answer_defaults_ignore_case_accents_and_spaces(typed, fraction):
    assert score_question(short(), typed).fraction == fraction


def test_short_answer_shows_the_best_matching_answer_feedback():
    assert score_question(short(), "Abidjan").feedback == [t("Ancienne capitale")]
    assert score_question(short(), "Bouaké").feedback == [t("Non")]


def test_short_answer_flags_are_respected():
    strict = short(case_sensitive=True, ignore_accents=False, normalize_whitespace=False)
    assert score_question(strict, "Côte d'Ivoire").fraction == 1.0
    assert score_question(strict, "côte d'Ivoire").fraction == 0.0
    assert score_question(strict, "Cote d'Ivoire").fraction == 0.0
    assert score_question(strict, "Côte  d'Ivoire").fraction == 0.0
    assert score_question(strict, "abidjan").fraction == 0.0


def test_short_answer_matches_composed_and_decomposed_accents_alike():
    q = Question(key="s", type="short_answer", text=t("?"), answers=[TextAnswer(t("Sénégal"))],
                 ignore_accents=False)
    assert score_question(q, "Se\u0301ne\u0301gal").fraction == 1.0


def test_arabic_diacritics_are_ignored_when_asked():
    q = Question(key="s", type="short_answer", text={"ar": "؟"}, answers=[TextAnswer({"ar": "هِجْرَة"})])
    assert score_question(q, "هجرة", lang="ar").fraction == 1.0
    assert score_question(q, "هـجـرة", lang="ar").fraction == 1.0
    strict = Question(key="s", type="short_answer", text={"ar": "؟"}, answers=[TextAnswer({"ar": "هِجْرَة"})],
                      ignore_accents=False)
    assert score_question(strict, "هجرة", lang="ar").fraction == 0.0
    assert score_question(strict, "هِجْرَة", lang="ar").fraction == 1.0


def test_normalize_text_and_wildcards():
    assert normalize_text("  Élève\tÂGÉ ") == "eleve age"
    assert text_matches("Nazareth", "naz*th")
    assert text_matches("a.b", "a.b") and not text_matches("axb", "a.b")
    assert text_matches("anything at all", "*")
    assert not text_matches("Bamako", "Bam")


# --- numerical ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("response, fraction", [
    ("3.5", 1.0), ("3,5", 1.0), (3.45, 1.0), ("3.6", 1.0), ("3.61", 0.5), (7, 0.5), ("10", 0.5), ("11", 0.0),
    ("-4", 0.0), ("abc", 0.0), ("", 0.0), (None, 0.0), (True, 0.0), ("nan", 0.0), ("inf", 0.0), ("1,2,3", 0.0)])
def test_numerical(response, fraction):
    assert score_question(numerical(), response).fraction == fraction


def test_numerical_feedback_comes_from_the_best_answer_and_catch_all():
    assert score_question(numerical(), "3,5").feedback == [t("Exact")]
    assert score_question(numerical(), "5").feedback == [t("Dans l'intervalle")]
    assert score_question(numerical(), "50").feedback == [t("Non")]
    assert score_question(numerical(), "pas un nombre").feedback == []


def test_parse_number():
    assert parse_number("1 822") == 1822.0
    assert parse_number("1\u202f822,5") == 1822.5
    assert parse_number("-0.5") == -0.5
    assert parse_number("1e3") == 1000.0
    assert parse_number("1.2.3") is None and parse_number([1]) is None and parse_number(float("nan")) is None


# --- matching, ordering, fill in the blanks, scenario ---------------------------------------------------------

def test_matching_is_the_share_of_prompts_matched():
    q = matching()
    assert score_question(q, {"a": "a", "b": "b", "c": "c"}).fraction == 1.0
    assert score_question(q, {"a": "a", "b": "c", "c": "b"}).fraction == round(1 / 3, 6)
    assert score_question(q, {"a": "d"}).fraction == 0.0
    assert score_question(q, {"a": "a"}).fraction == round(1 / 3, 6)
    assert score_question(q, {"a": "a", "d": "d"}).fraction == 0.0
    assert score_question(q, {"a": "zzz"}).fraction == 0.0


def test_matching_accepts_a_pair_with_the_same_answer_text():
    q = Question(key="p", type="matching", text=t("?"),
                 pairs=[Pair("a", t("Thiès"), t("Sénégal")), Pair("b", t("Kaolack"), t("Sénégal"))])
    assert score_question(q, {"a": "b", "b": "a"}).fraction == 1.0


def test_ordering_absolute_and_all_or_nothing():
    assert score_question(ordering(), ["a", "b", "c", "d"]).fraction == 1.0
    assert score_question(ordering(), ["a", "b", "d", "c"]).fraction == 0.5
    assert score_question(ordering("all_or_nothing"), ["a", "b", "d", "c"]).fraction == 0.0
    assert score_question(ordering("all_or_nothing"), ("a", "b", "c", "d")).fraction == 1.0
    assert score_question(ordering(), ["a", "b", "c"]).fraction == 0.0
    assert score_question(ordering(), ["a", "a", "c", "d"]).fraction == 0.0
    assert score_question(ordering(), ["a", "b", "c", "x"]).fraction == 0.0
    assert score_question(ordering(), "abcd").fraction == 0.0


def test_fill_blanks_is_the_mean_of_the_blanks():
    q = blanks()
    assert score_question(q, {"b1": "dakar", "b2": "x"}).fraction == 1.0
    assert score_question(q, {"b1": "dakar", "b2": "x"}).feedback == [t("Oui"), t("Bien")]
    assert score_question(q, {"b1": "Thiès", "b2": "x"}).fraction == 0.5
    assert score_question(q, {"b2": "x"}).fraction == 0.5
    assert score_question(q, {"b1": "Dakar", "b2": "Sénégal"}).fraction == 0.5
    assert score_question(q, {"b1": "Dakar", "b3": "x"}).fraction == 0.0


def test_scenario_scores_the_ending_reached():
    q = scenario()
    result = score_question(q, ["c1", "c3"])
    assert result.fraction == 1.0 and result.feedback == [t("Bonne idée"), t("Très bien")]
    assert score_question(q, ["c2"]).fraction == 0.2
    assert score_question(q, ["c1", "c4"]).fraction == 0.2
    assert score_question(q, ["c1"]).fraction == 0.0
    assert score_question(q, ["c3"]).fraction == 0.0
    assert score_question(q, ["c1", "c3", "c3"]).fraction == 0.0
    assert score_question(q, []).fraction == 0.0


def test_reflection_is_not_graded():
    q = Question(key="r", type="reflection", text=t("Qu'en pensez-vous ?"), points=0,
                 general_feedback=t("Merci"))
    result = score_question(q, "Je pense que…")
    assert (result.graded, result.is_correct, result.fraction, result.max_points) == (False, None, 0.0, 0.0)
    assert result.feedback == [t("Merci")]


# --- quiz, shuffling, mastery ---------------------------------------------------------------------------------

def test_score_quiz_counts_graded_points_only():
    reflection = Question(key="r", type="reflection", text=t("?"), points=0)
    result = score_quiz([single(), multi(), reflection], {"q": "b", "m": ["a", "b"], "r": "texte"}, 60)
    assert (result.earned, result.max_points) == (2.0, 3.0)
    assert result.percent == pytest.approx(66.6667)
    assert result.passed and not score_quiz([single(), multi()], {"q": "b"}, 70).passed
    assert set(result.results) == {"q", "m", "r"}
    assert score_quiz([reflection], {}, 70).percent == 100.0
    assert score_quiz([single()], "garbage", 70).earned == 0.0  # type: ignore[arg-type]
    assert score_quiz([single()], {"q": "a"}, 100).passed


def test_shuffle_order_is_deterministic_per_seed():
    keys = [f"k{i}" for i in range(20)]
    assert shuffle_order(keys, 42) == shuffle_order(keys, 42)
    assert sorted(shuffle_order(keys, 42)) == sorted(keys)
    assert shuffle_order(keys, 42) != shuffle_order(keys, 43)
    assert shuffle_order(keys, "attempt-7") == shuffle_order(list(keys), "attempt-7")
    assert keys == [f"k{i}" for i in range(20)]


def test_mastery_reached():
    assert mastery_reached([True, True, True], 3, 4)
    assert mastery_reached([False, True, False, True, True, True], 3, 4)
    assert not mastery_reached([True, True, False, False, True], 3, 4)
    assert not mastery_reached([], 3, 4)
    assert not mastery_reached([True, True], 3, 4)


def test_correct_response_examples():
    assert correct_response(single()) == "a"
    assert sorted(correct_response(multi())) == ["a", "b"]
    assert correct_response(short()) == "Côte d'Ivoire"
    assert correct_response(numerical()) == 3.5
    assert correct_response(matching()) == {"a": "a", "b": "b", "c": "c"}
    assert correct_response(ordering()) == ["a", "b", "c", "d"]
    assert correct_response(blanks()) == {"b1": "Dakar", "b2": "x"}
    assert correct_response(scenario()) == ["c1", "c3"]


# --- properties -----------------------------------------------------------------------------------------------

KEYS = "abcdefgh"
weights = st.sampled_from([-100.0, -50.0, -33.33333, 0.0, 0.0, 10.0, 25.0, 50.0, 75.0])
texts = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
feedback = st.one_of(st.just({}), st.builds(t, texts))


@st.composite
def choice_options(draw, positive_total: bool):
    n = draw(st.integers(2, 6))
    options = [Choice(KEYS[i], t(draw(texts)), draw(weights), draw(feedback)) for i in range(n)]
    if positive_total:
        for o in options:
            o.weight = min(o.weight, 0.0)
        right = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        for i in right:
            options[i].weight = 100.0 / len(right)
    else:
        options[draw(st.integers(0, n - 1))].weight = 100.0
    return options


@st.composite
def text_answers(draw):
    answers = draw(st.lists(st.builds(TextAnswer, st.builds(t, texts), weights, feedback), min_size=0, max_size=3))
    answers.insert(draw(st.integers(0, len(answers))), TextAnswer(t(draw(texts)), 100.0, draw(feedback)))
    return answers


@st.composite
def numeric_answers(draw):
    finite = st.floats(-1e6, 1e6, allow_nan=False)
    value = draw(finite)
    if draw(st.booleans()):
        right = NumericAnswer(value=value, tolerance=draw(st.floats(0, 100)))
    else:
        right = NumericAnswer(min=value, max=value + draw(st.floats(0, 100)))
    others = draw(st.lists(st.builds(NumericAnswer, value=finite, tolerance=st.floats(0, 10), weight=weights),
                           max_size=2))
    return others + [right, NumericAnswer(weight=0.0)]


@st.composite
def scenarios(draw):
    depth = draw(st.integers(1, 4))
    nodes = []
    for i in range(depth):
        nodes.append(ScenarioNode(f"n{i}", t("?"), [
            ScenarioChoice("go", t("go"), f"n{i + 1}" if i + 1 < depth else "win"),
            ScenarioChoice("stop", t("stop"), "lose")]))
    nodes += [ScenarioNode("win", t("!"), weight=100.0), ScenarioNode("lose", t("!"), weight=draw(weights) % 100)]
    return Question(key="sc", type="scenario", text=t("?"), start="n0", nodes=nodes)


@st.composite
def questions(draw):
    kind = draw(st.sampled_from(["single_choice", "multiple_response", "true_false", "short_answer", "numerical",
                                 "matching", "ordering", "fill_blanks", "scenario", "reflection"]))
    q = Question(key="q", type=kind, text=t("?"), points=draw(st.sampled_from([0.5, 1.0, 3.0])))
    q.case_sensitive, q.ignore_accents, q.normalize_whitespace = draw(st.tuples(st.booleans(), st.booleans(),
                                                                                st.booleans()))
    if kind == "single_choice":
        q.options = draw(choice_options(False))
    elif kind == "multiple_response":
        q.options = draw(choice_options(True))
    elif kind == "true_false":
        q.answer = draw(st.booleans())
    elif kind == "short_answer":
        q.answers = draw(text_answers())
    elif kind == "numerical":
        q.numeric_answers = draw(numeric_answers())
    elif kind == "matching":
        n = draw(st.integers(2, 5))
        q.pairs = [Pair(KEYS[i], t(draw(texts)), t(draw(texts))) for i in range(n)] + [Pair("z", {}, t("x"))]
    elif kind == "ordering":
        q.items = [OrderItem(KEYS[i], t(KEYS[i])) for i in range(draw(st.integers(2, 6)))]
        q.grading = draw(st.sampled_from(["absolute", "all_or_nothing"]))
    elif kind == "fill_blanks":
        q.blanks = [Blank(f"b{i}", answers=draw(text_answers())) if draw(st.booleans())
                    else Blank(f"b{i}", options=draw(choice_options(False))) for i in range(draw(st.integers(1, 3)))]
    elif kind == "scenario":
        q = draw(scenarios())
    else:
        q.points = 0.0
    return q


junk = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
                    | st.sampled_from(list(KEYS) + ["b1", "go", "stop", "z"]),
                    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=3) | st.sampled_from(
                        list(KEYS) + ["b0", "b1"]), inner, max_size=4) | st.frozensets(st.text(max_size=2)),
                    max_leaves=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(questions(), junk)
def test_any_response_scores_within_bounds_without_raising(q, response):
    result = score_question(q, response)
    assert isinstance(result, Result)
    assert 0.0 <= result.fraction <= 1.0
    assert 0.0 <= result.earned <= result.max_points + 1e-9
    assert math.isclose(result.earned, result.max_points * result.fraction, abs_tol=1e-6)
    assert result.graded == (q.type != "reflection")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(questions())
def test_correct_response_earns_full_marks(q):
    result = score_question(q, correct_response(q))
    if q.type == "reflection":
        assert result.is_correct is None and not result.graded
    else:
        assert result.fraction == 1.0 and result.is_correct and result.earned == pytest.approx(q.points)


@given(choice_options(True), st.data())
def test_multiple_response_ignores_order(options, data):
    q = Question(key="m", type="multiple_response", text=t("?"), options=options)
    chosen = data.draw(st.lists(st.sampled_from([o.key for o in options]), unique=True))
    shuffled = data.draw(st.permutations(chosen))
    assert score_question(q, chosen) == score_question(q, shuffled) == score_question(q, set(chosen))


@given(st.integers(2, 6), st.data())
def test_matching_ignores_order(n, data):
    q = Question(key="p", type="matching", text=t("?"),
                 pairs=[Pair(KEYS[i], t(f"p{i}"), t(f"a{i}")) for i in range(n)])
    picks = {KEYS[i]: data.draw(st.sampled_from(KEYS[:n])) for i in range(n)}
    reordered = dict(data.draw(st.permutations(list(picks.items()))))
    assert score_question(q, picks) == score_question(q, reordered)
