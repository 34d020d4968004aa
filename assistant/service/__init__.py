"""The assistant as a service (`assistant serve`, `assistant mcp`), in the order a request meets it:

    app.py          the FastAPI app, `mount` (also under `assistant ui`), uvicorn
    access.py       who may call (loopback, API key), body limits, every error as JSON
    routes.py       /v1/ask (JSON or server-sent events), /v1/search, /v1/documents, /healthz
    openai_chat.py  /v1/chat/completions and /v1/models for OpenAI-compatible clients
    mcp_server.py   the MCP tools (search, ask, list_documents, read_document): stdio and /mcp
    core.py         `Service`: the calls of the library every route and tool makes
    queue.py        one answer at a time in-process (N with a model server); full: 429
    streaming.py    an answer written in a thread, read as events in the event loop
    errors.py       the HTTP status and type of each error
    client.py       the terminal's side: ask/search/chat through ASSISTANT_URL

Every answer is `Assistant.ask`, the call the CLI, the web chat and the eval make; its JSON is
`Answer.to_json()`, what `assistant ask --json` prints.
"""
