"""Serving the web chat: `assistant ui` checks where it listens, warms up, and serves.

Beyond loopback the chat needs a login (`--auth FILE` of user:password lines, or the
ASSISTANT_UI_AUTH variable; Gradio's login page asks for it), unless `--insecure` says
anyone who can reach the machine may use it. Every route beside Gradio's is mounted by
`mount`, behind the same login.

    assistant ui                                   # http://127.0.0.1:7860, the default model
    assistant ui --host 0.0.0.0 --auth team.txt    # other machines, after a login
"""

import errno
import ipaddress
import os
import socket
import sys
import time
from pathlib import Path

from ..errors import AssistantError
from . import uploads

AUTH_VARIABLE = "ASSISTANT_UI_AUTH"
LOGIN_MESSAGE = "Log in with the user name and password you were given for this assistant."


def answer_slots(assistant) -> int:
    """How many answers are written at once: one with the in-process model (llama.cpp contexts
    are not thread-safe), the server's slots (ASSISTANT_LLM_PARALLEL) with a model server."""
    s = assistant.settings
    return s.llm_parallel if s.llm_url else 1


def credentials(auth_file: str | Path | None = None) -> list[tuple[str, str]] | None:
    """The logins `--auth FILE` (else ASSISTANT_UI_AUTH) holds: user:password, one a line;
    None when neither is given."""
    if auth_file:
        try:
            text, where = Path(auth_file).read_text(encoding="utf-8"), str(auth_file)
        except (OSError, UnicodeDecodeError) as e:
            raise AssistantError(f"cannot read --auth {auth_file} ({e}); pass a user:password file") from e
    elif os.environ.get(AUTH_VARIABLE):
        text, where = os.environ[AUTH_VARIABLE], AUTH_VARIABLE
    else:
        return None
    pairs = []
    for line in text.splitlines():
        user, colon, password = line.strip().partition(":")
        if line.strip() and not line.lstrip().startswith("#"):
            if not (colon and user and password):
                raise AssistantError(f"{where}: each line must be user:password; fix the line for {user!r}")
            pairs.append((user, password))
    if not pairs:
        raise AssistantError(f"{where} holds no user:password line; add one")
    return pairs


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may reach beyond this machine


def check_exposure(host: str, logins, insecure: bool) -> None:
    """Refuse, in one line, to serve beyond loopback without a login (unless --insecure)."""
    if not is_loopback(host) and not logins and not insecure:
        raise AssistantError(
            f"refusing to listen on {host} without a login: pass --auth FILE (user:password lines) "
            f"or set {AUTH_VARIABLE}=user:password; or --insecure to let anyone who reaches this machine in"
        )


def check_port(host: str, port: int) -> None:
    """Fail in one line, before the slow start, if host:port cannot be listened on."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself will
        try:
            s.bind((host, port))
        except OSError as e:
            fix = (
                "is the app already running? Pass another --port"
                if e.errno == errno.EADDRINUSE
                else "check --host and --port"
            )
            raise AssistantError(f"cannot listen on {host}:{port} ({e.strerror}); {fix}") from e


def login_required(app):
    """A FastAPI dependency: 401 unless the request carries a login Gradio gave (when the app
    has logins at all). Routes mounted beside Gradio's use it, so they are no way around it."""
    from fastapi import HTTPException, Request

    def check(request: Request) -> None:
        if getattr(app, "auth", None) is None:
            return
        cookie = f"access-token-{app.cookie_id}"
        token = request.cookies.get(cookie) or request.cookies.get(f"access-token-unsecure-{app.cookie_id}")
        if app.tokens.get(token) is None:
            raise HTTPException(401, "Log in first: open the assistant's address in a browser.")

    return check


def mount(app, web) -> None:
    """Every HTTP route served beside Gradio's, on its FastAPI `app`, behind its login: the
    web chat's own (routes.py: document view, PDF page, exports, feedback). Another front end
    served with the chat (an HTTP API) is mounted here too, with `login_required(app)`."""
    from . import routes

    routes.add_routes(app, web, login_required(app))


def launch(
    assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    upload_limit: int = uploads.MAX_BYTES,
    logins: list[tuple[str, str]] | None = None,
):
    """Start serving the app on host:port in the background; return the running Blocks."""
    import gradio as gr

    from .app import CSS, JS, build_app

    demo, web = build_app(assistant, upload_limit)
    demo.queue(default_concurrency_limit=1)
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            prevent_thread_lock=True,
            quiet=True,
            show_error=False,
            max_file_size=upload_limit,
            css=CSS,
            js=JS,
            theme=gr.themes.Soft(),
            footer_links=[],
            auth=logins or None,
            auth_message=LOGIN_MESSAGE,
        )
    except OSError as e:
        raise AssistantError(f"cannot listen on {host}:{port} ({e}); pass another --port") from e
    mount(demo.app, web)
    from ..service.app import attach

    attach(demo.app, assistant, host, guarded=bool(logins))  # the HTTP API, OpenAI chat, MCP (service/)
    return demo


def serve(assistant, host: str = "127.0.0.1", port: int = 7860, logins=None, insecure: bool = False) -> None:
    """`assistant ui`: check, warm up, serve, print the address, and run until Ctrl+C."""
    check_exposure(host, logins, insecure)
    check_port(host, port)  # before the slow warm-up, not after it
    warm_up(assistant)
    demo = launch(assistant, host, port, logins=logins)
    print(f"Cited assistant: open http://{host}:{port} in your browser (Ctrl+C to stop)", flush=True)
    if not is_loopback(host):
        who = "after a login" if logins else "without a login (--insecure)"
        print(f"Listening on {host}: anyone who can reach this machine can use the app {who}.", flush=True)
    try:
        while demo.is_running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping.")
    finally:
        demo.close()


def warm_up(assistant, log=lambda msg: print(msg, file=sys.stderr)) -> None:
    """Load the index, the embedder and the LLM before serving, so the first question is not
    also the slowest. In this thread: llama.cpp silences stdout while it loads, which would
    swallow the address printed meanwhile."""
    from .. import documents

    log("Loading the index, the embedder and the model...")
    documents.warn_if_stale(assistant.resources)  # answered from the index's copy until `assistant index`
    assistant.resources.warm_up()  # index, embedder, and the model with the fixed prompt cached
