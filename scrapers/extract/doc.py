"""Turn a legacy Word document (.doc, Word 97-2003) into passages with antiword.

Council sites still publish terms of reference and handbooks as .doc files. The binary
format is read by Debian's `antiword` in the extraction helper, under the helper's limits;
asked not to wrap lines (`-w 0`), it writes one paragraph per line with a blank line between,
which the plain-text reader already turns into headings and passages.
"""

from __future__ import annotations

import tempfile

from scrapers.extract.text import add_text
from scrapers.extract.tools import find_tool, run_tool
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

_PICTURE = "[pic]"
MISSING = (
    "legacy Word (.doc) files need antiword, which is not installed (apt-get install antiword)"
)


def extract_doc(body: bytes) -> ExtractedDocument:
    """Extract a .doc file's paragraphs through antiword."""
    program = find_tool("antiword")
    if program is None:
        raise ExtractionError(MISSING)
    # antiword seeks about the file, so it reads a private temporary copy, not a pipe.
    with tempfile.NamedTemporaryFile(prefix="tracker-", suffix=".doc") as copy:
        copy.write(body)
        copy.flush()
        try:
            output = run_tool([program, "-w", "0", "-m", "UTF-8.txt", copy.name])
        except ExtractionError as exc:
            raise ExtractionError(_reason(str(exc))) from exc
    builder = DocumentBuilder()
    add_text(builder, _tidy(output.decode("utf-8", "replace")))
    return builder.build("doc")


def _tidy(text: str) -> str:
    """Drop antiword's picture markers and write each table row as an item "cell | cell".

    The bullet keeps a short row from being read as a heading; the text reader drops it.
    """
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped == _PICTURE:
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [cell.strip() for cell in stripped[1:-1].split("|")]
            line = "\u2022 " + " | ".join(cell for cell in cells if cell)
        lines.append(line)
    return "\n".join(lines)


def _reason(said: str) -> str:
    """Explain antiword's refusal: an .xls or .ppt shares the .doc file's container format."""
    if "not a Word Document" in said:
        return "the file is a legacy Microsoft Office file but not a Word document (.xls, .ppt?)"
    return said
