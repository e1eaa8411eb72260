"""A small SVG badge a candidate or council can put on its own website.

Plain presentation attributes only (no scripts, no inline styles), a <title> for screen
readers, and sizes worked out from the text so nothing is clipped.
"""

from __future__ import annotations

from markupsafe import escape

LABEL = "Modern Slavery Local Pledge"
HEIGHT = 24
CHAR_WIDTH = 6.6  # average width of an 11px sans-serif character
PAD = 8
LABEL_FILL = "#1b1f24"
VALUE_FILLS = {"none": "#4a525c", "some": "#8a4b00", "all": "#1d6b36"}


def badge_text(pledged: int, partial: int, total: int) -> str:
    """Say what the badge shows in words: 'Pledged 4 of 5' (plus any partial pledges)."""
    text = f"Pledged {pledged} of {total}"
    return f"{text}, {partial} in part" if partial else text


def badge_svg(pledged: int, partial: int, total: int) -> str:
    """Return the badge as a standalone SVG document."""
    value = badge_text(pledged, partial, total)
    label_width = round(len(LABEL) * CHAR_WIDTH) + 2 * PAD
    value_width = round(len(value) * CHAR_WIDTH) + 2 * PAD
    width = label_width + value_width
    level = "all" if total and pledged == total else "some" if pledged or partial else "none"
    title = escape(f"{value} — {LABEL}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<rect width="{label_width}" height="{HEIGHT}" rx="3" fill="{LABEL_FILL}"/>'
        f'<rect x="{label_width}" width="{value_width}" height="{HEIGHT}" rx="3" '
        f'fill="{VALUE_FILLS[level]}"/>'
        f'<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        f'text-anchor="middle">'
        f'<text x="{label_width / 2:.1f}" y="16">{escape(LABEL)}</text>'
        f'<text x="{label_width + value_width / 2:.1f}" y="16">{escape(value)}</text>'
        f"</g></svg>"
    )
