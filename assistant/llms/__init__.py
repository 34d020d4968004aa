"""Model backends behind the ChatModel Protocol (generate.py): the in-process llama.cpp model
lives in generate.py; `openai.OpenAIModel` talks to any OpenAI-compatible server, and
`serve` starts one (llama.cpp's, from the xllamacpp wheel) for `assistant serve-model`."""
