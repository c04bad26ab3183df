"""A CPU's data-sheet FP32 peak, worked out from its core design: FMA pipes × datapath width × clock.

The design comes from /proc/cpuinfo's vendor, family and model (the model name does not tell Zen 3
from Zen 4), with its figures from the vendors' optimisation guides. The runner measures the real
ceiling with an FMA probe (ramverk.measure.devices.fma_probe); this section shows the arithmetic.
Run it: python snippets/hardware/cpu_peak.py
"""

# --8<-- [start:peak]
import os


def cpu_facts():
    """The first core's entry in /proc/cpuinfo (empty where there is none)."""
    facts = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first core is enough
                key, _, value = line.partition(":")
                facts.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return facts


# (vendor, family, models) -> (design, FMA datapath bits, FMA pipes), from
# the vendors' optimisation guides: AMD Zen 4 (57647), AMD Family 19h (56665),
# Intel's Optimization Reference Manual (248966).
# Zen 4 runs a 512-bit AVX-512 FMA as two 256-bit halves.
DESIGNS = [
    ("AuthenticAMD", 25, range(0x10, 0x20), ("Zen 4", 256, 2)),
    ("AuthenticAMD", 25, range(0x00, 0x10), ("Zen 3", 256, 2)),
]


def core_design(facts):
    flags = set(facts.get("flags", "").split())
    vendor = facts.get("vendor_id")
    family = facts.get("cpu family", "")
    model = facts.get("model", "")
    for v, f, models, design in DESIGNS:
        if (vendor == v and family.isdigit() and int(family) == f
                and model.isdigit() and int(model) in models):
            return design
    if vendor == "GenuineIntel" and "avx512f" in flags:
        # some parts have one 512-bit FMA unit: see the manual
        return ("Intel with AVX-512", 512, 2)
    if "avx2" in flags and "fma" in flags:
        return ("x86 with AVX2 and FMA", 256, 2)
    return None


facts = cpu_facts()
design = core_design(facts)
mhz = float(facts["cpu MHz"]) if "cpu MHz" in facts else None
if design is None or mhz is None:
    print("no data-sheet figure for this CPU; only a measurement gives it")
else:
    name, bits, pipes = design
    # float32 lanes per pipe × 2: an FMA is a multiply and an add
    per_cycle = pipes * bits // 32 * 2
    peak = mhz / 1000 * per_cycle
    cores = os.cpu_count() or 1
    print(f"core design: {name}: {pipes} FMA pipes × {bits} bits")
    print(f"FP32 FLOP per cycle per core: {per_cycle}")
    print(f"logical cores: {cores}, clock now: {mhz:.0f} MHz")
    print(f"data-sheet FP32 peak: {peak:.0f} GFLOP/s per core, "
          f"{peak * cores:.0f} for all cores")
# --8<-- [end:peak]
