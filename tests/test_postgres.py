"""The PostgreSQL store against a real PostgreSQL 16 + pgvector server (tests/pg.py): the store
contract (tests/store_contract.py), then what is PostgreSQL's own: HNSW recall, NUL characters,
a table of an older layout, threads, a restarted server, writers killed mid-write, readers beside
a writer, and the whole pipeline on both stores.

The server is started once per session; each test gets a database of its own. When the server
cannot start here the tests skip with the reason, or fail under REQUIRE_ENGINES=1 (CI).
Processes are real too: a writer killed with SIGKILL mid-write, readers beside a writer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from pg import Engine, EngineUnavailable, free_port
from store_contract import StoreContract, document

from assistant.errors import BadDocument, IndexMismatch, StoreUnavailable
from assistant.stores import SourceData
from assistant.types import Passage

try:
    import psycopg
except ImportError:
    if os.environ.get("REQUIRE_ENGINES") == "1":
        raise
    pytest.skip("psycopg is not installed: pip install -e '.[scale]'", allow_module_level=True)

from assistant.stores.postgres import LOCK_KEY, PostgresStore  # noqa: E402

DIM = 384
HERE = Path(__file__).resolve()
FINGERPRINT = {"format": 2, "embedder": "test", "chunk_chars": 600, "chunk_overlap": 1}


def unavailable(reason: str):
    if os.environ.get("REQUIRE_ENGINES") == "1":
        pytest.fail(f"PostgreSQL could not start and REQUIRE_ENGINES=1: {reason}")
    pytest.skip(f"PostgreSQL could not start: {reason}")


@pytest.fixture(scope="session")
def engine():
    try:
        e = Engine.start()
    except EngineUnavailable as err:
        unavailable(str(err))
    yield e
    e.close()


@pytest.fixture
def url(engine) -> str:
    """A fresh database on the shared server, so tests never see each other's rows."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(engine.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return engine.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def store(url):
    with PostgresStore(url) as s:
        yield s


def unit(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def source(name: str, texts: list[str], seed: int = 0, page: int | None = None, meta=None) -> SourceData:
    passages, at = [], 0
    for t in texts:
        passages.append(Passage(name, at, at + len(t), t, page))
        at += len(t)
    sents = [unit(len(t.split(".")), seed + 100 + i) for i, t in enumerate(texts)]
    return SourceData(name, meta or {"sha256": name}, passages, unit(len(texts), seed), sents)


def write(store, *data: SourceData, removed=(), files=None):
    files = files if files is not None else {d.source: d.meta for d in data}
    store.write(FINGERPRINT, list(data), list(removed), files)


# --- the Store contract, and what is PostgreSQL's own ----------------------------------------------


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, url):
        with PostgresStore(url) as s:
            yield s


def test_dense_search_finds_what_exact_search_finds(store):
    """HNSW is approximate: recall@10 against exact inner-product search stays >= 0.95."""
    vectors = unit(2000, seed=3)
    texts = [f"passage {i}." for i in range(len(vectors))]
    data = SourceData("big.txt", {}, [Passage("big.txt", i, i + 1, t) for i, t in enumerate(texts)], vectors)
    write(store, data)
    queries, found = unit(20, seed=4), 0
    for q in queries:
        hits = store.dense_search(q, 10)
        exact = set(np.argsort(-vectors @ q)[:10])
        found += len({p.start for p, _ in hits} & exact)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
        p, s = hits[0]
        assert s == pytest.approx(float(vectors[p.start] @ q), abs=1e-5)
    assert found / (10 * len(queries)) >= 0.95


def test_text_with_a_nul_character_is_refused_and_the_old_state_kept(store):
    good = source("a.txt", ["kept."])
    write(store, good)
    with pytest.raises(BadDocument, match="NUL"):
        write(store, source("a.txt", ["nul \x00 inside."]))
    nul_page = SourceData("a.txt", {}, [], unit(0), [], ((None, "a page \x00 text"),))
    with pytest.raises(BadDocument, match="NUL"):
        write(store, nul_page)
    assert store.passages_of("a.txt") == good.passages and store.sources() == {"a.txt": good.meta}


def test_vectors_of_another_dimension_need_a_rebuild(store):
    write(store, source("a.txt", ["kept."]), source("b.txt", ["bee."], seed=1))
    other = SourceData("b.txt", {}, [Passage("b.txt", 0, 3, "bad")], unit(1, dim=8))
    with pytest.raises(IndexMismatch, match="384-dimension vectors, not 8; rebuild"):
        write(store, other, files={"a.txt": {}, "b.txt": {}})
    assert store.count() == 2
    a8 = SourceData("a.txt", {}, [Passage("a.txt", 0, 3, "new")], unit(1, dim=8))
    write(store, a8, other, files={"a.txt": {}, "b.txt": {}})  # a rebuild: every source replaced
    assert store.manifest()["dimension"] == 8 and store.keyword_search("new", 5)[0][0] == a8.passages[0]


def test_a_store_of_the_older_layout_is_rebuilt_in_place(store, url):
    """A store of format 2 (a full-text tsvector, no BM25 postings): a write that keeps some of
    its rows is refused; a rebuild (every source replaced) recreates the tables."""
    write(store, source("a.txt", ["old layout."]))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE assistant_postings")
        conn.execute("ALTER TABLE assistant_passages ADD COLUMN tsv tsvector")
    store.close()
    with pytest.raises(IndexMismatch, match="an older layout; rebuild it"):
        write(store, source("b.txt", ["new."]), files={"a.txt": {}, "b.txt": {}})
    new = document("a.txt", ["Rebuilt in the new layout."], seed=3)
    write(store, SourceData(new.source, new.meta, new.passages, unit(1, seed=3), [], new.pages))
    assert store.keyword_search("layout", 5)[0][0] == new.passages[0]
    assert store.document_text("a.txt") == "Rebuilt in the new layout."


def test_writing_lock_serialises_read_modify_write(url):
    """Two processes each add 1 to a counter 5 times inside writing(): none is lost."""
    procs = [subprocess.Popen([sys.executable, str(HERE), "increment", url]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with PostgresStore(url) as s:
        assert s.sources()["counter"]["n"] == 10


def test_one_store_serves_many_threads_at_once(store):
    """The web app shares one store between its users' threads: dense searches (a transaction
    each) and keyword searches at once all succeed and agree with a lone search."""
    from concurrent.futures import ThreadPoolExecutor

    write(store, source("a.txt", [f"thread test passage {i}." for i in range(50)], seed=12))
    q = unit(1, seed=13)[0]
    alone = (store.dense_search(q, 5), store.keyword_search("thread passage", 5))
    with ThreadPoolExecutor(8) as pool:
        got = list(
            pool.map(
                lambda _: (store.dense_search(q, 5), store.keyword_search("thread passage", 5)), range(64)
            )
        )
    assert all(g == alone for g in got)


# --- failures of the server and of the writer ----------------------------------------------------


def test_unreachable_server_is_one_line_without_the_password():
    s = PostgresStore(f"postgresql://ann:s3cret-pw@127.0.0.1:{free_port()}/docs")
    with pytest.raises(StoreUnavailable) as e:
        s.sources()
    msg = str(e.value)
    assert "\n" not in msg and "s3cret-pw" not in msg
    assert "postgresql://ann@127.0.0.1:" in msg and "ASSISTANT_STORE_URL" in msg


def test_a_restarted_server_is_used_again():
    try:
        own = Engine.start()  # its own server: stopping the shared one would disturb other tests
    except EngineUnavailable as err:
        unavailable(str(err))
    try:
        with PostgresStore(own.url) as s:
            write(s, source("a.txt", ["the archive survives."]))
            own.stop()
            with pytest.raises(StoreUnavailable, match="start the server"):
                s.count()
            own.restart()
            assert s.count() == 1 and s.keyword_search("archive", 1)[0][0].text == "the archive survives."
            write(s, source("b.txt", ["and writes too."]), files={"a.txt": {}, "b.txt": {}})
            assert s.count() == 2
    finally:
        own.close()


def test_a_writer_killed_mid_write_leaves_the_store_as_it_was(store, url):
    before = source("a.txt", ["the original passage."])
    write(store, before)
    writer = subprocess.Popen([sys.executable, str(HERE), "big-write", url], stdout=subprocess.PIPE)
    try:
        wait_for(lambda: lock_holders(store) > 0, "the writer to take the write lock")
        time.sleep(0.5)  # inside the transaction: old rows deleted, new ones being copied
        assert writer.poll() is None, "the write finished before it could be killed"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        writer.kill()
    assert b"committed" not in writer.stdout.read()
    assert store.passages_of("a.txt") == before.passages and store.count() == 1
    assert store.sources() == {"a.txt": before.meta}
    wait_for(lambda: lock_holders(store) == 0, "the server to release the dead writer's lock")
    write(store, source("b.txt", ["next writer."]), files={"a.txt": before.meta, "b.txt": {}})
    assert store.count() == 2


def test_readers_beside_a_writer_see_whole_generations(url):
    """One writer replaces every source, generation after generation; two reader processes
    check that each call sees one generation whole (never some sources old, some new)."""
    with PostgresStore(url) as s:
        write_generation(s, 0)
    readers = [
        subprocess.Popen([sys.executable, str(HERE), "read", url, str(GENERATIONS)], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    writer = subprocess.Popen([sys.executable, str(HERE), "generations", url, str(GENERATIONS)])
    assert writer.wait(timeout=180) == 0
    reports = [json.loads(r.communicate(timeout=60)[0]) for r in readers]
    for report in reports:
        assert report["errors"] == [], report["errors"][:5]
        assert report["calls"] > 20 and len(report["generations"]) >= 2  # they did overlap the writer


def test_staleness_and_indexed_text_on_a_machine_without_the_files(url, tmp_path):
    """A teammate's machine that lacks the files: the report lists them as missing, writes
    nothing, and the index still gives every document's text (quotes check without the files)."""
    from fakes import HashEmbedder

    from assistant import index
    from assistant.config import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Gao lies on the Niger. Kidal is north.", encoding="utf-8")
    s = Settings(root=tmp_path, store_url=url, seeds_dir=docs)
    index.update(s, embedder=HashEmbedder(), log=lambda m: None)
    (docs / "a.txt").unlink()
    with PostgresStore(url) as store:
        before = (store.sources(), store.passages_of("docs/a.txt"))
        assert index.staleness(store, s).missing == ("docs/a.txt",)
        assert (store.sources(), store.passages_of("docs/a.txt")) == before
        assert index.indexed_text(store, "docs/a.txt") == "Gao lies on the Niger. Kidal is north."


def lock_holders(store) -> int:
    return store._read(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted",
        (LOCK_KEY,),
        one=True,
    )[0]


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- the whole pipeline on both stores (real embedder: slow) -------------------------------------

QUESTION = "When did Operation Serval become Operation Barkhane?"


def seeds_settings(tmp_path, url=None):
    from assistant.config import Settings

    return Settings(index_dir=tmp_path / "index", store_url=url, models_dir=tmp_path / "models")


def test_seeds_in_postgres_answer_with_exact_citations_as_in_the_folder(url, tmp_path, embedder, scripted):
    """Index the seeds into both stores through `index.update`; the same question, asked through
    the same app code, retrieves the same passages and cites exact quotes from both."""
    from assistant import index
    from assistant.answer import Assistant

    folder, pg = seeds_settings(tmp_path), seeds_settings(tmp_path, url)
    memo = Memo(embedder)  # the seeds are embedded once, for both stores
    for s in (folder, pg):
        index.update(s, embedder=memo, log=lambda m: None)
    a, b = index.open_store(folder), index.open_store(pg)
    assert isinstance(b, PostgresStore) and b.count() == a.count() > 0
    assert without_time(b.sources()) == without_time(a.sources())  # indexed_at: two runs, two times
    some = a.passages_of(sorted(a.sources())[0])
    assert b.passages_of(some[0].source) == some
    q = embedder.embed_query(QUESTION)
    assert [p for p, _ in b.dense_search(q, 20)] == [p for p, _ in a.dense_search(q, 20)]
    answers = []
    for s in (folder, pg):
        reply = "Operation Serval was transformed to Operation Barkhane in August 2014 [1]."
        plain = s.with_(max_risk=1.0)
        ans = Assistant(plain, embedder=embedder, llm=scripted(reply), log=lambda m: None).ask(QUESTION)
        assert not ans.abstained and ans.citations
        for c in ans.citations:
            text = open(s.root / c.source, encoding="utf-8", newline="").read()
            assert text[c.start : c.end] == c.quote and "2014" in c.quote
        answers.append([(c.source, c.start, c.end, c.quote) for c in ans.citations])
    assert answers[0] == answers[1]


class Memo:
    """The real embedder, remembering what it embedded (the same texts go into two stores)."""

    def __init__(self, inner):
        self.inner, self.seen, self.dimension = inner, {}, inner.dimension

    def embed(self, texts, progress=False):
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.inner.embed(new)))
        return np.stack([self.seen[t] for t in texts]) if texts else self.inner.embed(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.mark.slow
def test_assistant_index_killed_mid_write_leaves_postgres_as_it_was(url, tmp_path):
    """`assistant index --store URL` of the seeds, killed (SIGKILL) while its write transaction
    is open: the store still holds what the previous run wrote, and the next run succeeds."""
    small = tmp_path / "small"
    small.mkdir()
    (small / "note.txt").write_text("Operation Serval began in January 2013 in Mali.\n", encoding="utf-8")
    run_cli("index", str(small), "--store", url)
    with PostgresStore(url) as s:
        before = (s.sources(), s.passages_of(next(iter(s.sources()))), s.count())
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        seeds = str(HERE.parent.parent / "seeds")
        cmd = [sys.executable, "-m", "assistant", "index", seeds, "--store", url]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: lock_holders(s) > 0 or proc.poll() is not None, "the write", timeout=600)
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            proc.kill()
        assert b"Indexed:" not in proc.stdout.read()
        assert (s.sources(), s.passages_of(next(iter(before[0]))), s.count()) == before
    run_cli("index", seeds, "--store", url)
    with PostgresStore(url) as s:
        assert len(s.sources()) == len(before[0]) + 5 and s.count() > before[2]


@pytest.mark.slow
def test_retrieval_eval_scores_the_same_on_both_stores(url, tmp_path):
    """`assistant index` and `assistant eval --retrieval-only` with --store and with --index:
    the same recall@5 (the same BM25 in both; dense search exact on the seeds' 116 passages)."""
    recalls = []
    for where in (["--index", str(tmp_path / "index")], ["--store", url]):
        run_cli("index", *where)
        out = run_cli("eval", "--retrieval-only", "--json", "--out", str(tmp_path / "results"), *where)
        recalls.append(find(json.loads(out), "recall@5"))
    print("recall@5 folder, postgres:", recalls)
    assert recalls[0] is not None and recalls[0] == recalls[1], recalls


@pytest.mark.slow
def test_an_eval_with_a_password_in_the_store_url_writes_it_nowhere(url, project, tmp_path):
    """`assistant index` and `assistant eval --retrieval-only --store URL` with the password in
    the URL twice (user:password@ and ?password=): no file of the report and no line either
    command printed holds it (the test server trusts local connections: any password works)."""
    secret = "SECRETPW"
    pw_url = url.replace("postgres@", f"postgres:{secret}@") + f"?password={secret}"
    questions = tmp_path / "set.jsonl"
    quote = "Approximately 2,400 of France's 4,300 troops were in Mali."
    gold = {"source": "docs/serval.txt", "quote": quote}
    questions.write_text(
        json.dumps({"id": "q1", "question": "How many French troops were in Mali?", "category": "fact",
                    "answerable": True, "expected": [["2,400"]], "gold": [gold]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    env = {"ASSISTANT_ROOT": str(project)}
    printed = run_cli("index", str(project / "docs"), "--store", pw_url, env=env, both=True)
    out = tmp_path / "results"
    printed += run_cli(
        "eval", "--retrieval-only", "--questions", str(questions), "--store", pw_url, "--out", str(out),
        env=env, both=True,
    )  # fmt: skip
    files = [f for f in out.rglob("*") if f.is_file()]
    assert {"summary.json", "report.md", "results.jsonl"} <= {f.name for f in files}
    assert [f.name for f in files if secret.encode() in f.read_bytes()] == []
    assert secret not in printed and "Indexed:" in printed
    summary = json.loads(next(f for f in files if f.name == "summary.json").read_text())
    assert summary["summary"]["recall@5"] == 1.0 and "--store" in summary["meta"]["command"]


def without_time(files: dict) -> dict:
    return {s: {k: v for k, v in m.items() if k != "indexed_at"} for s, m in files.items()}


def run_cli(*args: str, env=None, both=False) -> str:
    """The CLI's stdout (and stderr, with `both`), run with no ASSISTANT_ setting but `env`."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + done.stderr if both else done.stdout


def find(data, key: str):
    """The first value of `key` anywhere in nested JSON."""
    if isinstance(data, dict):
        if key in data:
            return data[key]
        data = list(data.values())
    for item in data if isinstance(data, list) else []:
        found = find(item, key)
        if found is not None:
            return found
    return None


# --- the worker processes the tests above start ----------------------------------------------------

SOURCES_PER_GENERATION = 5
GENERATIONS = 40


def write_generation(s: PostgresStore, gen: int) -> None:
    """Every source replaced by generation `gen`'s: 5 sources x 3 passages, tagged gen<N>."""
    data = [
        source(f"s{i}.txt", [f"marker gen{gen} part {j}." for j in range(3)], seed=gen, meta={"gen": gen})
        for i in range(SOURCES_PER_GENERATION)
    ]
    with s.writing():
        write(s, *data)


def _generations(url: str, n: str) -> None:
    with PostgresStore(url) as s:
        for gen in range(1, int(n) + 1):
            write_generation(s, gen)
            time.sleep(0.1)  # so the readers, starting meanwhile, meet several generations


def _read(url: str, last: str) -> None:
    """Read until the writer's last generation is seen; every call must show one generation."""
    errors, seen, calls = [], set(), 0
    q = unit(1, seed=7)[0]
    deadline = time.monotonic() + 120
    with PostgresStore(url) as s:
        while time.monotonic() < deadline:
            metas = s.sources()
            gens = {m["gen"] for m in metas.values()}
            if len(metas) != SOURCES_PER_GENERATION or len(gens) != 1:
                errors.append(f"sources: {sorted(metas)} generations {sorted(gens)}")
            for name, hits in (
                ("keyword", s.keyword_search("marker", 100)),
                ("dense", s.dense_search(q, 100)),
            ):
                tags = {p.text.split()[1] for p, _ in hits}
                if len(hits) != 3 * SOURCES_PER_GENERATION or len(tags) != 1:
                    errors.append(f"{name}: {len(hits)} hits of {sorted(tags)}")
            calls += 1
            seen |= gens
            if int(last) in gens:
                break
    print(json.dumps({"errors": errors, "calls": calls, "generations": sorted(seen)}))


def _increment(url: str) -> None:
    with PostgresStore(url) as s:
        for _ in range(5):
            with s.writing():
                n = s.sources().get("counter", {}).get("n", 0)
                time.sleep(0.02)  # widen the window a lost update would need
                s.write(FINGERPRINT, [], [], {"counter": {"n": n + 1}})


def _big_write(url: str) -> None:
    """A write long enough to be killed in the middle: 20,000 passages into a table that is not
    empty, so each row joins the HNSW graph as it is copied (seconds, not milliseconds)."""
    n = 20_000
    vectors = unit(n, seed=11)
    passages = [Passage("big.txt", i, i + 1, f"synthetic passage {i}.") for i in range(n)]
    with PostgresStore(url) as s:
        s.write(FINGERPRINT, [SourceData("big.txt", {}, passages, vectors)], ["a.txt"], {"big.txt": {}})
    print("committed", flush=True)


if __name__ == "__main__":
    workers = {"generations": _generations, "read": _read, "increment": _increment, "big-write": _big_write}
    workers[sys.argv[1]](*sys.argv[2:])


@pytest.mark.slow
@pytest.mark.parametrize("where", ["folder", "postgres"])
def test_asking_with_a_file_gone_never_changes_the_index(url, tmp_path, where):
    """A file removed from disk before asking: `assistant search` and `assistant ask` (SmolLM2)
    only read. The document is still indexed afterwards, on either store, and the asker is told
    in one line that it is missing on disk."""
    import shutil

    docs = tmp_path / "docs"
    shutil.copytree(HERE.parent.parent / "seeds", docs)
    target = ["--store", url] if where == "postgres" else ["--index", str(tmp_path / "index")]
    run_cli("index", str(docs), *target)
    before = json.loads(run_cli("docs", "--json", *target))["documents"]
    gone = sorted(docs.glob("*.txt"))[0]
    gone.unlink()
    said = run_cli("search", "Operation Barkhane", *target, both=True)
    assert "1 indexed document is missing or changed on disk: run `assistant index` to update" in said
    answer = json.loads(run_cli("ask", "--json", "--model", "smollm2", "Who leads Mali?", *target))
    assert answer["notes"] == [
        "1 indexed document is missing or changed on disk: run `assistant index` to update"
    ]
    assert json.loads(run_cli("docs", "--json", *target))["documents"] == before
