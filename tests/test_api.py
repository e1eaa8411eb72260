"""The read-only JSON API: every answer checked against its own OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlmodel import Session, col, select

from tests.factories import candidate, fictional_council, pledge_of, record
from tracker.models import Authority, Person, Pledge, PledgeEvent, PledgeStatus
from tracker.openapi import openapi_document
from tracker.queries.candidates import candidacies_by_person

ROTHERHAM = "E08000018"
RED_ROSETTE = ("fictional-party:labour", "Red Rosette Party (fictional)")
# The app reads only a letter from ENSWK and eight digits as a GSS code, so a lookup by code
# needs the fictional council to carry one: E99 is ONS's pseudo-code range, used by no body.
GSS_SHAPED = "E99999901"
PREFIX = "/api/v1"
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class Api:
    """Get API answers, validating each against the schema its operation documents."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.client = client
        self.urls = app.url_map.bind("localhost")
        self.document = openapi_document("http://localhost/api/v1")
        self.operations = {
            operation["operationId"]: operation
            for path in self.document["paths"].values()
            for operation in path.values()
        }

    def get(self, url: str, status: int = 200, **headers: str) -> Any:
        """Return the response to a GET, after checking its status, type and body."""
        response = self.client.get(url, headers=headers)
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        if status == 304:
            assert response.get_data() == b""
            return response
        endpoint, _ = self.urls.match(url.split("?")[0], method="GET")
        documented = self.operations[endpoint]["responses"][str(status)]["content"]
        assert list(documented) == [response.mimetype], url
        schema = documented[response.mimetype]["schema"]
        validator = Draft202012Validator(
            {**schema, "components": self.document["components"]},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        validator.validate(response.get_json())
        return response

    def json(self, url: str, status: int = 200) -> Any:
        """Return the validated JSON body of a GET."""
        return self.get(url, status).get_json()

    def walk(self, url: str) -> list[dict[str, Any]]:
        """Follow `next` links from `url` to the end, returning every result."""
        results: list[dict[str, Any]] = []
        while url:
            page = self.json(url)
            results.extend(page["results"])
            url = page["next"] and page["next"].removeprefix("http://localhost")
        return results


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    return Api(app, client)


@pytest.fixture
def jane(db: Session) -> Person:
    return candidate(
        db, "Jane Smith", council=fictional_council(db), party=RED_ROSETTE, ward="Maple"
    )


# The document and the routes agree


def test_openapi_paths_match_the_url_map(app: Flask, api: Api) -> None:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown":
            path = RULE_ARGUMENT.sub(r"{\1}", rule.rule.removeprefix(PREFIX))
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            routes.setdefault(path, set()).update(methods)
            operation_ids = {op["operationId"] for op in api.document["paths"][path].values()}
            assert rule.endpoint in operation_ids
    documented = {path: set(ops) for path, ops in api.document["paths"].items()}
    assert documented == routes


def test_openapi_document_is_served_and_its_schemas_are_sound(api: Api) -> None:
    served = api.json("/api/v1/openapi.json")
    assert served["openapi"] == "3.1.0"
    assert served["servers"] == [{"url": "http://localhost/api/v1"}]
    assert served["paths"].keys() == api.document["paths"].keys()
    for schema in served["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for path, operations in served["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in operations.values():
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == names, path


def test_index_points_at_every_part(api: Api) -> None:
    index = api.json("/api/v1/")
    for name in ("recommendations", "authorities", "candidates", "pledges", "events"):
        assert api.json(index[name].removeprefix("http://localhost"))["results"] is not None


# Resources


def test_pledge_json_has_the_documented_fields(api: Api, db: Session, jane: Person) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=jane), quote="Yes.")
    body = api.json(f"/api/v1/pledges/{pledge.id}")
    (standing,) = candidacies_by_person(db, [jane.id])[jane.id]
    jane_party, jane_council = standing.party_name, standing.authority_name
    assert body == {
        "id": pledge.id,
        "recommendation": "pathways-to-support",
        "subject_type": "candidate",
        "subject_name": jane.name,
        "party": jane_party,
        "authority_name": jane_council,
        "fictional": False,
        "person_id": jane.id,
        "authority": None,
        "authority_slug": None,
        "status": "pledged",
        "delivery": "not-yet-rated",
        "evidence_url": "https://example.org/evidence",
        "quote": "Yes.",
        "date": None,
        "note": None,
        "version": 1,
        "updated_at": pledge.updated_at.isoformat(),
        "url": f"http://localhost/candidates/{jane.id}-jane-smith",
    }
    council = fictional_council(db, "Demoshire", demo=True)
    own = record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    body = api.json(f"/api/v1/pledges/{own.id}")
    assert (body["subject_type"], body["person_id"]) == ("authority", None)
    assert (body["authority"], body["authority_slug"]) == (council.gss_code, "demoshire-fictional")
    assert (body["subject_name"], body["authority_name"]) == (council.name, council.name)
    assert (body["party"], body["fictional"]) == (None, True)


def test_one_of_each_resource(api: Api, db: Session, jane: Person) -> None:
    record(db, pledge_of(db, "pathways-to-support", person=jane), PledgeStatus.PARTIAL)
    recommendation = api.json("/api/v1/recommendations/pathways-to-support")
    assert recommendation["source"]["publisher"] == "Hope for Justice"
    by_slug = api.json("/api/v1/authorities/sheffield")
    assert api.json("/api/v1/authorities/E08000019") == by_slug
    assert by_slug["combined_authority"] == "south-yorkshire-mayoral-combined-authority"
    person = api.json(f"/api/v1/candidates/{jane.id}")
    assert person["answers"]["pathways-to-support"] == "partial"
    assert person["answers"]["listen-to-lived-experience"] == "awaiting-response"
    (standing,) = person["candidacies"]
    assert (standing["party"], standing["post_label"]) == ("Red Rosette Party (fictional)", "Maple")
    assert standing["authority"] == fictional_council(db).gss_code
    listed = api.json("/api/v1/recommendations")
    assert [r["position"] for r in listed["results"]] == [1, 2, 3, 4, 5]
    assert listed["next"] is None


# Filters and pagination


def test_pledges_paginate_to_the_end_without_gaps(api: Api, db: Session) -> None:
    people = [candidate(db, f"Person {n}", council=fictional_council(db)) for n in range(4)]
    for person in people:
        for slug in ("pathways-to-support", "listen-to-lived-experience"):
            record(db, pledge_of(db, slug, person=person))
    otherham = fictional_council(db, "Otherham")
    record(db, pledge_of(db, "pathways-to-support", authority_row=otherham))
    expected = list(db.exec(select(Pledge.id).order_by(col(Pledge.id))).all())
    walked = api.walk("/api/v1/pledges?limit=3")
    assert [p["id"] for p in walked] == expected
    assert len(expected) == 9
    first = api.json("/api/v1/pledges?limit=3&status=pledged")
    assert (
        first["next"]
        == f"http://localhost/api/v1/pledges?limit=3&status=pledged&after={expected[2]}"
    )


def test_candidates_and_authorities_paginate_to_the_end(api: Api, db: Session) -> None:
    for n in range(5):
        candidate(db, f"Person {n}", gss_code=ROTHERHAM)
    walked = api.walk("/api/v1/candidates?authority=rotherham&limit=2")
    ids = [c["person_id"] for c in walked]
    assert len(ids) == 5 and ids == sorted(set(ids))
    welsh = api.walk("/api/v1/authorities?nation=Wales&limit=7")
    slugs = [a["slug"] for a in welsh]
    in_order = select(Authority.slug).where(Authority.nation == "Wales").order_by(Authority.slug)
    assert slugs == list(db.exec(in_order).all())  # the database's collation orders slugs


def test_events_are_a_log_to_poll_after_the_last_seen(api: Api, db: Session, jane: Person) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=jane))
    otherham = fictional_council(db, "Otherham")
    record(db, pledge_of(db, "pathways-to-support", authority_row=otherham))
    seen = api.walk("/api/v1/events?limit=1")
    assert [e["to_status"] for e in seen] == ["pledged", "pledged"]
    assert seen[0]["from_status"] == "awaiting-response"
    record(db, pledge, PledgeStatus.DECLINED, quote="On reflection, no.")
    new = api.json(f"/api/v1/events?after={seen[-1]['id']}")["results"]
    assert [(e["person_id"], e["from_status"], e["to_status"]) for e in new] == [
        (jane.id, "pledged", "declined")
    ]
    assert [e["id"] for e in api.walk("/api/v1/events?authority=otherham-fictional")] == [
        seen[1]["id"]
    ]
    assert len(db.exec(select(PledgeEvent)).all()) == 3


def test_pledge_filters_match_the_downloads(
    api: Api, client: FlaskClient, db: Session, jane: Person
) -> None:
    tom = candidate(db, "Tom Other", council=fictional_council(db, "Otherham"))
    testshire = fictional_council(db)
    testshire.gss_code = GSS_SHAPED
    db.flush()
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    record(db, pledge_of(db, "pathways-to-support", person=tom), PledgeStatus.DECLINED)
    record(db, pledge_of(db, "listen-to-lived-experience", authority_row=testshire))
    for query in (
        "authority=testshire-fictional",
        f"authority={GSS_SHAPED}&kind=candidate",
        "status=declined",
        "party=red-rosette-party-fictional",
        f"candidate={tom.id}",
        "delivery=not-yet-rated",
        "recommendation=listen-to-lived-experience",
    ):
        from_api = [p["id"] for p in api.walk(f"/api/v1/pledges?{query}")]
        lines = client.get(f"/pledges.csv?{query}").get_data(as_text=True).splitlines()[1:]
        assert from_api == [int(line.split(",")[0]) for line in lines], query
        assert from_api, query


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/api/v1/pledges?status=maybe", 400, "status must be one of"),
        ("/api/v1/pledges?kind=council", 400, "kind must be one of candidate, authority"),
        ("/api/v1/pledges?limit=0", 400, "limit must be between 1 and 200"),
        ("/api/v1/candidates?limit=lots", 400, "limit must be a whole number"),
        ("/api/v1/events?after=yesterday", 400, "after must be a whole number"),
        ("/api/v1/pledges?party=no-such-party", 404, "There is no party called"),
        ("/api/v1/authorities?nation=Atlantis", 404, "There is no nation called"),
        ("/api/v1/candidates?election=local.nowhere.2024-05-02", 404, "There is no election"),
        ("/api/v1/pledges/999999999", 404, "There is no pledge “999999999”"),
        ("/api/v1/authorities/E99999999", 404, "There is no authority"),
        ("/api/v1/candidates/1", 404, "There is no candidate “1”"),
        ("/api/v1/recommendations/world-peace", 404, "There is no recommendation"),
    ],
)
def test_bad_requests_get_json_problems(api: Api, url: str, status: int, detail: str) -> None:
    problem = api.json(url, status)
    assert problem["status"] == status
    assert detail in problem["detail"]


def test_unknown_api_addresses_get_json_not_html(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("There is no API endpoint")


# Caching and CORS


def test_a_pledge_etag_is_its_version(api: Api, db: Session, jane: Person) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=jane))
    url = f"/api/v1/pledges/{pledge.id}"
    first = api.get(url)
    assert first.headers["ETag"] == '"1"'
    api.get(url, 304, **{"If-None-Match": '"1"'})
    record(db, pledge, PledgeStatus.PARTIAL)
    changed = api.get(url, 200, **{"If-None-Match": '"1"'})
    assert changed.headers["ETag"] == '"2"'
    assert changed.get_json()["version"] == 2


def test_lists_answer_304_until_they_change(api: Api, db: Session, jane: Person) -> None:
    url = f"/api/v1/pledges?candidate={jane.id}"
    first = api.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    api.get(url, 304, **{"If-None-Match": first.headers["ETag"]})
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    assert api.get(url, 200, **{"If-None-Match": first.headers["ETag"]}).get_json()["results"]


def test_scripts_on_other_sites_may_read_but_not_write(client: FlaskClient) -> None:
    preflight = client.options(
        "/api/v1/pledges",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    answer = client.get("/api/v1/recommendations", headers={"Origin": "https://example.org"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
