"""The CPU's FLOP/s ceiling: measured by the FMA probe where it ran, the data-sheet figure of the core design
otherwise (labelled so), a rate above it fails the build, and a results file of another core design is refused."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import helpers
import pytest
from ramverk import sections
from ramverk.checks import marker_checks
from ramverk.contract import site_config
from ramverk.contract.results_model import Case, Device, Machine, Record, ResultsFile, Statistics
from ramverk.measure import devices, runner
from ramverk.render import markers
from ramverk.render.marker_handlers import HANDLERS
from ramverk.results import results_store, roofline

CPU = Device(kind="cpu", name="AMD EPYC, 1 thread")
ZEN4_FLAGS = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16"]
ZEN3_FLAGS = ["sse4_2", "avx", "avx2", "fma", "f16c"]
MATMUL = "snippets/hardware/matmul_gflops.py"


def _machine(**fields) -> Machine:
    return Machine(**{"name": "amd-epyc-1t", "cpu_model": "AMD EPYC", "logical_cores": 2, "os": "Linux",
                      "python": "3.11.7", "cpu_flags": ZEN4_FLAGS, "cpu_max_mhz": 2596.1, **fields})


@pytest.mark.parametrize("identity, flags, design, per_cycle", [
    ({"cpu_vendor": "AuthenticAMD", "cpu_family": 25, "cpu_model_number": 17}, ZEN4_FLAGS, "AMD Zen 4", 32),
    ({"cpu_vendor": "AuthenticAMD", "cpu_family": 25, "cpu_model_number": 1}, ZEN3_FLAGS, "AMD Zen 3", 32),
    ({}, ZEN4_FLAGS, "AMD Zen 4", 32),  # an old file: AMD with avx512f is Zen 4, AVX-512 on 256-bit pipes
    ({}, ZEN3_FLAGS, "AMD Zen 2 or Zen 3", 32),
    ({"cpu_vendor": "GenuineIntel", "cpu_family": 6, "cpu_model_number": 143}, ZEN4_FLAGS, "Intel with AVX-512", 64),
])
def test_the_data_sheet_figure_comes_from_the_core_design_and_is_labelled_as_such(identity, flags, design, per_cycle):
    limit = roofline.flops_limit(_machine(cpu_flags=flags, **identity), CPU, threads=2)
    assert limit.per_second == pytest.approx(2 * 2.5961e9 * per_cycle)
    assert not limit.measured and limit.ceiling
    assert limit.short == {"sv": "databladsvärde, inte uppmätt", "en": "data-sheet figure, not measured"}
    assert limit.how["en"].startswith(f"data-sheet figure, not measured: {design}")
    assert f"2 × 2.5961 GHz × {per_cycle} = " in limit.how["en"] and f"2 × 2,5961 GHz × {per_cycle} = " in limit.how["sv"]
    assert "Optimization" in limit.how["en"]  # the vendor's guide is named as the source
    assert "the next time the runner runs on this machine" in limit.how["en"]
    assert "nästa gång mätskriptet körs på maskinen" in limit.how["sv"]
    assert not re.search(r"\b(lanes|units|pipes|measured|figure)\b", limit.how["sv"]), limit.how["sv"]


def test_the_reference_zen4_file_gets_32_flop_per_cycle_not_64():
    machine = results_store.load(helpers.ROOT / "results" / "amd-epyc-1t.json").machine
    limit = roofline.flops_limit(machine, CPU, 1)
    assert limit.per_second == pytest.approx(machine.cpu_max_mhz * 1e6 * 32)
    assert "AMD Zen 4" in limit.how["en"] and "256-bit datapath" in limit.how["en"]


def test_the_measured_ceiling_is_the_limit_with_the_data_sheet_figure_beside_it():
    machine = _machine(cpu_vendor="AuthenticAMD", cpu_family=25, cpu_model_number=1, cpu_flags=ZEN3_FLAGS,
                       cpu_max_mhz=2445.0, fma_gflops=103.5, fma_vector_bits=256)
    limit = roofline.flops_limit(machine, CPU, threads=1)
    assert limit.per_second == pytest.approx(103.5e9) and limit.measured and limit.ceiling
    assert limit.short == {"sv": "uppmätt, FMA-test", "en": "measured, FMA probe"}
    assert "measured on this machine by the runner's FMA probe" in limit.how["en"] and "256-bit vectors" in limit.how["en"]
    assert "The data-sheet figure beside it: AMD Zen 3" in limit.how["en"]
    assert "1 × 2.445 GHz × 32 = 78\u00a0GFLOP/s" in limit.how["en"]
    assert "Databladsvärdet bredvid: AMD Zen 3" in limit.how["sv"] and "2,445 GHz" in limit.how["sv"]
    unknown = roofline.flops_limit(machine.model_copy(update={"cpu_vendor": "CentaurHauls", "cpu_flags": []}), CPU, 1)
    assert unknown.per_second == pytest.approx(103.5e9) and "no data-sheet figure" in unknown.how["en"]


def test_no_cpu_ceiling_without_a_clock_and_a_known_design_or_for_other_formats():
    assert roofline.flops_limit(_machine(cpu_max_mhz=None), CPU, 1) is None
    assert roofline.flops_limit(_machine(cpu_flags=["asimd"], cpu_model="Neoverse"), CPU, 1) is None
    assert roofline.flops_limit(_machine(), CPU, 1, "bfloat16") is None
    assert roofline.limit_for("flops", _machine(), CPU, 1, {"n": 64, "dtype": "tf32"}) is None
    named = _machine(cpu_model="Intel(R) Xeon(R) CPU @ 2.20GHz", cpu_max_mhz=None, cpu_flags=["avx2", "fma"])
    assert roofline.flops_limit(named, CPU, 1).per_second == pytest.approx(2.2e9 * 32)  # the clock from the name


def test_a_rate_above_its_ceiling_names_both_and_other_limits_are_no_ceiling():
    ceiling = roofline.flops_limit(_machine(), CPU, 1)
    assert roofline.rate_over_ceiling(ceiling.per_second * 0.99, "flops", ceiling) is None
    why = roofline.rate_over_ceiling(1.2e11, "flops", ceiling)
    assert "the measured rate 1.2e+11 FLOP/s is above its ceiling 8.308e+10 FLOP/s" in why
    assert "data-sheet figure, not measured" in why
    triad = roofline.bandwidth_limit(_machine(stream_triad_gbs=10.0), CPU, 1)  # a cached case may beat DRAM
    assert roofline.rate_over_ceiling(5e10, "bytes", triad) is None
    gpu = roofline.flops_limit(_machine(), Device(kind="cuda", name="NVIDIA H200"), 1)  # JAX may use TF32
    assert roofline.rate_over_ceiling(1e14, "flops", gpu) is None


def _matmul_record(framework: str, median_s: float) -> Record:
    root = site_config.load().root
    return Record(snippet=MATMUL, snippet_hash=sections.run_hash(root / MATMUL, framework),
                  case=Case(framework=framework, mode={"jax": "jit"}.get(framework, "eager"), size="full",
                            params={"n": 1024}),
                  device=CPU, framework_version="1", threads=1,
                  stats=Statistics(median_s=median_s, q1_s=median_s, q3_s=median_s, min_s=median_s, max_s=median_s,
                                   n=5, number=1),
                  date_utc=datetime(2026, 12, 1, tzinfo=timezone.utc), commit="0123456789abcdef", dirty=False)


def test_a_planted_rate_above_the_ceiling_fails_the_build_and_the_check(tmp_path, monkeypatch):
    root = helpers.checkout(tmp_path / "repo", "snippets")
    monkeypatch.setenv("RAMVERK_ROOT", str(root))
    machine = _machine(name="zen4", cpu_vendor="AuthenticAMD", cpu_family=25, cpu_model_number=17, fma_gflops=80.0,
                       fma_vector_bits=512)
    flops = 2 * 1024**3
    too_fast = _matmul_record("jax", flops / 100e9)  # 100 GFLOP/s against a measured 80
    results_store.save(root / "results" / "zen4.json",
                       ResultsFile(machine=machine, records=[_matmul_record("numpy", flops / 60e9), too_fast]))
    page = "docs/hardware/cpu-gpu-tpu.en.md"
    with pytest.raises(markers.MarkerError) as raised:
        markers.render_lines(f"<!-- timing: {MATMUL} -->", HANDLERS, page=page, lang="en")
    message = str(raised.value)
    assert message.startswith(f"{page}:1: marker 'timing: {MATMUL}'")
    assert "jax/jit" in message and "numpy" not in message
    assert "the measured rate 1e+11 FLOP/s is above its ceiling 8e+10 FLOP/s (measured, FMA probe" in message
    docs = root / "docs" / "hardware"
    docs.mkdir(parents=True, exist_ok=True)
    for lang in ("sv", "en"):
        (docs / f"cpu-gpu-tpu.{lang}.md").write_text(f"# X\n\n<!-- timing: {MATMUL} -->\n", encoding="utf-8")
    problems = [p for p in marker_checks.markers_valid() if "cpu-gpu-tpu" in p]
    assert len(problems) == 2 and all("is above its ceiling 8e+10 FLOP/s" in p for p in problems), problems
    results_store.save(root / "results" / "zen4.json", ResultsFile(machine=machine, records=[
        _matmul_record("numpy", flops / 60e9)]))
    table = "\n".join(markers.render_lines(f"<!-- timing: {MATMUL} chart=no -->", HANDLERS, page=page, lang="en"))
    assert "60.0\u00a0GFLOP/s (75%)" in table and "of the limit 80.0\u00a0GFLOP/s" in table


HERE = {"cpu_vendor": "AuthenticAMD", "cpu_family": 25, "cpu_model_number": 1, "cpu_flags": ZEN3_FLAGS}


@pytest.mark.parametrize("stored, refused", [
    ({"cpu_vendor": "AuthenticAMD", "cpu_family": 25, "cpu_model_number": 17}, "family 25 model 17"),
    ({"cpu_flags": ZEN4_FLAGS}, "records no CPU family or model, and its CPU flags differ"),  # the old reference file
    ({"cpu_flags": ZEN3_FLAGS}, None),  # an old file of the same flags: this machine may go on writing it
    (HERE, None),
])
def test_a_results_file_of_another_core_design_is_refused(stored, refused):
    why = devices.identity_conflict(_machine(**{"cpu_flags": []} | stored), _machine(**HERE))
    assert (why is None) if refused is None else (refused in why and "'amd-epyc-1t'" in why), why


def test_the_runner_writes_nothing_into_another_cpus_file(tmp_path, monkeypatch):
    here = _machine(name="x", **HERE)
    monkeypatch.setattr(devices, "machine", lambda name, *args, **kwargs: here.model_copy(update={"name": name}))
    results_store.save(tmp_path / "amd-epyc-1t.json", ResultsFile(machine=_machine(), records=[]))
    config = runner.Config(root=helpers.ROOT, results_dir=tmp_path, machine="amd-epyc-1t", only=MATMUL)
    with pytest.raises(devices.MachineMismatch, match=r"amd-epyc-1t\.json: .*avx512f.*--machine NAME"):
        runner.plan(config)
    config.machine = "mine"
    assert runner.plan(config).machine == "mine"


def test_this_machine_records_its_identity():
    vendor, family, model = devices.cpu_identity()
    facts = devices.machine("x")
    assert (facts.cpu_vendor, facts.cpu_family, facts.cpu_model_number) == (vendor, family, model)
    assert facts.fma_gflops is None  # only a run measures it


@pytest.mark.parametrize("asm, bits", [("vfmadd213ps %zmm0, %zmm15, %zmm1\nvfmadd231ps %ymm1, %ymm2, %ymm3", 512),
                                       ("\tvfmadd213ps\t%ymm0, %ymm13, %ymm12", 256),
                                       ("vfnmadd231ps %xmm1, %xmm2, %xmm3", 128), ("vmulps %ymm1, %ymm2, %ymm3", 0)])
def test_the_probe_reads_the_width_of_its_fma_instructions(asm, bits):
    assert devices.fma_vector_bits(asm) == bits


@pytest.mark.skipif(not devices.cpu_flags() or "fma" not in devices.cpu_flags(), reason="needs an x86 CPU with FMA")
def test_the_fma_probe_runs_native_vector_fmas():
    gflops, bits = devices.fma_probe(seconds=0.001, repeats=3)
    assert bits == (512 if "avx512f" in devices.cpu_flags() else 256) or bits == 256, bits
    assert gflops > 1.0  # any vector FMA core does far more than 1 GFLOP/s
