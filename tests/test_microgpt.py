"""microgpt on gradstep: the same numbers as microgpt's own algorithm, and a transformer a
learner can follow block by block (explain, draw_dot).

The reference below is microgpt's scalar Value and its plain algorithm (gpt, softmax,
rmsnorm, linear, the Adam loop), written here for the test as microgpt writes them; nothing
of anyone's file is imported. Given the same initial weights and the same documents,
demos/microgpt.py's model must reproduce its losses.
"""

from __future__ import annotations

import math

import pytest

from autograd import draw_dot, explain, toposort
from demos.microgpt import MicroGPT, Tokenizer, load_docs, make_optimizer, train_step
from nn import linear_decay

# -- the reference: microgpt's Value, children and local gradients -------------------------


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


# -- the reference: microgpt's algorithm on it --------------------------------------------


def reference_losses(weights, docs, encode, num_steps, steps, n_layer=1, n_head=4, block_size=16):
    state_dict = {k: [[Value(x) for x in row] for row in mat] for k, mat in weights.items()}
    params = [p for mat in state_dict.values() for row in mat for p in row]
    head_dim = len(weights["wte"][0]) // n_head

    def linear(x, w):
        return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]

    def softmax(logits):
        max_val = max(val.data for val in logits)
        exps = [(val - max_val).exp() for val in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def rmsnorm(x):
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def gpt(token_id, pos_id, keys, values):
        tok_emb = state_dict["wte"][token_id]
        pos_emb = state_dict["wpe"][pos_id]
        x = [t + p for t, p in zip(tok_emb, pos_emb)]
        x = rmsnorm(x)
        for li in range(n_layer):
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, state_dict[f"layer{li}.attn_wq"])
            k = linear(x, state_dict[f"layer{li}.attn_wk"])
            v = linear(x, state_dict[f"layer{li}.attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(n_head):
                hs = h * head_dim
                q_h = q[hs:hs + head_dim]
                k_h = [ki[hs:hs + head_dim] for ki in keys[li]]
                v_h = [vi[hs:hs + head_dim] for vi in values[li]]
                attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5
                               for t in range(len(k_h))]
                attn_weights = softmax(attn_logits)
                head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                            for j in range(head_dim)]
                x_attn.extend(head_out)
            x = linear(x_attn, state_dict[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, x_residual)]
            x_residual = x
            x = rmsnorm(x)
            x = linear(x, state_dict[f"layer{li}.mlp_fc1"])
            x = [xi.relu() for xi in x]
            x = linear(x, state_dict[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, state_dict["lm_head"])

    learning_rate, beta1, beta2, eps_adam = 0.01, 0.85, 0.99, 1e-8
    m = [0.0] * len(params)
    v = [0.0] * len(params)
    out = []
    for step in range(steps):
        doc = docs[step % len(docs)]
        tokens = encode(doc)
        n = min(block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
        losses = []
        for pos_id in range(n):
            token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
            logits = gpt(token_id, pos_id, keys, values)
            probs = softmax(logits)
            loss_t = -probs[target_id].log()
            losses.append(loss_t)
        loss = (1 / n) * sum(losses)
        loss.backward()
        lr_t = learning_rate * (1 - step / num_steps)
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps_adam)
            p.grad = 0
        out.append(loss.data)
    return out


@pytest.fixture(scope="module")
def data():
    docs = load_docs(42)
    return docs, Tokenizer(docs)


def test_the_demo_reproduces_microgpts_losses_over_20_steps(data):
    docs, tok = data
    model = MicroGPT(tok.vocab_size, seed=7)
    weights = {k: [[p.data for p in row] for row in mat] for k, mat in model.state_dict.items()}
    assert len(model.parameters()) == 4192 and tok.vocab_size == 27
    expected = reference_losses(weights, docs, tok.encode, num_steps=1000, steps=20)
    opt = make_optimizer(model)
    lr = linear_decay(0.01, 0.0, 1000)
    got = []
    for step in range(20):
        opt.lr = lr(step)
        got.append(train_step(model, opt, tok.encode(docs[step])).data)
    for step, (a, b) in enumerate(zip(got, expected)):
        assert a == pytest.approx(b, rel=1e-9), step
    assert got[-1] < got[0]  # and it learns


def test_microgpts_weights_are_drawn_in_its_order(data):
    _, tok = data
    model = MicroGPT(tok.vocab_size, seed=3)
    import random

    rng = random.Random(3)
    first = [rng.gauss(0, 0.08) for _ in range(16)]
    assert [p.data for p in model.state_dict["wte"][0]] == first
    assert list(model.state_dict) == ["wte", "wpe", "lm_head", "layer0.attn_wq", "layer0.attn_wk",
                                      "layer0.attn_wv", "layer0.attn_wo", "layer0.mlp_fc1", "layer0.mlp_fc2"]


def one_position(data, pos=3):
    docs, tok = data
    model = MicroGPT(tok.vocab_size, seed=42)
    losses = model.position_losses(tok.encode("emma"))
    losses[pos].label = f"loss{pos}"
    return model, losses[pos]


def test_each_dot_product_is_one_sigma_node(data):
    _, loss = one_position(data)
    nodes = [v for v in toposort(loss) if v.parents]
    ops = {}
    for v in nodes:
        ops.setdefault(v.scope, set()).add(v.op)
    assert ops["lm_head"] == {"dot"}  # 27 rows of W·x, each one Σ node with 32 parents
    assert ops["layer0/attn/head2"] == {"dot", "div", "sub", "exp", "sum"}  # q·k, /√d, softmax, Σ wᵢvᵢ
    assert ops["layer0/mlp"] == {"mean_square", "add", "pow_const", "mul", "dot", "relu"}
    lm_head = [v for v in nodes if v.scope == "lm_head"]
    assert len(lm_head) == 27 and all(len(v.parents) == 32 for v in lm_head)
    # no chain of + nodes anywhere: an add node's parents are never add nodes of its own scope
    for v in nodes:
        if v.op == "add":
            assert not any(p.op == "add" and p.scope == v.scope for p in v.parents), v.scope


def test_explain_one_position_follows_one_attention_heads_gradient(data):
    _, loss = one_position(data)
    e = explain(loss)
    text = e.summary(max_lines=60)
    lines = text.splitlines()
    head = [line for line in lines if line.startswith("  [layer0/attn/head2]")]
    assert len(head) == 2  # one line forward, one backward
    forward, backward = head
    assert "4 outputs" in forward
    assert "∂" in backward and "passes" in backward and "back to" in backward
    assert backward.endswith("in layer0/attn/qkv")  # to its q, and the k and v of every position so far
    # the numbers are the engine's: the gradient of the head's first output
    outs = [v for v in e.nodes if v.scope == "layer0/attn/head2"][-4:]  # Σ wₜvₜ, one per dimension
    assert all(v.op == "dot" and len(v.parents) == 8 for v in outs)  # 4 weights, 4 values
    assert f"  [layer0/attn/head2] ∂loss3/∂(its 4 outputs) = {_num(e.gradient(outs[0]))}, " in backward
    for scope in ("embedding", "layer0/attn/qkv", "layer0/attn/out", "layer0/mlp", "lm_head", "loss"):
        assert any(line.startswith(f"  [{scope}]") for line in lines), scope
    assert len(lines) <= 60
    assert "[layer0/attn/qkv] 768 named leaves" in text


def _num(x):
    from autograd.text import num

    return num(x)


def test_the_graph_of_one_position_folds_into_one_box_per_block(data):
    _, loss = one_position(data)
    loss.backward()
    source = draw_dot(loss, collapse=True).source
    records = [line for line in source.splitlines() if "shape=record" in line]
    boxes = [line.split('label="{ ')[1].split(" |")[0] for line in records]
    assert sorted(boxes) == sorted(["embedding", "qkv", "head0", "head1", "head2", "head3", "out", "mlp",
                                    "lm_head", "loss"])
    assert "{ head2 | 4 outputs | ‖grad‖ " in source and "{ lm_head | 27 outputs | ‖grad‖ " in source
    assert "label=layer0" in source and "label=attn" in source  # the clusters around the blocks
