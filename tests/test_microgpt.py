"""microgpt on gradstep: the same numbers as microgpt's own algorithm, and a transformer a
learner can follow block by block (explain, draw_dot).

The reference is microgpt's scalar Value and its plain algorithm (gpt, softmax, rmsnorm,
linear, the Adam loop), written once, as microgpt writes them, in demos/benchmark_microgpt.py
(the speed race runs the same code); nothing of anyone else's file is imported. Given the
same initial weights and the same documents, demos/microgpt.py's model must reproduce its
losses.
"""

from __future__ import annotations

import pytest

from autograd import draw_dot, explain, toposort
from demos.benchmark_microgpt import Reference
from demos.microgpt import MicroGPT, Tokenizer, load_docs, make_optimizer, train_step
from nn import linear_decay


def reference_losses(weights, docs, encode, num_steps, steps):
    """microgpt's own losses for its first steps: one document per step, its Adam and its
    learning rate 0.01 · (1 − step / num_steps)."""
    ref = Reference(weights)
    return [ref.step(encode(docs[step % len(docs)]), step, num_steps).data for step in range(steps)]


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
