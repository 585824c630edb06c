"""The Florence-2 engine's cost on this CPU, at Florence-2-base's real size, with random weights.

No weights can be downloaded here, so this builds a randomly initialised model with the shapes
of florence-community/Florence-2-base's published config (DaViT vision tower 128-256-512-1024,
BART text model d_model 768, 6 + 6 layers, vocabulary 51289 + <image>; transformers'
Florence2Config() defaults are neither base nor large) and times the engine's whole path on a
page: decode, squash to 768, vision tower, and greedy generation of exactly --tokens tokens
(random weights never stop early: min_new_tokens holds them to the count). Seconds per image and
the process's peak RSS (VmHWM) are what a real checkpoint costs for answers of that length;
accuracy needs the real weights.

    python bench/florence.py --tokens 64 --images 3 --batch 1
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "florence2"))

BASE_VISION = {  # florence-community/Florence-2-base, config.json vision_config
    "depths": [1, 1, 9, 1],
    "embed_dim": [128, 256, 512, 1024],
    "num_heads": [4, 8, 16, 32],
    "num_groups": [4, 8, 16, 32],
    "window_size": 12,
    "projection_dim": 768,
    "drop_path_rate": 0.0,
}
BASE_TEXT = {  # ... text_config: BART-base
    "model_type": "bart",
    "d_model": 768,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 12,
    "decoder_attention_heads": 12,
    "encoder_ffn_dim": 3072,
    "decoder_ffn_dim": 3072,
    "max_position_embeddings": 1024,
    "bos_token_id": 0,
    "pad_token_id": 1,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
}
VOCAB = 51289  # Florence-2's vocabulary; <image> is token 51289


def cpu_seconds() -> float:
    """This process's CPU time: on a shared machine it counts the work, not the waiting."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_base(folder: Path) -> int:
    """The tiny model's tokenizer and processor (at 768), with base-size random weights."""
    import tiny
    import torch
    from transformers import AutoTokenizer, Florence2Config, Florence2ForConditionalGeneration

    tiny.build(folder, side=768)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    config = Florence2Config(
        vision_config=BASE_VISION,
        text_config={**BASE_TEXT, "vocab_size": VOCAB + 1},
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
    )
    torch.manual_seed(0)
    model = Florence2ForConditionalGeneration(config)
    model.save_pretrained(folder)
    return sum(p.numel() for p in model.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64, help="tokens generated per image")
    parser.add_argument("--images", type=int, default=3, help="images timed (after one warm-up)")
    parser.add_argument("--batch", type=int, default=1, help="images per generate call")
    parser.add_argument("--beams", type=int, default=1, help="beam search width")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    from textlens.florence2 import Florence2

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "Florence-2-base-random"
        params = build_base(folder)
        started = time.perf_counter()
        engine = Florence2(
            folder,
            max_new_tokens=args.tokens,
            num_beams=args.beams,
            batch_size=args.batch,
            cpu_threads=args.threads,
        )
        loaded = time.perf_counter() - started
    generate = engine._loaded.model.generate

    def fixed_length(*a, **k):  # random weights may write </s> at once: hold them to the count
        return generate(*a, **k, min_new_tokens=args.tokens)

    engine._loaded.model.generate = fixed_length
    page = str(ROOT / "samples" / "invoice.png")
    engine.predict([page] * args.batch, task="<OCR>")  # warm-up
    count = args.images * args.batch
    started, cpu = time.perf_counter(), cpu_seconds()
    engine.predict([page] * count, task="<OCR>")
    per_image = (time.perf_counter() - started) / count
    cpu_per_image = (cpu_seconds() - cpu) / count
    print(
        f"Florence-2-base shapes, random weights: {params / 1e9:.3f}B parameters; load "
        f"{loaded:.1f} s; {args.tokens} tokens/image, batch {args.batch}, beams {args.beams}: "
        f"{per_image:.2f} s/image wall, {cpu_per_image:.2f} CPU-s/image on "
        f"{engine._threads} thread(s); "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
