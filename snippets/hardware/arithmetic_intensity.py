"""Arithmetic intensity (FLOPs per byte moved) of a matrix product and of elementwise operations,
and which side of a GPU's ridge point each falls on. Pure arithmetic: nothing is timed.

Run it: python snippets/hardware/arithmetic_intensity.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:intensity]
# NVIDIA H100 SXM, data sheet: https://www.nvidia.com/en-us/data-center/h100/
PEAK = 67e12  # FP32 FLOP/s on the CUDA cores
BANDWIDTH = 3.35e12  # HBM3, bytes/s
RIDGE = PEAK / BANDWIDTH  # FLOP per byte where the two limits meet
B = 4  # bytes per float32


def matmul(n):  # C = A @ B, all n x n
    flops = 2 * n**3  # n*n dot products, n multiplies and n adds each
    moved = 3 * n * n * B  # read A and B, write C, each once at best
    return flops / moved


def add(n):  # z = x + y, n elements
    return n / (3 * n * B)  # one add; read x and y, write z


def relu(n):  # y = max(x, 0)
    return n / (2 * n * B)  # one comparison; read x, write y


def attainable(intensity):  # the roofline: slope, then flat roof
    return min(PEAK, BANDWIDTH * intensity)


print(f"ridge point: {RIDGE:.1f} FLOP/byte")
cases = [("add", add(10**6)), ("relu", relu(10**6))]
cases += [(f"matmul n={n}", matmul(n)) for n in (16, 64, 1024, 8192)]
for name, i in cases:
    side = "compute-bound" if i > RIDGE else "memory-bound"
    share = attainable(i) / PEAK
    print(f"{name:>15}: {i:8.2f} FLOP/B, roof {share:6.1%} of peak, {side}")

assert add(10**6) < RIDGE and relu(10**6) < RIDGE  # any size
assert matmul(64) < RIDGE < matmul(1024)  # small products are memory-bound
crossover = next(n for n in range(1, 10**4) if matmul(n) > RIDGE)
print("a float32 matmul passes the ridge from n =", crossover)
# --8<-- [end:intensity]

# --8<-- [start:solution]
B = 4  # bytes per float32
RIDGE = 67e12 / 3.35e12  # H100 SXM: FP32 FLOP/s over HBM bytes/s


def matvec(n):  # y = A @ x with A n x n
    flops = 2 * n * n
    moved = (n * n + 2 * n) * B  # read A and x, write y
    return flops / moved


for n in (64, 1024, 8192):
    print(f"matvec n={n}: {matvec(n):.3f} FLOP/B")
    assert matvec(n) < 0.5 < RIDGE  # memory-bound at every size
# --8<-- [end:solution]
