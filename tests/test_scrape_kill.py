"""A scrape killed at a random point, then run again, ends as if it had never been killed.

Each document is stored in one transaction, so SIGKILL can only lose the document being
stored, never half-store it; the second run fetches what is missing and skips the rest.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

CORPUS = Path(__file__).parent / "corpus"
TRACKER = Path(sys.executable).with_name("tracker")
PDFS = [
    "f01_derbyshire-cc-modern-slavery-statement-2018-to-2019.pdf",
    "f05_hampshire-iow-modern-slavery-partnership-strategy-2017-2020.pdf",
    "f06_hertfordshire-modern-slavery-partnership-strategy-2018-2021.pdf",
]
PLEDGES = [
    "We will fund a dedicated modern slavery partnership coordinator.",
    "We will commission an Independent Modern Slavery Advocate for survivors of modern slavery.",
    "Survivors of modern slavery will help design our services, through a lived experience panel.",
    "Tackling modern slavery is a priority in our police and crime plan.",
    "We will create referral pathways into support services for victims of modern slavery.",
]
SETUP = """
from tracker import create_app, migrate
from tracker.db import get_session
from tracker.models import Authority
app = create_app()
migrate.upgrade(app.config["DATABASE_URL"])
with app.app_context():
    session = get_session()
    session.add(Authority(slug="killshire-fictional", name="Killshire Council (fictional)",
                          short_name="Killshire (fictional)", kind="UA",
                          kind_name="Unitary authority", nation="England", is_demo=True))
    session.commit()
"""


def documents() -> dict[str, tuple[bytes, str]]:
    """Twenty invented strategies and three real PDFs, all read for an invented council."""
    docs = {
        f"/plan-{n}.txt": (
            f"Killshire modern slavery plan {n} (fictional)\n\n{PLEDGES[n % 5]}\n\n"
            f"{PLEDGES[(n + 2) % 5]}\n".encode(),
            "text/plain; charset=utf-8",
        )
        for n in range(20)
    }
    docs |= {f"/{name}": ((CORPUS / name).read_bytes(), "application/pdf") for name in PDFS}
    return docs


def serve(httpserver: HTTPServer) -> list[str]:
    """Serve the documents slowly (150 ms each), like a busy council site."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    for path, (body, kind) in documents().items():

        def slowly(request: Request, body: bytes = body, kind: str = kind) -> Response:
            time.sleep(0.15)
            return Response(body, content_type=kind)

        httpserver.expect_request(path).respond_with_handler(slowly)
    return [f"http://127.0.0.1:{httpserver.port}{path}" for path in documents()]


def environment(database: Path, httpserver: HTTPServer) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "TRACKER_INSTANCE": str(database.parent / "instance"),
        "SCRAPER_ALLOW_HOSTS": f"127.0.0.1:{httpserver.port}",
        "SCRAPER_MIN_INTERVAL": "0",
        "SCRAPER_WORKERS": "2",
    }


def prepare(database: Path, httpserver: HTTPServer) -> None:
    """Migrate a fresh database and add the invented council."""
    env = environment(database, httpserver)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True)  # noqa: S603


def scrape_args(urls: list[str]) -> list[str]:
    args = [str(TRACKER), "scrape", "--authority", "killshire-fictional"]
    for url in urls:
        args += ["--url", url]
    return args


def state(database: Path) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """Return what was stored: documents and matches, without ids or times."""
    with sqlite3.connect(database) as conn:
        docs = set(conn.execute("SELECT url, sha256, version, status, page_count FROM document"))
        matches = set(
            conn.execute(
                "SELECT d.url, m.recommendation_id, m.fingerprint, m.score, m.start, m.end, "
                "m.withdrawn_in FROM match m JOIN document d ON d.id = m.document_id"
            )
        )
        versions = conn.execute("SELECT COUNT(*) FROM documentversion").fetchone()[0]
    conn.close()
    assert versions == len(docs)  # one version per document, never a half-stored one
    return docs, matches


def run_tracker(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the console script to completion."""
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603


def stored_documents(database: Path) -> int:
    """Count the documents stored so far (the scrape commits one at a time)."""
    with sqlite3.connect(database) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM document").fetchone()[0]
    conn.close()
    return count


def test_a_killed_scrape_finishes_as_if_uninterrupted(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    urls = serve(httpserver)
    calm = tmp_path / "calm" / "tracker.db"
    killed = tmp_path / "killed" / "tracker.db"
    prepare(calm, httpserver)
    killed.parent.mkdir()
    shutil.copyfile(calm, killed)  # the same empty start for both runs
    calm_run = run_tracker(scrape_args(urls), environment(calm, httpserver))
    assert calm_run.returncode == 0, calm_run.stderr
    expected = state(calm)
    assert len(expected[0]) == len(urls) and expected[1]

    env = environment(killed, httpserver)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen(scrape_args(urls), env=env, start_new_session=True, **quiet)  # noqa: S603
    deadline = time.monotonic() + 120
    while stored_documents(killed) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(random.uniform(0, 0.3))  # noqa: S311 (a random moment, not a secret)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    interrupted = state(killed)
    assert interrupted[0] < expected[0]  # cut short, and what it stored is whole
    rerun = run_tracker(scrape_args(urls), env)
    assert rerun.returncode == 0, rerun.stderr
    assert state(killed) == expected
