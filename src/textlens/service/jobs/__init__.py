"""Jobs: documents of any size read in the background, page by page, surviving restarts.

store.py keeps them (SQLite), worker.py runs them on each worker process's OCR thread,
signing.py signs the links their results are fetched by, ppocr.py and api.py are the PP-OCR
hosted job API built on them.
"""
