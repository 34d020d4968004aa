"""The web chat (`assistant ui`): app.py wires Gradio to `Assistant`; session.py, highlight.py
and uploads.py are its pure parts, each tested alone; static/ holds its CSS and JS."""
