"""The terminal front end: `cli.py` (the `assistant` commands), `render.py` (answers, sources and
reports styled for a terminal or plain for a pipe), `live.py` (the status line, the streamed draft
and indexing progress)."""
