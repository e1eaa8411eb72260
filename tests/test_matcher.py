"""The learned matcher: its model file, its ranking, and learning from reviewers' verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from scrapers.match.features import TRAP_FEATURES, candidates
from scrapers.match.model import Model, ModelError, default_model, load_model, model_from_json
from scrapers.match.rules import PATHWAYS
from scrapers.match.scoring import MAX_PER_RECOMMENDATION, match_passages
from scrapers.match.training import (
    TRAP_WEIGHT,
    Example,
    Settings,
    Verdict,
    fit,
    passages_of_text,
    review_examples,
)
from scrapers.passages import DocumentBuilder, Passage
from tests.conftest import AuthActions, soup
from tests.factories import fictional_council, stored_document
from tracker.models import PledgeStatus, Proposal, Recommendation, ReviewStatus
from tracker.review import accept_match, reject_match

STRATEGY = (
    b"Testshire modern slavery strategy (fictional)\n\n"
    b"We will fund a dedicated modern slavery partnership coordinator for the multi-agency "
    b"partnership against exploitation.\n\n"
    b"We will commission an Independent Modern Slavery Advocate service for survivors.\n"
)


def laid_out(*texts: str) -> list[Passage]:
    """Lay out made-up passages as one document."""
    builder = DocumentBuilder()
    for text in texts:
        builder.add(text)
    return list(builder.build("text").passages)


# --- the model file -------------------------------------------------------------------------


def test_a_model_survives_its_json() -> None:
    model = Model(-1.5, {"ctx:passage": 0.75, "trap:wording": -2.0}, {"model_version": 1})
    again = model_from_json(model.to_json())
    assert again == model
    assert again.score({"ctx:passage": 1.0}) == pytest.approx(1 / (1 + 2.718281828**0.75))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("{not json", "not JSON"),
        ('{"format": "pickle"}', "is not a pledge-tracker-matcher file"),
        (
            '{"format": "pledge-tracker-matcher", "format_version": 9, "bias": 0, "weights": {}}',
            "version 9",
        ),
        (
            '{"format": "pledge-tracker-matcher", "format_version": 1, "bias": 0,'
            ' "weights": {"w:x": "high"}}',
            "weight 'w:x'",
        ),
    ],
)
def test_a_bad_model_file_says_what_is_wrong(data: str, says: str) -> None:
    with pytest.raises(ModelError, match=says):
        model_from_json(data)


def test_the_shipped_model_names_its_features_and_traps_only_lower() -> None:
    model = load_model(Path(__file__).parent.parent / "scrapers" / "match" / "model.json")
    assert model.about["corpus_documents"]
    traps = {name: w for name, w in model.weights.items() if name.startswith("trap:")}
    assert traps and all(weight <= -2.0 for weight in traps.values())


def test_a_trap_the_corpus_never_shows_is_still_weighed_down() -> None:
    examples = [
        Example({"ctx:passage": 1.0, "commit": float(label)}, label, 1.0, f"doc{n}")
        for n in range(4)
        for label in (0, 1)
    ]
    model = fit(examples, Settings(), {})
    assert {name: model.weights[name] for name in TRAP_FEATURES} == dict.fromkeys(
        TRAP_FEATURES, TRAP_WEIGHT
    )


def test_a_stem_only_inside_a_trap_phrase_is_marked_as_a_trap() -> None:
    passages = laid_out("Victims of modern slavery are not always in priority need.")
    found = {c.recommendation: c for c in candidates(passages)}
    assert found["priority-in-strategic-plans"].features.get("trap:only_in_trap_phrase") == 1.0


def test_a_documents_names_are_not_words_the_model_can_learn() -> None:
    passages = laid_out(
        "Modern slavery in Northshire (fictional)",
        "The partnership will fund a coordinator for Northshire and Southborough.",
    )
    words = {name for c in candidates(passages) for name in c.features if name.startswith("w:")}
    assert "w:coordinator" in words and "w:and NAME" in words
    assert not any("northshire" in name or "southborough" in name for name in words)


def test_every_spelling_of_a_stem_is_one_feature() -> None:
    spellings = ("co-ordinator", "co ordinator", "coordinator")
    features = [
        next(
            c.features
            for c in candidates(laid_out(f"The modern slavery partnership funds a {word}."))
            if c.recommendation == "resourced-multi-agency-partnership"
        )
        for word in spellings
    ]
    assert all(f.get("partnership|v:coordinat") == 1.0 for f in features)
    assert all(
        not any(n.startswith("partnership|v:co") and n.endswith("or") for n in f) for f in features
    )


# --- lists ----------------------------------------------------------------------------------


def test_a_lists_lead_in_is_read_and_proposed_with_its_items() -> None:
    passages = laid_out(
        "Modern slavery: the Testshire victims service (fictional)",
        "The project will work directly with victims and their families to provide:",
        "\u00b7 crisis intervention,",
        "\u00b7 independent advocacy",
        "A new paragraph that is not part of the list, as it is long enough to be prose: "
        + "words " * 30,
    )
    text = "\n\n".join(p.text for p in passages)
    lead = [c for c in candidates(passages) if c.index == 1]
    assert {c.recommendation for c in lead} >= {"safeguarding-and-independent-advocacy"}
    shown = lead[0].passage
    assert (shown.start, shown.end) == (passages[1].start, passages[3].end)
    assert text[shown.start : shown.end] == shown.text
    assert "independent advocacy" in shown.text and "prose" not in shown.text


# --- ranking --------------------------------------------------------------------------------


def test_a_reviewer_sees_a_few_distinct_passages_per_recommendation() -> None:
    pledges = [
        f"We will refer every potential victim of modern slavery in {place} to local "
        "support services through the NRM pathway."
        for place in ("Northtown", "Southtown", "Easttown", "Westtown", "Midtown", "Uptown")
    ]
    found = match_passages(laid_out(*pledges, pledges[0], pledges[0]))
    pathways = [m for m in found if m.recommendation == PATHWAYS]
    assert 1 <= len(pathways) <= MAX_PER_RECOMMENDATION
    assert len({m.text for m in pathways}) == len(pathways)


def test_why_a_passage_was_proposed_fits_the_stored_rule_column() -> None:
    found = match_passages(laid_out(STRATEGY.decode()))
    assert found
    weights = default_model().weights
    for proposal in found:
        assert 0 < len(proposal.rule) <= 100
        assert all(name in weights for name in proposal.rule.split(", "))


def test_a_list_and_its_own_item_are_not_both_proposed() -> None:
    passages = laid_out(
        "The Testshire modern slavery partnership (fictional) will provide:",
        "\u00b7 a referral pathway to support services for victims of modern slavery",
        "\u00b7 a second referral pathway to support services for adult victims",
    )
    sure = Model(6.0, {}, {})  # every candidate scores 0.998: only the ranking limits them
    assert len([c for c in candidates(passages) if c.recommendation == PATHWAYS]) == 3
    shown = [p for p in match_passages(passages, sure) if p.recommendation == PATHWAYS]
    assert len(shown) == 1 and shown[0].end == passages[-1].end


# --- learning from reviews ------------------------------------------------------------------


def test_stored_text_is_split_back_into_the_passages_it_was_laid_out_from() -> None:
    passages = laid_out("Modern slavery strategy", "We will fund the partnership.", "Contact us")
    text = "\n\n".join(p.text for p in passages)
    assert [(p.text, p.start, p.end) for p in passages_of_text(text)] == [
        (p.text, p.start, p.end) for p in passages
    ]


def test_verdicts_become_examples_with_the_candidates_features() -> None:
    passages = laid_out(*STRATEGY.decode().split("\n\n"))
    text = "\n\n".join(p.text for p in passages)
    found = {c.recommendation: c for c in candidates(passages_of_text(text))}
    advocacy = found["safeguarding-and-independent-advocacy"]
    start = advocacy.passage.start
    verdicts = [
        Verdict("safeguarding-and-independent-advocacy", start, True),
        Verdict("listen-to-lived-experience", 10_000, False),  # no such candidate: left out
    ]
    examples = review_examples(text, verdicts, "review:1")
    assert [(e.label, e.weight, e.group) for e in examples] == [(1, 1.0, "review:1")]
    assert examples[0].features == advocacy.features


def test_train_from_reviews_adds_this_installs_verdicts(
    tmp_path: Path, runner: FlaskCliRunner, db: Session, auth: AuthActions
) -> None:
    reviewer = auth.user()
    council = fictional_council(db)
    stored_document(db, council, STRATEGY, "https://testshire.example/s.txt", title="Strategy")
    recs = {r.id: r.slug for r in db.exec(select(Recommendation))}
    proposed = {recs[m.recommendation_id]: m for m in db.exec(select(Proposal))}
    accept_match(
        db,
        proposed["resourced-multi-agency-partnership"],
        status=PledgeStatus.PLEDGED,
        reviewer_id=reviewer.id or 0,
    )
    reject_match(
        db,
        proposed["safeguarding-and-independent-advocacy"],
        reason="A service, not a commitment",
        reviewer_id=reviewer.id or 0,
    )
    db.commit()
    output = tmp_path / "model.json"
    result = runner.invoke(args=["matcher", "train", "--from-reviews", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "2 reviewed passages" in result.output
    model = load_model(output)
    assert model.about["reviewed_verdicts"] == 2
    assert json.loads(output.read_text())["format"] == "pledge-tracker-matcher"
    statuses = {m.review_status for m in db.exec(select(Proposal))}
    assert {ReviewStatus.ACCEPTED.value, ReviewStatus.REJECTED.value} <= statuses


def test_the_review_card_says_why_a_passage_was_proposed(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    council = fictional_council(db)
    stored = stored_document(db, council, STRATEGY, "https://testshire.example/s.txt", title="S")
    db.commit()
    auth.login_as()
    page = soup(client.get("/campaign/review/"))
    for match in stored:
        why = page.select_one(f"#match-{match.id} .why code")
        assert why is not None and why.text == match.rule
    assert stored
