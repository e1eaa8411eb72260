"""The public pages, read through their HTML structure."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.conftest import soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tracker import demo
from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import import_candidates
from tracker.models import PledgeStatus
from tracker.text import plural, these

HX = {"HX-Request": "true"}


@pytest.fixture
def sample(db: Session) -> None:
    """Load the real South Yorkshire candidates into the test's transaction."""
    import_candidates(db, SAMPLE_CANDIDATES)
    db.flush()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/about",
        "/recommendations/",
        "/authorities/",
        "/authorities/?nation=Wales",
        "/authorities/?type=PFA",
        "/authorities/sheffield",
        "/authorities/south-yorkshire-police",
        "/candidates/",
        "/parties/",
    ],
)
def test_public_pages_render_with_layout(client: FlaskClient, sample: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("html[lang='en-GB']") is not None
    assert len(page.select("h1")) == 1
    assert page.select_one("a.skip-link[href='#main']") is not None
    assert page.select_one("main#main") is not None
    assert page.title is not None and "Pledge Tracker" in page.title.text
    assert page.select_one("script[src*='htmx']")["src"].startswith("/static/")


@pytest.mark.parametrize(
    "slug",
    [
        "priority-in-strategic-plans",
        "resourced-multi-agency-partnership",
        "safeguarding-and-independent-advocacy",
        "pathways-to-support",
        "listen-to-lived-experience",
    ],
)
def test_every_recommendation_page_shows_text_and_source(client: FlaskClient, slug: str) -> None:
    page = soup(client.get(f"/recommendations/{slug}"))
    assert page.select_one(".source-text blockquote").text.strip()
    assert "Hope for Justice" in page.select_one(".source-text figcaption").text


def test_home_counts_what_is_tracked(client: FlaskClient, sample: None) -> None:
    stats = [li.strong.text for li in soup(client.get("/")).select(".stats li")]
    assert stats == ["795", "397", "43"]


def test_candidate_search_finds_margaret_bruff(client: FlaskClient, sample: None) -> None:
    page = soup(client.get("/candidates/?q=Margaret+Bruff"))
    names = [a.text for a in page.select("#candidate-results tbody th a")]
    assert names == ["Margaret Bruff"]
    assert page.select_one("#filter-q")["value"] == "Margaret Bruff"


def test_search_is_case_blind_and_word_order_free(client: FlaskClient, sample: None) -> None:
    page = soup(client.get("/candidates/?q=bruff+MARGARET"))
    assert [a.text for a in page.select("#candidate-results tbody th a")] == ["Margaret Bruff"]


def test_like_wildcards_in_search_match_literally(client: FlaskClient, sample: None) -> None:
    page = soup(client.get("/candidates/?q=%25"))
    assert page.select("#candidate-results tbody tr") == []
    assert "No candidates match" in page.select_one("#candidate-results .count").text


def test_live_search_returns_a_fragment_to_htmx(client: FlaskClient, sample: None) -> None:
    response = client.get("/candidates/?q=bruff", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert [a.text for a in soup(response).select("tbody th a")] == ["Margaret Bruff"]
    full = client.get("/candidates/?q=bruff")
    assert "HX-Request" in full.headers["Vary"]
    assert soup(full).select_one("html") is not None


def test_search_form_is_wired_for_htmx_and_works_without(client: FlaskClient) -> None:
    form = soup(client.get("/candidates/")).select_one("form.filters")
    assert form["method"] == "get" and form["action"] == "/candidates/"
    assert form["hx-get"] == "/candidates/" and form["hx-push-url"] == "true"
    assert form["hx-target"] == "#candidate-results"
    for field in form.select("input:not([type=hidden]), select"):
        assert form.select_one(f"label[for='{field['id']}']") is not None


def test_candidate_filters_combine(client: FlaskClient, sample: None) -> None:
    page = soup(client.get("/candidates/?party=labour-party&election=local.barnsley.2018-05-03"))
    rows = page.select("#candidate-results tbody tr")
    assert rows
    assert all("Labour Party, Barnsley" in r.select("td")[0].text for r in rows)
    assert "Showing 1–" in page.select_one(".count").text


def test_status_filter(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    pledger = candidate(db, "Pat Pledger", council=council)
    candidate(db, "Sam Silent", council=council)
    record(db, pledge_of(db, "pathways-to-support", person=pledger))
    names = lambda url: [a.text for a in soup(client.get(url)).select("tbody th a")]  # noqa: E731
    assert names("/candidates/?status=pledged&q=P") == ["Pat Pledger"]
    assert "Sam Silent" in names("/candidates/?status=awaiting-response")
    assert "Pat Pledger" not in names("/candidates/?status=awaiting-response")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/candidates/?party=no-such-party", "There is no party called “no-such-party”."),
        ("/authorities/?nation=Atlantis", "There is no nation called “Atlantis”."),
        ("/candidates/?page=0", "There is no page '0'; pages are numbered from 1."),
        ("/candidates/?page=two", "There is no page 'two'; pages are numbered from 1."),
        ("/authorities/?page=99", "We couldn’t find that page."),
        ("/authorities/atlantis", "We couldn’t find that page."),
        ("/recommendations/free-lunch", "We couldn’t find that page."),
        ("/candidates/123456789-nobody", "We couldn’t find that page."),
    ],
)
def test_unknown_things_give_a_friendly_404(client: FlaskClient, url: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert soup(response).select_one("main .lede").text == message


def test_candidate_page_redirects_to_canonical_slug(client: FlaskClient, sample: None) -> None:
    response = client.get("/candidates/47677-old-name")
    assert response.status_code == 301
    assert response.headers["Location"] == "/candidates/47677-margaret-bruff"


def test_candidate_page_lists_candidacies_and_pledges(client: FlaskClient, sample: None) -> None:
    page = soup(client.get("/candidates/47677-margaret-bruff"))
    assert page.h1.text == "Margaret Bruff"
    pledges = page.select("table.pledges tbody tr")
    assert [row.select_one(".status").text for row in pledges] == ["Awaiting response"] * 5
    elections = page.select("section[aria-labelledby=candidacies-heading] tbody tr")
    assert any("Barnsley" in row.th.text and "Elected" in row.text for row in elections)


def test_authority_page_links_its_neighbours(client: FlaskClient, sample: None) -> None:
    page = soup(client.get("/authorities/sheffield"))
    facts = {
        dt.text: dd.a["href"]
        for dt, dd in zip(page.select(".facts dt")[1:], page.select(".facts dd")[1:], strict=True)
    }
    assert facts == {
        "Combined authority": "/authorities/south-yorkshire-mayoral-combined-authority",
        "Police force area": "/authorities/south-yorkshire-police",
    }
    section = page.select_one("section[aria-labelledby=candidates-heading]")
    assert section.h3.text == "Election of 6 May 2021"
    assert "Walkley" in [h.text for h in section.select(":scope > .wards > .ward h4")]
    older = section.select("details.older-election")
    assert [d.h3.text for d in older] == ["Election of 3 May 2018"]
    assert not any(d.has_attr("open") for d in older)
    assert not section.select("tbody tr"), "nobody in the sample has answered: no rows"


def test_an_authority_page_counts_who_has_not_answered(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    candidate(db, "Avery Example", council=council, ward="North Ward", poll_date=date(2020, 5, 7))
    said = candidate(db, "Blake Example", council=council, ward="North Ward")
    candidate(db, "Casey Example", council=council, ward="North Ward")
    candidate(db, "Drew Example", council=council, ward="South Ward")
    record(db, pledge_of(db, "pathways-to-support", person=said))
    section = soup(client.get(f"/authorities/{council.slug}")).select_one(
        "section[aria-labelledby=candidates-heading]"
    )
    north, south = section.select(":scope > .wards > .ward")
    assert [north.h4.text, south.h4.text] == ["North Ward", "South Ward"]
    assert [th.text for th in north.select("tbody th")] == ["Blake Example"]
    assert north.summary.text == "1 candidate yet to answer"
    assert "Casey Example" in north.details.text
    assert south.table is None
    jumps = [a["href"] for a in section.select(":scope > nav.jump-list a")]
    assert jumps == [f"#{north['id']}", f"#{south['id']}"]
    assert "1 of 3 candidates answered" in section.select_one(".jump-list .meta").text
    older = section.select_one("details.older-election")
    assert "Election of 7 May 2020" in older.summary.text
    assert "Avery Example" in older.text


def test_an_authority_without_candidates_says_so_plainly(client: FlaskClient) -> None:
    section = soup(client.get("/authorities/gloucestershire")).select_one(
        "section[aria-labelledby=candidates-heading]"
    )
    assert section.select_one(".empty").text == (
        "The tracker has no candidates for Gloucestershire yet."
    )


def test_county_lists_its_districts(client: FlaskClient) -> None:
    page = soup(client.get("/authorities/gloucestershire"))
    members = [a.text for a in page.select("section[aria-labelledby=members-heading] li a")]
    assert "Tewkesbury Borough Council" in members


def test_authority_filters_narrow_the_list(client: FlaskClient) -> None:
    page = soup(client.get("/authorities/?nation=Wales&type=WPA"))
    assert "of 22 authorities" in page.select_one(".count").text
    page = soup(client.get("/authorities/?q=sheff"))
    assert [a.text for a in page.select("tbody th a")] == ["Sheffield City Council"]


def test_pagination_links_keep_filters(client: FlaskClient) -> None:
    page = soup(client.get("/authorities/?nation=England"))
    link = page.select_one(".pagination a[rel=next]")
    assert link["href"] == "/authorities/?nation=England&page=2"
    second = soup(client.get(link["href"]))
    assert second.select_one(".pagination a[rel=prev]")["href"] == "/authorities/?nation=England"


def test_recorded_pledge_shows_on_pages(client: FlaskClient, db: Session) -> None:
    person = candidate(
        db,
        "Quinn Quoted",
        council=fictional_council(db),
        party=("fictional-party:9", "Party of Tests"),
    )
    record(
        db,
        pledge_of(db, "listen-to-lived-experience", person=person),
        quote="We will listen to survivors.",
    )
    page = soup(client.get(f"/candidates/{person.id}-{person.slug}"))
    row = page.select("table.pledges tbody tr")[4]
    assert row.select_one(".status").text == "Pledged"
    assert row.select_one("blockquote").text == "We will listen to survivors."
    assert row.select_one("a.source__link")["href"] == "https://example.org/evidence"
    rec = soup(client.get("/recommendations/listen-to-lived-experience"))
    assert [a.text for a in rec.select(".answer__who > a")] == ["Quinn Quoted"]
    party = soup(client.get("/parties/party-of-tests"))
    assert "1 (100%) pledged" in party.select_one(".lede").text
    home = soup(client.get("/"))
    assert "Quinn Quoted" in home.select_one(".events").text


def test_authority_own_pledge_shows(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    record(db, pledge_of(db, "pathways-to-support", authority_row=council), PledgeStatus.PARTIAL)
    page = soup(client.get("/authorities/testshire-fictional"))
    statuses = [s.text for s in page.select("table.pledges .status")]
    assert statuses[3] == "Partly pledged"


def test_markup_in_names_and_quotes_is_escaped(client: FlaskClient, db: Session) -> None:
    person = candidate(
        db, '<script>alert(1)</script>"><img src=x onerror=alert(2)>', council=fictional_council(db)
    )
    record(
        db,
        pledge_of(db, "pathways-to-support", person=person),
        quote="<b>bold</b><script>alert(3)</script>",
    )
    for url in (
        f"/candidates/{person.id}-{person.slug}",
        "/recommendations/pathways-to-support",
        "/candidates/?q=script",
        "/",
    ):
        page = soup(client.get(url))
        assert page.select("main script") == []
        assert all(
            img["src"].startswith("http://localhost/badges/") for img in page.select("main img")
        )
        assert not [a for tag in page.select("main *") for a in tag.attrs if a.startswith("on")]
        assert page.select("main b") == []


def test_non_web_evidence_links_never_become_links(client: FlaskClient, db: Session) -> None:
    person = candidate(db, "Jay Javascript", council=fictional_council(db))
    pledge = record(db, pledge_of(db, "pathways-to-support", person=person), quote="A quote")
    pledge.evidence_url = "javascript:alert(1)"  # bypassing validation, as bad data might
    db.add(pledge)
    db.flush()
    page = soup(client.get(f"/candidates/{person.id}-{person.slug}"))
    assert not [a for a in page.select("a[href]") if a["href"].startswith("javascript:")]


def test_demo_banner_shows_only_while_demo_data_is_loaded(client: FlaskClient, db: Session) -> None:
    assert soup(client.get("/")).select_one(".demo-banner") is None
    demo.load_demo(db)
    db.flush()
    banner = soup(client.get("/authorities/")).select_one(".demo-banner")
    assert banner is not None and "fictional" in banner.text
    demo.remove_demo(db)
    db.flush()
    assert soup(client.get("/")).select_one(".demo-banner") is None


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    for url in ("/", "/nope"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_anywhere(client: FlaskClient, sample: None) -> None:
    for url in ("/", "/candidates/", "/authorities/sheffield"):
        for script in soup(client.get(url)).select("script"):
            assert script.get("src") and not script.text.strip()


@pytest.mark.parametrize("url", ["/", "/authorities/sheffield", "/scorecards/", "/methodology"])
def test_every_page_shares_well_and_names_itself(client: FlaskClient, url: str) -> None:
    """A link pasted into a chat or a post shows the page's own title, a summary and the mark."""
    page = soup(client.get(url))
    meta = {t.get("property") or t.get("name"): t["content"] for t in page.select("meta[content]")}
    title = page.title.text.strip() if page.title else ""
    assert meta["og:title"] == title == meta["twitter:title"]
    assert meta["og:description"] == meta["description"] == meta["twitter:description"]
    assert meta["og:url"] == f"http://localhost{url}"
    assert meta["twitter:card"] == "summary_large_image"
    image = meta["og:image"]
    assert image.startswith("http://localhost/static/") and image.endswith("og.png")
    with client.get(image.removeprefix("http://localhost")) as served:
        assert served.mimetype == "image/png"
    icon = page.select_one('link[rel="icon"]')
    assert icon is not None
    with client.get(icon["href"]) as served:
        assert served.status_code == 200 and served.mimetype == "image/svg+xml"


def test_scorecards_are_in_the_main_menu(client: FlaskClient) -> None:
    menu = soup(client.get("/")).select('nav[aria-label="Main"] a')
    assert "/scorecards/" in [a["href"] for a in menu]
    current = soup(client.get("/scorecards/")).select('nav[aria-label="Main"] a[aria-current]')
    assert [a.text for a in current] == ["Scorecards"]


@pytest.mark.parametrize(
    ("count", "phrase", "pointer"),
    [
        (0, "0 authorities", "these 0 authorities"),
        (1, "1 authority", "this authority"),
        (1204, "1,204 authorities", "these 1,204 authorities"),
    ],
)
def test_counts_agree_with_their_nouns(count: int, phrase: str, pointer: str) -> None:
    assert plural(count, "authority", "authorities") == phrase
    assert these(count, "authority", "authorities") == pointer


def test_a_list_of_one_says_so_in_the_singular(client: FlaskClient) -> None:
    page = soup(client.get("/authorities/?q=sheffield"))
    assert page.select_one(".count").text == "Showing 1–1 of 1 authority"
    assert "this authority" in page.select_one("#authority-results").text


def test_one_candidate_and_one_authority_are_counted_in_the_singular(
    client: FlaskClient, db: Session
) -> None:
    council = fictional_council(db, "Oneshire")
    person = candidate(db, "Solo Example", council=council)
    record(db, pledge_of(db, "pathways-to-support", person=person))
    record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    listed = soup(client.get("/candidates/?q=Solo+Example"))
    assert listed.select_one(".count").text == "Showing 1–1 of 1 candidate"
    assert "this candidate" in listed.select_one("#candidate-results").text
    wards = soup(client.get(f"/authorities/{council.slug}")).select_one(".jump-list .meta")
    assert wards is not None and wards.text.startswith("1 of 1 candidate answered."), wards
    tallies = soup(client.get("/recommendations/")).select(".rec-list li")
    said = {" ".join(li.select_one("p.meta").text.split()) for li in tallies}
    assert "1 candidate and 1 authority have pledged this in full or in part." in said, said


def test_demonstration_people_are_labelled_fictional_where_shown(
    client: FlaskClient, db: Session
) -> None:
    demo.load_demo(db)
    db.commit()
    items = soup(client.get("/")).select("section[aria-labelledby=latest] li")
    subjects = [li.a.text for li in items]
    assert subjects and all(name.endswith("(fictional)") for name in subjects), subjects
    listed = soup(client.get("/candidates/?q=Chris+Dummy")).select("tbody th a")
    assert [a.text for a in listed] == ["Chris Dummy (fictional)"]
