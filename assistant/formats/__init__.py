"""One reader per document format, each turning a file into the exact text citations index.

    pdf.py   pypdf's text of each page, with the spans a reader cannot see and the page furniture
    html.py  a saved web page's readable text: one heading, paragraph, list item or cell a line
    docx.py  a Word file's paragraphs, headings and table cells, one a line

`ingest.py` picks the reader by file suffix and turns the text into passages; nothing here
splits sentences. Each reader is a pure function of the file's bytes (and the installed library
version), so `ingest.document_text` can give the same text again at citation time.
"""
