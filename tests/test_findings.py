"""Each findings rule fires on the case it is for, and not on a neutral organisation."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.analysis.findings import (
    RULES,
    RULES_BY_KEY,
    Facts,
    evaluate,
    findings_table,
    rules_table,
    strength_score,
)

NEUTRAL_ORG: dict[str, object] = {
    "people": 120,
    "response_rate": 0.85,
    "informal_share": 0.82,
    "fsl_share": 0.18,
    "gini_in_degree_advice": 0.35,
    "advice_overload": 1.1,
    "advice_top_in_degree": 9,
    "advice_median_in_degree": 4,
    "advice_top_ratio": 2.25,
    "advice_top_ratio_random": 2.0,
    "advice_top_share": 0.03,
    "advice_top_share_random": 0.02,
    "overload_beyond_chance": True,
    "advice_down_beyond_chance": True,
    "seniority_advice_p": 0.01,
    "seniority_advice_beyond_chance": True,
    "key_people": 0,
    "key_person_threshold": 0.05,
    "advice_reciprocity": 0.35,
    "advice_up_share": 0.45,
    "advice_down_share": 0.25,
    "seniority_advice_correlation": 0.1,
    "weakest_dimension": "Trust",
    "weakest_dimension_mean": 3.6,
    "flow_share": 0.7,
    "single_holder_skills": 0,
    "thin_skills": "",
}
NEUTRAL_DEPARTMENTS = pd.DataFrame(
    {
        "group": ["Sales", "Engineering"],
        "size": [30, 40],
        "ei": [-0.2, 0.1],
        "ei_sent": [-0.2, 0.1],
        "internal_share": [0.6, 0.45],
        "internal_share_random": [0.2, 0.3],
        "silo_beyond_chance": [True, True],
        "fsl_share": [0.15, 0.12],
    }
)


def neutral() -> Facts:
    return Facts(org=dict(NEUTRAL_ORG), groups={"department": NEUTRAL_DEPARTMENTS.copy()})


# rule → (org overrides, department overrides for "Sales", expected words in the statement, strength)
CASES: dict[str, tuple[dict[str, object], dict[str, object], list[str], str]] = {
    "silo": (
        {},
        {"ei_sent": -0.82, "internal_share": 0.91},
        ["Sales asks inside Sales", "91%", "-0.82", "keep about 20%"],
        "strong",
    ),
    "formal_heavy": ({"informal_share": 0.66, "fsl_share": 0.34}, {}, ["34%", "66%"], "moderate"),
    "group_formal_heavy": ({}, {"fsl_share": 0.45}, ["Sales", "45%"], "strong"),
    "experts_overloaded": (
        {
            "advice_overload": 2.5,
            "advice_top_in_degree": 48,
            "advice_top_ratio": 12.0,
            "advice_top_share": 0.08,
        },
        {},
        ["named by 48 colleagues", "12.0 times the median person (4)", "about 2.0 times", "8%", "random: 2%"],
        "moderate",
    ),
    "key_people": ({"key_people": 4}, {}, ["4 people", "5%"], "strong"),
    "low_reciprocity": ({"advice_reciprocity": 0.15}, {}, ["15%"], "moderate"),
    "top_down": (
        {"advice_down_share": 0.03, "advice_up_share": 0.8},
        {},
        ["rarely flows up", "only 3% of advice requests are seniors asking", "80%"],
        "strong",
    ),
    "rank_over_knowledge": (
        {"seniority_advice_correlation": 0.45},
        {},
        ["+0.45", "outside a person's reporting chain", "p = 0.010"],
        "moderate",
    ),
    "weak_dimension": ({"weakest_dimension_mean": 2.4}, {}, ["Trust", "2.40"], "strong"),
    "stock_heavy": ({"flow_share": 0.4}, {}, ["40%"], "moderate"),
    "single_holder_skills": (
        {"single_holder_skills": 2, "thin_skills": "SQL, Pricing"},
        {},
        ["2 skill", "SQL, Pricing"],
        "moderate",
    ),
    "low_response": ({"response_rate": 0.3}, {}, ["30%"], "strong"),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {r.key for r in RULES}


def test_neutral_organisation_has_no_findings() -> None:
    assert evaluate(neutral()) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_its_case_only(rule: str) -> None:
    org, dept, words, strength = CASES[rule]
    facts = neutral()
    facts.org.update(org)
    for col, value in dept.items():
        facts.groups["department"].loc[0, col] = value
    found = evaluate(facts)
    assert [f.rule for f in found] == [rule]
    assert found[0].strength == strength
    for word in words:
        assert word in found[0].statement
    assert found[0].suggestion and found[0].page


def test_missing_data_never_fires() -> None:
    facts = Facts(org={k: None for k in NEUTRAL_ORG}, groups={})
    assert evaluate(facts) == []


def test_text_that_needs_a_missing_fact_does_not_fire() -> None:
    facts = neutral()
    facts.org.update(informal_share=0.5, fsl_share=None)
    assert evaluate(facts) == []


def test_strong_findings_come_first() -> None:
    facts = neutral()
    facts.org.update(stock_heavy=None, flow_share=0.45, response_rate=0.2)
    assert [f.strength for f in evaluate(facts)] == ["strong", "moderate"]


def test_tables_list_every_rule_and_finding() -> None:
    assert list(rules_table()["rule"]) == [r.key for r in RULES]
    facts = neutral()
    facts.org["flow_share"] = 0.3
    table = findings_table(evaluate(facts))
    assert len(table) == 1 and "flow_share = 0.3" in table.loc[0, "evidence"]


@pytest.mark.parametrize("rule", [r.key for r in RULES if r.beyond])
def test_a_value_chance_explains_never_fires(rule: str) -> None:
    """The rule's measure passes its threshold, but the random-network baseline says chance gives as
    much: no finding."""
    org, dept, _, _ = CASES[rule]
    facts = neutral()
    facts.org.update(org)
    for col, value in dept.items():
        facts.groups["department"].loc[0, col] = value
    flag = next(r.beyond for r in RULES if r.key == rule)
    if flag in facts.org:
        facts.org[flag] = False
    else:
        facts.groups["department"][flag] = False
    assert evaluate(facts) == []


@pytest.mark.parametrize("key", ["low_reciprocity", "key_people", "silo"])
def test_strength_score_is_0_at_the_threshold_and_1_at_strong(key: str) -> None:
    rule = RULES_BY_KEY[key]
    assert strength_score(rule, rule.threshold) == 0
    assert strength_score(rule, rule.strong) == pytest.approx(1)


def test_findings_are_ranked_by_how_far_past_their_line() -> None:
    # both moderate: reciprocity barely under its 0.2 line, response rate far under its 0.7 line
    found = evaluate(Facts(org={"advice_reciprocity": 0.19, "response_rate": 0.52}))
    assert [f.rule for f in found] == ["low_response", "low_reciprocity"]
    assert [f.strength for f in found] == ["moderate", "moderate"]
    assert found[0].score > found[1].score > 0
    # a strong finding still comes before every moderate one
    found = evaluate(Facts(org={"advice_reciprocity": 0.05, "response_rate": 0.52}))
    assert [f.rule for f in found] == ["low_reciprocity", "low_response"]
