"""PyTorch as an independent oracle (optional: skipped without torch, required in CI).

The same expressions in float64 through torch.autograd; first and second derivatives
must agree to 1e-12.
"""

import math

import pytest

from autograd import Value, grad, logsumexp, softmax
from tests.conftest import need_module

torch = need_module("torch", "TORCH")

EXPRESSIONS = [
    ("(x+y)*z", lambda x, y, z, m: (x + y) * z),
    ("neuron", lambda x, y, z, m: m.sigmoid(2 * x - 3 * y - 3)),
    ("mix", lambda x, y, z, m: m.tanh(x * y) + m.exp(z / (1 + y * y)) * x - (x**2) ** 0.5),
    ("log/div", lambda x, y, z, m: m.log(1 + x * x) / (2 + m.tanh(z)) - y / (1 + z * z)),
    ("relu-pow", lambda x, y, z, m: m.relu(x - y) ** 3 + (1.5 ** z) * y),
]


class _TorchMath:
    sigmoid = staticmethod(torch.sigmoid)
    tanh = staticmethod(torch.tanh)
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    relu = staticmethod(torch.relu)


class _OurMath:
    sigmoid = staticmethod(lambda v: v.sigmoid())
    tanh = staticmethod(lambda v: v.tanh())
    exp = staticmethod(lambda v: v.exp())
    log = staticmethod(lambda v: v.log())
    relu = staticmethod(lambda v: v.relu())


POINTS = [(0.3, -1.2, 0.7), (1.1, 0.4, -0.9), (-0.6, -0.2, 1.5)]


@pytest.mark.parametrize("name, f", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
@pytest.mark.parametrize("point", POINTS)
def test_first_and_second_derivatives_match_torch(name, f, point):
    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    out_t = f(*ts, _TorchMath)
    g_t = torch.autograd.grad(out_t, ts, create_graph=True, allow_unused=True)
    h_t = [
        (None,) * 3 if g is None or not g.requires_grad
        else torch.autograd.grad(g, ts, allow_unused=True, retain_graph=True)
        for g in g_t
    ]

    vs = [Value(p) for p in point]
    out = f(*vs, _OurMath)
    gs = grad(out, vs, create_graph=True)
    assert out.data == pytest.approx(out_t.item(), rel=1e-13, abs=1e-13)
    for g, gt in zip(gs, g_t):
        assert g.data == pytest.approx(0.0 if gt is None else gt.item(), rel=1e-12, abs=1e-12)
    for gi, row_t in zip(gs, h_t):
        row = grad(gi, vs)
        for h, ht in zip(row, row_t):
            expected = 0.0 if ht is None else ht.item()
            assert h.data == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_softmax_and_logsumexp_match_torch():
    z = [1000.0, 1001.0, 1002.0, 999.5]
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    pt = torch.softmax(zt, 0)
    ps = softmax(z)
    assert [p.data for p in ps] == pytest.approx(pt.tolist(), rel=1e-14)
    vs = [Value(v) for v in z]
    lse = logsumexp(vs)
    lse.backward()
    lse_t = torch.logsumexp(zt, 0)
    lse_t.backward()
    assert lse.data == pytest.approx(lse_t.item(), rel=1e-15)
    assert [v.grad for v in vs] == pytest.approx(zt.grad.tolist(), rel=1e-13)
    assert math.isfinite(lse.data)


# -- Adam and AdamW against torch.optim, step by step ------------------------------------

START = [0.5, -1.5, 2.0, 0.01]


def _loss_ours(w):
    return (w[0] * w[1]).tanh() + (w[2] - 1.0) ** 2 + (w[3] * w[0]).exp() + 0.1 * w[1] ** 4


def _loss_torch(w):
    return torch.tanh(w[0] * w[1]) + (w[2] - 1.0) ** 2 + torch.exp(w[3] * w[0]) + 0.1 * w[1] ** 4


@pytest.mark.parametrize("kind", ["Adam", "AdamW"])
@pytest.mark.parametrize("options", [
    {},
    {"betas": (0.85, 0.99), "eps": 1e-8},  # microgpt's
    {"weight_decay": 0.1},
    {"betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.05},
], ids=["defaults", "microgpt", "decay", "all"])
def test_adam_and_adamw_match_torch_optim_over_several_steps(kind, options):
    import nn

    ws = [Value(x) for x in START]
    wt = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    ours = getattr(nn, kind)(ws, lr=0.05, **options)
    theirs = getattr(torch.optim, kind)([wt], lr=0.05, **options)
    for step in range(8):
        lr = 0.05 * (1 - step / 8)  # a schedule: lr set before each step, as the demo does
        ours.lr = lr
        for group in theirs.param_groups:
            group["lr"] = lr
        ours.zero_grad()
        _loss_ours(ws).backward()
        theirs.zero_grad()
        _loss_torch(wt).backward()
        ours.step()
        theirs.step()
        for w, t in zip(ws, wt.tolist()):
            assert w.data == pytest.approx(t, rel=1e-12, abs=1e-12), (kind, options, step)
    assert ours.step_count == 8
