"""One module per pipeline stage, each: preprocess -> run (onnxruntime) -> postprocess."""
