"""Property test: compiled random expressions equal the scalar engine on a batch.

Each expression from :func:`autograd.testing.expressions` is split into parameters (its
first inputs, closed over as Values) and traced inputs (the rest); the batch is random
points of the box on which the expression is defined.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.testing import expressions

OUT_TOL = 1e-12
GRAD_TOL = 1e-9


@given(expressions(max_inputs=4, max_ops=8), st.integers(0, 4), st.integers(0, 2**32 - 1))
def test_compiled_expressions_match_the_scalar_engine(case, n_params: int, seed: int) -> None:
    f, xs = case
    n_params = min(n_params, len(xs))
    params = [Value(x) for x in xs[:n_params]]
    batch = np.random.default_rng(seed).uniform(-2.0, 2.0, size=(6, len(xs) - n_params))
    batch[0] = xs[n_params:]

    def fn(*inputs: Value) -> Value:
        return f(*params, *inputs)

    prog = autograd.compile(fn, xs[n_params:])
    out = prog.backward(batch, reduction="sum")
    compiled_grads = [p.grad for p in params]

    for p in params:
        p.grad = 0.0
    results = [fn(*[Value(float(x)) for x in row]) for row in batch]
    autograd.sum(results).backward()
    expected = [r.data for r in results]

    np.testing.assert_allclose(out, expected, rtol=OUT_TOL, atol=OUT_TOL, err_msg=repr(f))
    np.testing.assert_allclose(prog(batch), expected, rtol=OUT_TOL, atol=OUT_TOL)
    np.testing.assert_allclose(compiled_grads, [p.grad for p in params],
                               rtol=GRAD_TOL, atol=GRAD_TOL, err_msg=repr(f))  # fmt: skip
