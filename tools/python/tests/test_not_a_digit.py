""""Not a digit" (ABI 2): Result.digit is None when class 10 of an 11-class
model wins. The models are written by tools/format/dgi.py (the format's
independent reference writer): a dense layer with zero weights whose biases
are twice the wanted logits, requantized by 0.5, output scale 1/16, so
softmax_beta is the worked example's 1512775 and a logit 32 below the best
weighs 145315229 against the best's 2^30 (docs/FORMAT.md, section 11)."""

from __future__ import annotations

import struct
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "tools" / "format"))
import dgi as spec  # noqa: E402

E_BEST, E_32 = 2 ** 30, 145315229


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def constant_model(logits):
    q = -128
    n = len(logits)
    flatten = spec.Layer(spec.FLATTEN, 0, q, q, (28, 28, 1), (1, 1, 784), out_scale=spec.to_f32(1 / 255))
    dense = spec.Layer(spec.DENSE, 0, q, 0, (1, 1, 784), (1, 1, n), out_scale=0.0625, weights=[0] * (784 * n),
                       bias=[2 * v for v in logits], multipliers=[1 << 30] * n, shifts=[0] * n)
    return spec.write(spec.Model(name="constant", metadata="", layers=[flatten, dense],
                                 softmax_beta=spec.softmax_beta_for_scale(0.0625)))


BLANK = bytes(784)


def test_refusal(dgi):
    model = dgi.Model(constant_model([-16] * 7 + [0] + [-16] * 2 + [16]))
    assert model.class_count == 11 and model.has_not_a_digit and model.format_version == (1, 2)
    result = model.classify(BLANK)
    assert result.digit is None and result.not_a_digit and result.predicted_class == 10
    assert result.confidence == result.not_a_digit_probability
    assert result.best_digit == 7 and result.best_confidence == result.probabilities[7]
    assert len(result.probabilities) == 10
    assert max(result.probabilities) == result.probabilities[7] < result.not_a_digit_probability
    assert abs(sum(result.probabilities) + result.not_a_digit_probability - 1) < 1e-6
    assert model.infer(BLANK) == [-16] * 7 + [0] + [-16] * 2 + [16]
    assert model.classify_batch([BLANK, BLANK], threads=2) == [result, result]
    assert model.infer_batch(BLANK * 3) == [model.infer(BLANK)] * 3


def test_refusal_probabilities_by_hand(dgi):
    model = dgi.Model(constant_model([-16] * 10 + [16]))
    result = model.classify(BLANK)
    total = f32(E_BEST + 10 * E_32)
    assert result.not_a_digit_probability == f32(E_BEST / total) == result.confidence
    assert result.probabilities == tuple([f32(f32(E_32) / total)] * 10)  # binary32 operands, as section 11
    assert result.best_digit == 0  # ten tied digits: the first


def test_a_digit_tied_with_not_a_digit_wins(dgi):
    model = dgi.Model(constant_model([-16] * 4 + [16] + [-16] * 5 + [16]))
    result = model.classify(BLANK)
    total = f32(2 * E_BEST + 9 * E_32)
    assert result.digit == 4 == result.best_digit and not result.not_a_digit
    assert result.confidence == f32(E_BEST / total) == result.not_a_digit_probability


def test_ten_classes_are_unchanged(dgi):
    model = dgi.Model(constant_model([-16] * 3 + [16] + [-16] * 6))
    assert not model.has_not_a_digit and model.format_version == (1, 1)
    result = model.classify(BLANK)
    total = f32(E_BEST + 9 * E_32)
    assert result.digit == 3 == result.best_digit == result.predicted_class
    assert not result.not_a_digit and result.not_a_digit_probability == 0
    assert result.confidence == f32(E_BEST / total)
    assert len(model.infer(BLANK)) == 10


def test_twelve_classes_are_unsupported(dgi):
    data = bytearray(constant_model([0] * 11))
    struct.pack_into("<H", data, 32, 12)
    struct.pack_into("<I", data, 16, spec.file_checksum(data, len(data)))
    with pytest.raises(dgi.ModelError) as error:
        dgi.Model(bytes(data))
    assert error.value.status == dgi.Status.ERROR_UNSUPPORTED


def test_a_result_built_by_hand_takes_best_digit_from_digit(dgi):
    result = dgi.Result(digit=5, confidence=0.5, probabilities=(0.1,) * 10)
    assert result.best_digit == 5 and not result.not_a_digit and result.predicted_class == 5
