"""Tables: what the campaign asked, who was asked, and what they said.

Natural keys come from the bodies that own them: GSS and mySociety codes for authorities,
Democracy Club ids for elections, ballots, people and parties. A person's primary key *is*
their Democracy Club person id, so URLs, imports and the API all speak the same id.

Surrogate ids are typed `int`, though they default to None: the None tells the database
to choose one, and no code reads an id before the row's INSERT (a flush) has set it.
Typing them `int | None` made every reader write `.id or 0`, which would have hidden
exactly that mistake behind a row id of 0.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, MetaData, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from tracker.dbtypes import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (naive times are refused on save)."""
    return datetime.now(UTC)


class PledgeStatus(StrEnum):
    """What a candidate or authority said when asked; silence is not refusal."""

    AWAITING = "awaiting-response"
    PLEDGED = "pledged"
    PARTIAL = "partial"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        """Return the wording the site shows."""
        return _STATUS_LABELS[self]

    @property
    def needs_evidence(self) -> bool:
        """Return whether recording this status needs a source (a link or a quote)."""
        return self is not PledgeStatus.AWAITING


_STATUS_LABELS = {
    PledgeStatus.AWAITING: "Awaiting response",
    PledgeStatus.PLEDGED: "Pledged",
    PledgeStatus.PARTIAL: "Partly pledged",
    PledgeStatus.DECLINED: "Declined",
}


class Delivery(StrEnum):
    """Whether a pledge was kept; only a person ever records `broken`."""

    NOT_YET_RATED = "not-yet-rated"
    IN_PROGRESS = "in-progress"
    DELIVERED = "delivered"
    STALLED = "stalled"
    BROKEN = "broken"

    @property
    def label(self) -> str:
        """Return the wording the site shows."""
        return self.value.replace("-", " ").capitalize()


def _in(column: str, enum: type[StrEnum]) -> str:
    """Return a CHECK expression restricting `column` to the enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class Theme(SQLModel, table=True):
    """One of the campaign's three themes."""

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=200)
    position: int = Field(unique=True)


class Recommendation(SQLModel, table=True):
    """One of the five recommendations, in the charity's words and attributed to them."""

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    position: int = Field(unique=True)
    title: str = Field(max_length=200)
    summary: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    source_title: str = Field(max_length=300)
    source_publisher: str = Field(max_length=200)
    source_date: str = Field(max_length=40)
    source_url: str | None = Field(default=None, max_length=2000)
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})


class Authority(SQLModel, table=True):
    """A council, combined authority, the GLA, or a police force area (for its PCC)."""

    __table_args__ = (Index("ix_authority_kind_nation_region", "kind", "nation", "region"),)

    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=200)
    short_name: str = Field(max_length=200, index=True)
    gss_code: str | None = Field(default=None, max_length=9, unique=True)
    code: str | None = Field(default=None, max_length=10, unique=True)
    kind: str = Field(max_length=10)
    kind_name: str = Field(max_length=80)
    nation: str = Field(max_length=40)
    region: str | None = Field(default=None, max_length=80)
    parent_county_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    combined_authority_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    police_area_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    lat: float | None = None
    lon: float | None = None
    website: str | None = Field(default=None, max_length=500)
    # A combined authority whose mayor holds the Police and Crime Commissioner's powers,
    # and the day the order transferred them.
    pcc_powers: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    pcc_powers_since: date | None = None
    # A police force area's elected office ("Police, Fire and Crime Commissioner"); None
    # where nobody is elected (the Met, the City of London).
    commissioner: str | None = Field(default=None, max_length=80)
    is_demo: bool = Field(default=False, index=True)


class FormerCode(SQLModel, table=True):
    """A GSS code that once named an authority or one it replaced, so old links resolve."""

    id: int = Field(default=None, primary_key=True)
    gss_code: str = Field(max_length=9, unique=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)


class PlaceName(SQLModel, table=True):
    """A name a resident might type for a place: a council's spelling, a ward, a role.

    `key` is the normalised name the search index holds (tracker.search.normalise);
    on PostgreSQL it carries a pg_trgm index, on SQLite an FTS5 trigram table mirrors it.
    """

    __table_args__ = (
        Index(
            "ix_placename_key_trgm",
            "key",
            postgresql_using="gin",
            postgresql_ops={"key": "gin_trgm_ops"},
        ),
    )

    id: int = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    name: str = Field(max_length=250)
    key: str = Field(max_length=250)
    kind: str = Field(max_length=20)  # name, spelling, ward or role
    ward_gss: str | None = Field(default=None, max_length=9)


class Postcode(SQLModel, table=True):
    """A postcode and the district or unitary council and ward it lies in (ONS)."""

    id: int = Field(default=None, primary_key=True)
    postcode: str = Field(max_length=8, unique=True)  # as published: "S1 2HH"
    outward: str = Field(max_length=4, index=True)
    district_gss: str = Field(max_length=9)
    ward_gss: str | None = Field(default=None, max_length=9)


class Party(SQLModel, table=True):
    """A registered party, keyed by its Democracy Club id (e.g. `PP53`, `ynmp-party:2`)."""

    id: int = Field(default=None, primary_key=True)
    dc_id: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=200, unique=True)
    is_demo: bool = Field(default=False)


class Person(SQLModel, table=True):
    """A candidate; `id` is the Democracy Club person id."""

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=200, index=True)
    slug: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)  # as published on Democracy Club
    is_demo: bool = Field(default=False, index=True)


class Election(SQLModel, table=True):
    """A Democracy Club election (`local.sheffield.2021-05-06`) for one authority."""

    id: int = Field(default=None, primary_key=True)
    election_id: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)
    poll_date: date = Field(index=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)


class Ballot(SQLModel, table=True):
    """One ballot paper of an election: a ward, division or single-area post."""

    id: int = Field(default=None, primary_key=True)
    ballot_paper_id: str = Field(max_length=250, unique=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    post_label: str = Field(max_length=200)
    post_id: str | None = Field(default=None, max_length=200)
    ward_gss: str | None = Field(default=None, max_length=9)
    seats_contested: int | None = None
    cancelled: bool = False


class Candidacy(SQLModel, table=True):
    """A person standing on a ballot for a party, with the result once known."""

    __table_args__ = (
        UniqueConstraint("person_id", "ballot_id"),
        Index("ix_candidacy_person_party", "person_id", "party_id"),  # parties' candidates
    )

    id: int = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    party_id: int = Field(foreign_key="party.id", index=True)
    votes_cast: int | None = None
    elected: bool | None = None


class Pledge(SQLModel, table=True):
    """Where one subject (a person or an authority) stands on one recommendation.

    The row is created with the subject's first recorded answer; a subject without one is
    awaiting a response. `version` counts saves, for optimistic locking.
    """

    __table_args__ = (
        UniqueConstraint("recommendation_id", "person_id"),
        UniqueConstraint("recommendation_id", "authority_id"),
        CheckConstraint("(person_id IS NULL) <> (authority_id IS NULL)", name="one_subject"),
        CheckConstraint(_in("status", PledgeStatus), name="status"),
        CheckConstraint(_in("delivery", Delivery), name="delivery"),
        Index("ix_pledge_status_recommendation", "status", "recommendation_id"),
        # Covering indexes for the tallies by party and by recommendation: the counts are
        # read from the index alone, never from the table.
        Index("ix_pledge_person_status", "person_id", "status", "recommendation_id"),
        Index("ix_pledge_recommendation_status", "recommendation_id", "status", "person_id"),
    )

    id: int = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="recommendation.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    authority_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    status: str = Field(default=PledgeStatus.AWAITING.value, max_length=20)
    delivery: str = Field(default=Delivery.NOT_YET_RATED.value, max_length=20)
    evidence_url: str | None = Field(default=None, max_length=2000)
    quote: str | None = Field(default=None, sa_type=Text)
    evidence_date: date | None = None
    note: str | None = Field(default=None, sa_type=Text)
    # Campaigners' own note: never on a public page, download, feed or API answer.
    private_note: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    version: int = 1


class EventKind(StrEnum):
    """Why an event was appended: a person changed the pledge, or a timed follow-up."""

    CHANGE = "change"
    FOLLOW_UP = "follow-up"


class PledgeEvent(SQLModel, table=True):
    """One change to a pledge, appended and never edited: history and feeds read these."""

    __table_args__ = (
        CheckConstraint(_in("kind", EventKind), name="kind"),
        # Feeds find and order a scope's events by pledge and time from this index.
        Index("ix_pledgeevent_pledge_time", "pledge_id", "occurred_at"),
    )

    id: int = Field(default=None, primary_key=True)
    kind: str = Field(
        default=EventKind.CHANGE.value,
        max_length=20,
        sa_column_kwargs={"server_default": EventKind.CHANGE.value},
    )
    pledge_id: int = Field(foreign_key="pledge.id")
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    from_delivery: str | None = Field(default=None, max_length=20)
    to_delivery: str = Field(max_length=20)
    evidence_url: str | None = Field(default=None, max_length=2000)
    quote: str | None = Field(default=None, sa_type=Text)
    evidence_date: date | None = None
    note: str | None = Field(default=None, sa_type=Text)
    private_note: str | None = Field(default=None, sa_type=Text)  # campaigners only
    version: int


class Role(StrEnum):
    """What a signed-in user may do; the public needs no account and only reads."""

    ADMIN = "admin"
    CAMPAIGNER = "campaigner"

    def allows(self, needed: Role) -> bool:
        """Return whether this role covers `needed` (admins can do what campaigners do)."""
        return self is Role.ADMIN or self is needed


class User(SQLModel, table=True):
    """A campaigner or admin who signs in to keep the record true."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    is_active: bool = True
    # Part of the session's identity: changing it signs the user out everywhere.
    session_nonce: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token for the write API, stored only as a hash and shown once."""

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PledgeUpload(SQLModel, table=True):
    """A spreadsheet of pledge updates, kept between its preview and its application."""

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    filename: str = Field(max_length=255)
    content: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DocumentStatus(StrEnum):
    """How the last attempt to fetch and read a document went."""

    OK = "ok"
    NOT_MODIFIED = "not-modified"
    NEEDS_OCR = "needs-ocr"
    REFUSED = "refused"
    FAILED = "failed"


class ReviewStatus(StrEnum):
    """Where a proposed passage stands with the campaigners."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Source(SQLModel, table=True):
    """A page or document to scrape for an authority: seeded, discovered or submitted.

    Campaigners' submissions wait as `pending` until a worker (or `tracker scrape
    --pending`) fetches them.
    """

    __table_args__ = (UniqueConstraint("authority_id", "url"),)

    id: int = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    url: str = Field(max_length=2000)
    origin: str = Field(max_length=20)  # seed, discovered, submitted
    pending: bool = Field(default=False, index=True)
    added_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Document(SQLModel, table=True):
    """One document URL of one authority, as last fetched; its text lives in versions."""

    __table_args__ = (
        UniqueConstraint("authority_id", "url_hash"),
        CheckConstraint(_in("status", DocumentStatus), name="status"),
    )

    id: int = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authority.id", index=True)
    url: str = Field(max_length=2000)
    url_hash: str = Field(max_length=64, index=True)
    final_url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=500)
    content_type: str | None = Field(default=None, max_length=200)
    sha256: str | None = Field(default=None, max_length=64)
    size: int | None = None
    page_count: int | None = None
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    status: str = Field(default=DocumentStatus.OK.value, max_length=20)
    error: str | None = Field(default=None, sa_type=Text)
    version: int = 0  # the number of the newest stored version (0: none yet)
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    fetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the document is and when it was written (scrapers/extract/describe.py): an
    # accepted passage takes `published_on` as its evidence date, not the day it was found.
    published_on: date | None = None
    date_source: str | None = Field(default=None, max_length=20)
    period_start: int | None = None  # the first and last year of the plan it sets out
    period_end: int | None = None
    # Some of its text was read from scanned pages, so it may hold misreadings.
    ocr: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class DocumentPage(SQLModel, table=True):
    """One page of a document's newest version, the unit that full-text search finds.

    Only the newest version is searchable (older texts stay in `DocumentVersion`), so a
    search never answers with words a council has since removed. A document without pages
    (HTML, Word) is one row with `page` None. The search index over `text` is kept by the
    database itself: an FTS5 table with triggers on SQLite, a GIN index on PostgreSQL
    (migration 0009), so no writer can forget it.
    """

    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    position: int  # the order of the page in the document, from 0
    page: int | None = None
    text: str = Field(sa_type=Text)


class DocumentVersion(SQLModel, table=True):
    """The text of one distinct content of a document (a new sha256 makes a new version)."""

    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: int = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int
    sha256: str = Field(max_length=64)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    text: str = Field(sa_type=Text)


class Proposal(SQLModel, table=True):
    """A passage the matcher proposes as a commitment to a recommendation.

    Keyed by a fingerprint of the passage, so the same words found again in a later
    version (or a later scrape) are the same match: a rejected one stays rejected.
    The table keeps the name it was created with; renaming it would rename its indexes too.
    """

    __tablename__ = "match"
    __table_args__ = (
        UniqueConstraint("document_id", "recommendation_id", "fingerprint"),
        CheckConstraint(_in("review_status", ReviewStatus), name="review_status"),
        Index("ix_match_queue", "review_status", "withdrawn_in", "score"),
    )

    id: int = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    recommendation_id: int = Field(foreign_key="recommendation.id", index=True)
    fingerprint: str = Field(max_length=64)
    passage: str = Field(sa_type=Text)
    page: int | None = None
    start: int
    end: int
    score: float
    rule: str = Field(max_length=100)
    first_version: int
    withdrawn_in: int | None = None  # the version whose text no longer has the passage
    review_status: str = Field(default=ReviewStatus.PENDING.value, max_length=20)
    reviewer_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_type=Text)
    pledge_event_id: int | None = Field(default=None, foreign_key="pledgeevent.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Applicability(StrEnum):
    """Whether authorities of a type can deliver a recommendation."""

    YES = "yes"
    NO = "no"
    WITH_PCC_POWERS = "with-pcc-powers"  # only a combined authority whose mayor is the PCC


class Responsibility(SQLModel, table=True):
    """Whether authorities of one type can deliver one recommendation, and why (admins edit)."""

    __table_args__ = (
        UniqueConstraint("kind", "recommendation_id"),
        CheckConstraint(_in("applies", Applicability), name="applies"),
    )

    id: int = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    recommendation_id: int = Field(foreign_key="recommendation.id", index=True)
    applies: str = Field(max_length=20)
    reason: str = Field(max_length=300)
    version: int = 1


class Milestone(StrEnum):
    """When pledges are checked for delivery, counted from the election."""

    HUNDRED_DAYS = "100-days"
    ONE_YEAR = "1-year"


class FollowUp(SQLModel, table=True):
    """A timed check that found no delivery evidence for a pledge (made once per milestone)."""

    __table_args__ = (
        UniqueConstraint("pledge_id", "milestone"),
        CheckConstraint(_in("milestone", Milestone), name="milestone"),
    )

    id: int = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="pledge.id", index=True)
    milestone: str = Field(max_length=20)
    election_date: date
    event_id: int = Field(foreign_key="pledgeevent.id")
    marked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SiteState(SQLModel, table=True):
    """Versions committed writes bump, so cached pages know they are stale (tracker.freshness).

    Row 1 is the whole site's; the others are scopes' (tracker.scopes), created on first use.
    """

    id: int = Field(default=1, primary_key=True)
    data_version: int = 0


class SendOutcome(StrEnum):
    """What happened when a pledge link was emailed to its subject."""

    SENT = "sent"
    REFUSED = "refused"  # the mail server would not take it
    NO_ADDRESS = "no-address"  # nobody has published an address for the subject
    UNSUBSCRIBED = "unsubscribed"  # they asked for no more of these emails


class PledgeInvitation(SQLModel, table=True):
    """A personal pledge link for one candidate or authority, kept only as a hash.

    The link itself is shown once, when it is made or emailed; `sent_to` is for admins only.
    """

    __tablename__ = "pledge_invitation"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (authority_id IS NULL)", name="one_subject"),
        CheckConstraint(_in("send_outcome", SendOutcome), name="send_outcome"),
    )

    id: int = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    authority_id: int | None = Field(default=None, foreign_key="authority.id", index=True)
    election_id: int | None = Field(default=None, foreign_key="election.id", index=True)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=500)
    sent_to: str | None = Field(default=None, max_length=254)
    send_outcome: str | None = Field(default=None, max_length=20)
    send_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StatementState(StrEnum):
    """Where a subject's own statement stands: hidden until a campaigner approves it."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class LinkAnswer(SQLModel, table=True):
    """One answer given through a pledge link, and the pledge event it recorded."""

    __tablename__ = "link_answer"
    __table_args__ = (
        CheckConstraint(_in("status", PledgeStatus), name="status"),
        CheckConstraint(_in("statement_state", StatementState), name="statement_state"),
        Index("ix_link_answer_statement_state", "statement_state"),
    )

    id: int = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="pledge_invitation.id", index=True)
    recommendation_id: int = Field(foreign_key="recommendation.id")
    pledge_id: int = Field(foreign_key="pledge.id", index=True)
    pledge_event_id: int = Field(foreign_key="pledgeevent.id")
    status: str = Field(max_length=20)
    statement: str | None = Field(default=None, sa_type=Text)
    statement_state: str | None = Field(default=None, max_length=20)
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
