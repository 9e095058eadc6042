"""microgpt's training step on gradstep against microgpt's own scalar Value, in one process.

    python -m demos.benchmark_microgpt [--rounds 30] [--out out]

Both engines train the same model from the same initial weights on the same sequence of
names (step k trains on name k), one name per step: forward over its positions, backward,
Adam. The reference is microgpt's algorithm exactly as its file writes it, on its
40-line slotted Value (children and local gradients, backward by a recursive topological
sort), re-implemented below. gradstep runs demos/microgpt.py's model.

Each round times one step of each engine, the order alternating from round to round. The
cycle collector runs before every timed step, and each step's graph is still alive when
the clock stops, so neither engine pays for freeing its graph inside the clock. The
result is the ratio of the two times in each round (both on the same name), as min,
median and max; absolute times on a shared machine are noise.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/benchmark_microgpt.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demos._common import report
from demos.microgpt import MicroGPT, Tokenizer, load_docs, make_optimizer, train_step

# -- microgpt's Value and model, as its file writes them ----------------------------------


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other): return Value(self.data**other, (self,), (other * self.data**(other - 1),))
    def log(self): return Value(math.log(self.data), (self,), (1 / self.data,))
    def exp(self): return Value(math.exp(self.data), (self,), (math.exp(self.data),))
    def relu(self): return Value(max(0, self.data), (self,), (float(self.data > 0),))
    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other**-1
    def __rtruediv__(self, other): return other * self**-1

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


class Reference:
    """microgpt's gpt(), softmax, rmsnorm, linear and Adam loop, on the Value above."""

    def __init__(self, weights: dict[str, list[list[float]]], n_layer=1, n_head=4, block_size=16):
        self.state_dict = {k: [[Value(x) for x in row] for row in mat] for k, mat in weights.items()}
        self.params = [p for mat in self.state_dict.values() for row in mat for p in row]
        self.n_layer, self.n_head, self.block_size = n_layer, n_head, block_size
        self.head_dim = len(weights["wte"][0]) // n_head
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    @staticmethod
    def linear(x, w):
        return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]

    @staticmethod
    def softmax(logits):
        max_val = max(val.data for val in logits)
        exps = [(val - max_val).exp() for val in logits]
        total = sum(exps)
        return [e / total for e in exps]

    @staticmethod
    def rmsnorm(x):
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def gpt(self, token_id, pos_id, keys, values):
        sd, linear, rmsnorm, head_dim = self.state_dict, self.linear, self.rmsnorm, self.head_dim
        tok_emb = sd["wte"][token_id]
        pos_emb = sd["wpe"][pos_id]
        x = [t + p for t, p in zip(tok_emb, pos_emb)]
        x = rmsnorm(x)
        for li in range(self.n_layer):
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, sd[f"layer{li}.attn_wq"])
            k = linear(x, sd[f"layer{li}.attn_wk"])
            v = linear(x, sd[f"layer{li}.attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(self.n_head):
                hs = h * head_dim
                q_h = q[hs:hs + head_dim]
                k_h = [ki[hs:hs + head_dim] for ki in keys[li]]
                v_h = [vi[hs:hs + head_dim] for vi in values[li]]
                attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5
                               for t in range(len(k_h))]
                attn_weights = self.softmax(attn_logits)
                head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                            for j in range(head_dim)]
                x_attn.extend(head_out)
            x = linear(x_attn, sd[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, x_residual)]
            x_residual = x
            x = rmsnorm(x)
            x = linear(x, sd[f"layer{li}.mlp_fc1"])
            x = [xi.relu() for xi in x]
            x = linear(x, sd[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, sd["lm_head"])

    def step(self, tokens, step, num_steps, learning_rate=0.01, beta1=0.85, beta2=0.99, eps_adam=1e-8):
        n = min(self.block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]
        losses = []
        for pos_id in range(n):
            token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
            logits = self.gpt(token_id, pos_id, keys, values)
            probs = self.softmax(logits)
            loss_t = -probs[target_id].log()
            losses.append(loss_t)
        loss = (1 / n) * sum(losses)
        loss.backward()
        lr_t = learning_rate * (1 - step / num_steps)
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps_adam)
            p.grad = 0
        return loss


# -- the race -----------------------------------------------------------------------------


def timed(step: Any) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    loss = step()  # the graph stays alive until the clock has stopped
    t1 = time.perf_counter()
    return t1 - t0, loss


def race(rounds: int, seed: int = 42, num_steps: int = 1000) -> list[tuple[str, float, float, float, float]]:
    """Per round: (name, reference seconds, gradstep seconds, reference loss, gradstep loss)."""
    docs = load_docs(seed)
    tok = Tokenizer(docs)
    model = MicroGPT(tok.vocab_size, seed=seed)
    ref = Reference({k: [[p.data for p in row] for row in mat] for k, mat in model.state_dict.items()})
    opt = make_optimizer(model)
    rows = []
    for k in range(rounds):
        tokens = tok.encode(docs[k % len(docs)])
        opt.lr = 0.01 * (1 - k / num_steps)

        def ours(tokens: list[int] = tokens) -> Any:
            return train_step(model, opt, tokens)

        def theirs(tokens: list[int] = tokens, k: int = k) -> Any:
            return ref.step(tokens, k, num_steps)

        if k % 2:
            t_ours, l_ours = timed(ours)
            t_ref, l_ref = timed(theirs)
        else:
            t_ref, l_ref = timed(theirs)
            t_ours, l_ours = timed(ours)
        rows.append((docs[k % len(docs)], t_ref, t_ours, l_ref.data, l_ours.data))
        del l_ours, l_ref
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="microgpt's step: gradstep against microgpt's Value.")
    parser.add_argument("--rounds", type=int, default=30,
                        help="alternating rounds, one name each (default 30)")
    parser.add_argument("--seed", type=int, default=42, help="weights and shuffle (default 42)")
    parser.add_argument("--out", default="out", help="folder for benchmark_microgpt.txt (default: ./out)")
    args = parser.parse_args()
    rows = race(args.rounds, args.seed)
    lines = [f"{'step':>4}  {'name':<12} {'microgpt':>9} {'gradstep':>9} {'ratio':>7}"
             "   loss (microgpt, gradstep)"]
    for k, (name, t_ref, t_ours, l_ref, l_ours) in enumerate(rows, 1):
        lines.append(f"{k:>4}  {name:<12} {1000 * t_ref:>7.1f}ms {1000 * t_ours:>7.1f}ms "
                     f"{t_ref / t_ours:>6.1f}×   {l_ref:.12f} {l_ours:.12f}")
    ratios = [t_ref / t_ours for _, t_ref, t_ours, _, _ in rows]
    refs = [r[1] for r in rows]
    ours = [r[2] for r in rows]
    worst = max(abs(r[3] - r[4]) / abs(r[3]) for r in rows)
    lines += [
        "",
        f"one training step (forward + backward + Adam), {len(rows)} alternating rounds:",
        f"  microgpt's Value  median {1000 * statistics.median(refs):6.1f} ms",
        f"  gradstep          median {1000 * statistics.median(ours):6.1f} ms",
        f"  microgpt ÷ gradstep: min {min(ratios):.1f}×  median {statistics.median(ratios):.1f}×  "
        f"max {max(ratios):.1f}×",
        f"  the losses agree to {worst:.1e} (relative) at every step",
        f"Python {sys.version.split()[0]} on {sys.platform}",
    ]
    with report(Path(args.out) / "benchmark_microgpt.txt"):
        print("\n".join(lines))


if __name__ == "__main__":
    main()
