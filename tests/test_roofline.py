"""The roofline limits a record is compared with (ramverk/results/roofline.py): the GPUs' data-sheet
ceilings per dtype, memory bandwidth, and the work expressions of BENCHMARK, evaluated as arithmetic only.
The CPU's FLOP/s ceiling (data sheet and FMA probe) is tested in test_ceiling.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from ramverk.contract.results_model import Device, Machine
from ramverk.results import roofline


def _machine(**fields) -> Machine:
    return Machine(**{"name": "m", "cpu_model": "Some CPU", "logical_cores": 8, "os": "Linux", "python": "3.11",
                      **fields})


CPU = Device(kind="cpu", name="Some CPU, 2 threads")


@pytest.mark.parametrize("name, dtype, expected", [
    ("NVIDIA H200", "float32", 67e12), ("NVIDIA H200", "tf32", 494.5e12), ("NVIDIA H200", "bfloat16", 989.5e12),
    ("NVIDIA H200", "float16", 989.5e12), ("NVIDIA H200 NVL", "float32", 60e12), ("NVIDIA H200 NVL", "tf32", 417.5e12),
    ("NVIDIA H100 PCIe", "bfloat16", 756.5e12), ("NVIDIA H100 80GB HBM3", "float32", 67e12),
    ("NVIDIA A100-SXM4-80GB", "tf32", 156e12),
])
def test_gpu_flops_limit_picks_the_model_variant_and_the_dtype_rate(name, dtype, expected):
    gpu = Device(kind="cuda", name=name)
    limit = roofline.limit_for("flops", _machine(), gpu, 4, {"n": 4096, "dtype": dtype})
    assert limit.per_second == expected
    rate_name = roofline.GPU_RATE[dtype][1]
    assert f"dense {rate_name} peak" in limit.how["en"] and f"tät {rate_name}-topp" in limit.how["sv"]
    assert "nvidia.com" in limit.how["en"]


def test_gpu_tensor_core_rates_are_dense_not_the_sparsity_figures():
    for gpu in roofline.gpus():  # dense TF32 is half of dense BF16 on these parts (printed figures are rounded)
        assert gpu.tf32_flops == pytest.approx(gpu.bf16_flops / 2, rel=0.01), gpu.match
        assert gpu.fp32_flops < gpu.tf32_flops, gpu.match


def test_gpu_limits_without_a_known_model_or_rate():
    assert roofline.flops_limit(_machine(), Device(kind="cuda", name="NVIDIA T4"), 1) is None
    assert roofline.flops_limit(_machine(), Device(kind="cuda", name="NVIDIA H200"), 1, "int8") is None
    assert roofline.bandwidth_limit(_machine(), Device(kind="cuda", name="NVIDIA T4"), 1) is None


def test_bandwidth_limits():
    assert roofline.limit_for("bytes", _machine(stream_triad_gbs=26.0), CPU, 1).per_second == pytest.approx(26e9)
    assert roofline.bandwidth_limit(_machine(), CPU, 1) is None  # not measured: no limit
    h200 = roofline.limit_for("bytes", _machine(), Device(kind="cuda", name="NVIDIA H200"), 1, {"dtype": "bfloat16"})
    assert h200.per_second == 4.8e12 and "memory bandwidth" in h200.how["en"]


@pytest.mark.parametrize("expression, params, expected", [
    ("2*n**3", {"n": 4, "dtype": "tf32"}, 128.0),  # a string parameter is no name
    ("3 * 4 * n", {"n": 1000}, 12000.0),
    ("4*batch*784*hidden + 6*batch*hidden*10", {"batch": 2, "hidden": 3}, 4 * 2 * 784 * 3 + 6 * 2 * 3 * 10),
    ("(n - 1) * n / 2", {"n": 5}, 10.0),
    ("-n + 2.5e1", {"n": 5}, 20.0),
    ("2**-1 * n", {"n": 6}, 3.0),
    ("8 * n", {"n": 0.5}, 4.0),
])
def test_work_per_call_evaluates_arithmetic(expression, params, expected):
    assert roofline.work_per_call(expression, params) == pytest.approx(expected)
    assert isinstance(roofline.work_per_call(expression, params), float)


@pytest.mark.parametrize("expression, params, message", [
    ("__import__('os').getcwd()", {"n": 1}, "not"),  # a call: the old regex let `(` and `.` through
    ("n.real", {"n": 1}, "not 'n.real'"),
    ("m * 2", {"n": 1}, "uses 'm', which is not a numeric size parameter"),
    ("dtype * 2", {"dtype": "tf32"}, "uses 'dtype'"),
    ("flag * 2", {"flag": True}, "uses 'flag'"),  # a bool is no size
    ("n // 2", {"n": 4}, "not 'n // 2'"),
    ("n % 2", {"n": 4}, "not 'n % 2'"),
    ("[n][0]", {"n": 4}, "not"),
    ("n if n else 1", {"n": 4}, "not"),
    ("'a' * n", {"n": 4}, "not \"'a'\""),
    ("1 / (n - 4)", {"n": 4}, "divides by zero"),
    ("10.0 ** 400", {}, "overflows"),
    ("9 ** 9 ** 9", {}, "overflows"),  # no giant integer is built
    ("(-8) ** 0.5", {}, "not a finite number"),
    ("2 *", {"n": 1}, "not an arithmetic expression"),
    ("", {}, "not an arithmetic expression"),
])
def test_work_per_call_refuses_anything_but_arithmetic_naming_the_expression(expression, params, message):
    with pytest.raises(ValueError, match="work expression") as raised:
        roofline.work_per_call(expression, params)
    assert repr(expression) in str(raised.value) and message in str(raised.value), str(raised.value)


def test_work_per_call_never_runs_the_expression(monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "eval", lambda *a, **k: pytest.fail("eval was called"))
    assert roofline.work_per_call("2*n", {"n": 3}) == 6.0
    assert "eval(" not in Path(roofline.__file__).read_text(encoding="utf-8")
