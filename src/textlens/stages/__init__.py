"""One module per pipeline stage, each: preprocess -> run (runtime.py) -> postprocess."""
