"""The few dense-matrix operations meta-regression needs (p × p, p small)."""

from __future__ import annotations

from operator import mul

Matrix = list[list[float]]
Vector = list[float]


class SingularMatrixError(ArithmeticError):
    """The model matrix is not of full rank."""


def invert(matrix: Matrix) -> Matrix:
    """Inverse by Gauss–Jordan elimination with partial pivoting."""
    n = len(matrix)
    work = [[*row, *(1.0 if i == j else 0.0 for j in range(n))] for i, row in enumerate(matrix)]
    scale = max((abs(x) for row in matrix for x in row), default=0.0) or 1.0
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(work[r][col]))
        if abs(work[pivot][col]) <= 1e-12 * scale:
            raise SingularMatrixError("model matrix not of full rank")
        work[col], work[pivot] = work[pivot], work[col]
        lead = work[col][col]
        work[col] = [x / lead for x in work[col]]
        for r in range(n):
            if r != col and work[r][col] != 0.0:
                factor = work[r][col]
                work[r] = [x - factor * y for x, y in zip(work[r], work[col], strict=True)]
    return [row[n:] for row in work]


def weighted_cross(rows: list[tuple[float, ...]], weights: Vector) -> Matrix:
    """X' W X for the rows of X and the diagonal of W (column by column, so that the
    inner sums over the studies run in C)."""
    p = len(rows[0])
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(p)]
    out = [[0.0] * p for _ in range(p)]
    for i in range(p):
        weighted = list(map(mul, weights, columns[i]))
        for j in range(i, p):
            out[i][j] = out[j][i] = sum(map(mul, weighted, columns[j]))
    return out


def mat_vec(matrix: Matrix, vector: Vector) -> Vector:
    return [sum(a * b for a, b in zip(row, vector, strict=True)) for row in matrix]


def mat_mul(a: Matrix, b: Matrix) -> Matrix:
    columns = list(zip(*b, strict=True))
    return [[sum(x * y for x, y in zip(row, col, strict=True)) for col in columns] for row in a]


def trace_product(a: Matrix, b: Matrix) -> float:
    """tr(A B) without forming the product."""
    n = len(a)
    return sum(a[i][j] * b[j][i] for i in range(n) for j in range(n))
