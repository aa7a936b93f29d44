"""Rebuild ``tiny-whisper-ct2/``: a Whisper model with random weights, tiny enough to
ship as test data (about 1 MB), converted to CTranslate2 the way real models are.

It recognises nothing meaningful; it exists so the faster-whisper adapter runs a real
model offline (load, decode audio, segments with timestamps). Needs torch and
transformers (not test dependencies), and makes no network call:

    HF_HUB_OFFLINE=1 python tests/interviews/data/make_tiny_whisper.py \
        tests/interviews/data/tiny-whisper-ct2
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from ctranslate2.converters import TransformersConverter
from transformers import (
    WhisperConfig,
    WhisperFeatureExtractor,
    WhisperForConditionalGeneration,
    WhisperTokenizer,
    WhisperTokenizerFast,
)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: the 256 base tokens of Whisper's tokenizer."""
    bs = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), 256)]
    cs = bs[:]
    extra = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + extra)
            extra += 1
    return dict(zip(bs, [chr(c) for c in cs], strict=True))


SPECIALS = [
    "<|endoftext|>",
    "<|startoftranscript|>",
    "<|en|>",
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nocaptions|>",
    "<|notimestamps|>",
]


def main(out: Path) -> None:
    hf = out.parent / (out.name + "-hf")
    hf.mkdir(parents=True, exist_ok=True)
    (hf / "vocab.json").write_text(
        json.dumps({c: i for i, c in enumerate(bytes_to_unicode().values())})
    )
    (hf / "merges.txt").write_text("#version: 0.2\n")
    eot = "<|endoftext|>"
    tok = WhisperTokenizer(
        str(hf / "vocab.json"),
        str(hf / "merges.txt"),
        unk_token=eot,
        bos_token=eot,
        eos_token=eot,
        pad_token=eot,
    )
    tok.add_special_tokens({"additional_special_tokens": SPECIALS})
    tok.add_tokens([f"<|{i * 0.02:.2f}|>" for i in range(1501)])  # timestamps follow notimestamps
    tok.save_pretrained(hf)
    WhisperTokenizerFast.from_pretrained(hf).save_pretrained(hf)  # tokenizer.json
    ids = {t: tok.convert_tokens_to_ids(t) for t in SPECIALS}
    torch.manual_seed(0)
    config = WhisperConfig(
        vocab_size=len(tok),
        num_mel_bins=80,
        d_model=64,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_source_positions=1500,
        max_target_positions=448,
        decoder_start_token_id=ids["<|startoftranscript|>"],
        bos_token_id=ids[eot],
        eos_token_id=ids[eot],
        pad_token_id=ids[eot],
        suppress_tokens=[],
        begin_suppress_tokens=[ids[eot]],
    )
    WhisperForConditionalGeneration(config).save_pretrained(hf)
    WhisperFeatureExtractor(feature_size=80).save_pretrained(hf)
    TransformersConverter(
        str(hf), copy_files=["tokenizer.json", "preprocessor_config.json"]
    ).convert(str(out), quantization="int8", force=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
