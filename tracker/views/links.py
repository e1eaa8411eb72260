"""Absolute addresses of the site's pages, for feeds and API answers read elsewhere."""

from __future__ import annotations

from flask import url_for

from tracker.models import Authority, Document, Party, Person, PledgeEvent, Recommendation
from tracker.text import document_slug


class SiteLinks:
    """Build page addresses on the host the request came to."""

    def recommendation(self, recommendation: Recommendation) -> str:
        """Return a recommendation's page."""
        return url_for("recommendations.detail", slug=recommendation.slug, _external=True)

    def person(self, person: Person) -> str:
        """Return a candidate's page."""
        return url_for("candidates.detail", person_id=person.id, slug=person.slug, _external=True)

    def authority(self, authority: Authority) -> str:
        """Return an authority's page."""
        return url_for("authorities.detail", slug=authority.slug, _external=True)

    def pledge_event(self, event: PledgeEvent) -> str:
        """Return the place on its pledge's history page where one change is listed."""
        return url_for(
            "pledges.history",
            pledge_id=event.pledge_id,
            _anchor=f"event-{event.id}",
            _external=True,
        )

    def pledge(self, pledge_id: int) -> str:
        """Return a pledge's history page."""
        return url_for("pledges.history", pledge_id=pledge_id, _external=True)

    def document(self, document: Document, authority: Authority, *, anchor: str) -> str:
        """Return the place on a document's page where one version or passage is listed."""
        slug = document_slug(document.title, authority.short_name)
        return url_for(
            "documents.detail",
            document_id=document.id,
            slug=slug,
            _anchor=anchor,
            _external=True,
        )

    def party(self, party: Party) -> str:
        """Return a party's page."""
        return url_for("parties.detail", slug=party.slug, _external=True)
