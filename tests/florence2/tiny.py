"""A tiny, randomly initialised Florence-2 in a folder, laid out as a Hugging Face checkpoint.

No weights can be downloaded where the tests run, so they build one: transformers' own
Florence-2 classes at toy sizes, a byte-level BPE tokenizer (every byte a token, no merges)
carrying Florence's special and location tokens and its `<image>` token, and a CLIP image
processor at a small square. Loading, pre-processing, generation and post-processing then run
the real code paths; only what the model writes is noise (tests that need known answers feed
the parsers known strings).
"""

from __future__ import annotations

import json
from pathlib import Path

SIDE = 64  # the tiny model's own input square: a 2 x 2 grid after the vision tower
FLORENCE_TOKENS = (
    ["<od>", "</od>", "<ocr>", "</ocr>"]
    + [f"<loc_{i}>" for i in range(1000)]
    + [
        f"<{name}>"
        for pair in (
            "cap",
            "ncap",
            "dcap",
            "grounding",
            "seg",
            "region_cap",
            "region_to_desciption",
            "proposal",
            "poly",
        )
        for name in (pair, f"/{pair}")
    ]
    + ["<sep>", "<and>"]
)


def _byte_vocab() -> dict[str, int]:
    """GPT-2's byte-level alphabet (each byte as a printable character), after BART's four
    specials, so any text tokenizes."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars, extra = [], 0
    for byte in range(256):
        if byte in printable:
            chars.append(chr(byte))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for ch in chars:
        vocab.setdefault(ch, len(vocab))
    vocab["<mask>"] = len(vocab)
    return vocab


def build(folder: Path, *, seed: int = 0, side: int = SIDE) -> Path:
    """Write the tiny model, its tokenizer and its processor to `folder`."""
    import torch
    from transformers import (
        AddedToken,
        BartTokenizer,
        CLIPImageProcessorPil,
        Florence2Config,
        Florence2ForConditionalGeneration,
        Florence2Processor,
    )

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = BartTokenizer(
        vocab=_byte_vocab(), merges=[], extra_special_tokens={"image_token": "<image>"}
    )
    tokenizer.add_tokens(
        [AddedToken(t, special=True, normalized=False) for t in FLORENCE_TOKENS],
        special_tokens=True,
    )
    tokenizer.add_tokens(AddedToken("<image>", special=True, normalized=False), special_tokens=True)
    image_processor = CLIPImageProcessorPil(
        size={"height": side, "width": side},
        do_center_crop=False,
        crop_size={"height": side, "width": side},
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
        resample=3,
    )
    image_processor.image_seq_length = (side // 32) ** 2 + 1
    Florence2Processor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    config = Florence2Config(
        vision_config={
            "depths": [1, 1, 1, 1],
            "embed_dim": [8, 16, 32, 64],
            "num_heads": [1, 2, 2, 4],
            "num_groups": [1, 2, 2, 4],
            "projection_dim": 32,
            "window_size": 2,
            "drop_path_rate": 0.0,
        },
        text_config={
            "model_type": "bart",
            "vocab_size": len(tokenizer),
            "d_model": 32,
            "encoder_layers": 1,
            "decoder_layers": 1,
            "encoder_attention_heads": 2,
            "decoder_attention_heads": 2,
            "encoder_ffn_dim": 64,
            "decoder_ffn_dim": 64,
            "max_position_embeddings": 1100,
            "bos_token_id": 0,
            "pad_token_id": 1,
            "eos_token_id": 2,
            "decoder_start_token_id": 2,
        },
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
    )
    torch.manual_seed(seed)
    Florence2ForConditionalGeneration(config).save_pretrained(folder)
    return folder


def other_model(folder: Path) -> Path:
    """A folder holding a model that is not Florence-2 (its config only: it is refused first)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    return folder
