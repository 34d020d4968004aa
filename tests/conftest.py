"""Shared fixtures: a tiny project with real files, the real small embedder, and a scripted LLM.

Tests use the real thing where it is cheap (embedder, FAISS, SmolLM2) and the scripted LLM only
where a real model's answer would make the assertion meaningless (fakes.py).

`slow` means "loads a real model": tests that use a model fixture are marked automatically, and a
test that is not marked slow fails if it loads a model in this process, so `pytest -m "not slow"`
stays a fast inner loop. Tests that load a model in a subprocess carry the mark by hand.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import skips
from fakes import CountingEmbedder, ScriptedLLM

from assistant.config import Settings

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skip is a failure, unless tests/skips.py lists it with its reason."""
    outcome = yield
    report = outcome.get_result()
    if not CI or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    if skips.allowed(item.nodeid, reason) is None:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, and tests/skips.py does not allow it: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Under CI a module that skips itself whole fails too, unless tests/skips.py lists it."""
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped:
        reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        if skips.allowed(report.nodeid, reason) is None:
            report.outcome = "failed"
            report.longrepr = f"skipped under CI, and tests/skips.py does not allow it: {reason}"


def pytest_sessionfinish(session, exitstatus):
    """Under CI, no tests collected is a failure (pytest's exit code 5 would read as success)."""
    if CI and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


MODEL_FIXTURES = {"embedder", "counting_embedder", "echo_app", "smol_app", "refusing_app"}


def pytest_collection_modifyitems(items):
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _models_only_in_slow_tests(request, monkeypatch):
    """A test that loads a model without the `slow` mark fails, saying so."""
    if request.node.get_closest_marker("slow") or not hasattr(request.node, "fixturenames"):
        return

    def refuse(*args, **kwargs):
        raise AssertionError("this test loads a model: mark it @pytest.mark.slow")

    from assistant import embed
    from assistant.llms import local

    monkeypatch.setattr(embed.Embedder, "runtime", property(refuse))
    monkeypatch.setattr(local.LLM, "__init__", refuse)


DOCS = {
    "serval.txt": (
        "France's defence ties with Mali began in January 2013 as Operation Serval.\n"
        "Turning into a prolonged conflict, Operation Serval was transformed to Operation "
        "Barkhane in August 2014. Approximately 2,400 of France's 4,300 troops were in Mali.\n"
    ),
    "junta.md": (
        "# The junta\n\nCol. Assimi Goita grabbed power in an August 2020 coup. "
        "He postponed the presidential vote until 2026.\n\n"
        "ECOWAS responded to the delay by imposing more sanctions on Mali.\n"
    ),
}


def pdf_bytes(pages: list[str]) -> bytes:
    """A minimal valid PDF with one Helvetica text line per input line (empty page: no text)."""

    def esc(s):
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objs = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}]"
        f" /Count {len(pages)} >>",
        3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for i, text in enumerate(pages):
        body = " ".join(f"({esc(line)}) Tj T*" for line in text.split("\n") if line)
        stream = f"BT /F1 12 Tf 72 720 Td 14 TL {body} ET" if body else ""
        objs[4 + 2 * i] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
            f"<< /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objs[5 + 2 * i] = f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream"
    out, offsets = b"%PDF-1.4\n", {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += f"{k} 0 obj\n{objs[k]}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[k]:010d} 00000 n \n".encode() for k in sorted(objs))
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def encrypted_pdf_bytes(pages: list[str], password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


PDF_PAGES = [
    "The United Nations mission Minusma left Mali in 2023.",
    "Wagner Group fighters arrived in Mali in December 2021.\nThey replaced French troops.",
]


@pytest.fixture
def project(tmp_path) -> Path:
    """A project root with docs/ holding two text files and a two-page PDF."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "un.pdf").write_bytes(pdf_bytes(PDF_PAGES))
    return tmp_path


@pytest.fixture
def settings(project) -> Settings:
    return Settings(
        root=project, index_dir=project / "index", seeds_dir=project / "docs", models_dir=project / "models"
    )


@pytest.fixture(scope="session")
def embedder():
    from assistant.embed import Embedder

    return Embedder()


@pytest.fixture
def counting_embedder(embedder):
    return CountingEmbedder(embedder)


@pytest.fixture
def scripted():
    return ScriptedLLM
