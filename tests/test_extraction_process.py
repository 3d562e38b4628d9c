"""A large buffer's edit is extracted in a worker process (index/extraction.py,
ExtractionProcess): its answer must be what `extract_file` gives in this process."""

from __future__ import annotations

from pathlib import Path

from store_records import facts_record

from repodoc_ls.extract import extract_file
from repodoc_ls.index.extraction import ExtractionProcess
from repodoc_ls.model import FileFacts

SOURCES = [
    ("pkg/mod.py", (Path(__file__).parent.parent / "repodoc_ls" / "index" / "graph.py").read_bytes()),
    ("pkg/broken.py", b"def f(:\n    pass\n"),
    ("notes.md", b"# Title\n\nText.\n"),
]


def test_the_process_gives_the_facts_of_this_process():
    process = ExtractionProcess()
    try:
        for path, data in SOURCES:
            facts, record = process.extract(path, data)
            expected = facts_record(extract_file(path, data).to_bytes())
            # the same record, compared decoded: marshal's bytes depend on which strings
            # each process happens to share (its back-references), not on the facts
            assert facts_record(record) == expected
            assert facts_record(facts.to_bytes()) == expected
    finally:
        process.close()


def test_a_dead_process_falls_back_to_this_one():
    process = ExtractionProcess()
    try:
        path, data = SOURCES[0]
        process.extract(path, data)  # started
        pool = process._pool
        assert pool is not None
        for worker in list(pool._processes.values()):
            worker.kill()
            worker.join()
        facts, record = process.extract(path, data)  # the pool is broken: extracted here
        expected = facts_record(extract_file(path, data).to_bytes())
        assert facts_record(record) == expected == facts_record(facts.to_bytes())
        assert isinstance(FileFacts.from_bytes(record), FileFacts)
        facts, record = process.extract(path, data)  # and a new process next time
        assert facts_record(record) == expected
    finally:
        process.close()
