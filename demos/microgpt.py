"""microgpt on gradstep: Karpathy's scalar GPT (February 2026), trained on real first names.

    python -m demos.microgpt [--out out] [--steps 1000] [--seed 42] [--samples 10]

The model is microgpt's, number for number: n_layer=1, n_embd=16, block_size=16, n_head=4,
4,192 parameters drawn from N(0, 0.08²) in microgpt's order. Token and position embeddings,
RMSNorm, multi-head causal attention with a KV cache, a ReLU MLP (16 → 64 → 16), residual
connections, no biases, a linear head to the 27 tokens (a–z and BOS). Training: one
document (a name) per step, the mean over its positions of −log p(next token), Adam with
β = (0.85, 0.99), ε = 1e-8 and a learning rate falling linearly from 0.01 to 0. Then
temperature sampling (0.5) writes new names.

What is gradstep's own is only how the graph is made: a row of W·x and attention's q·k
are one Σ node each (the table's dot row), RMSNorm's mean of squares is one node, a
softmax has one Σ node for its normaliser, and the loss is log Σ e^z − z_target in one
log-sum-exp node. Every node is made inside a scope (embedding, layer0/attn/head2,
layer0/mlp, lm_head), so that draw_dot(collapse=True) and explain(...).summary() show the
transformer block by block.

Data: the US census first names that the MIT-licensed `names` package ships (about 5,200
distinct names, lower-cased, shuffled with the seed); nothing is downloaded.

Pictures: each head's attention pattern for one name (heat maps), the loss curve (PNG,
with matplotlib), and the graph of one position's forward pass folded by scope (SVG, with
Graphviz).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/microgpt.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import Value, dot, explain, matvec, no_grad, rmsnorm, scope, softmax
from demos._common import arguments, progress, pyplot, save_graph, save_plot, title
from nn import Adam, cross_entropy, linear_decay, mean

Matrix = list[list[Value]]


# -- data: first names from the `names` package, offline ---------------------------------


def load_docs(seed: int = 42) -> list[str]:
    """Every distinct first name in the census lists that `names` ships, lower-cased and
    shuffled with seed (as microgpt shuffles its names.txt)."""
    try:
        import names
    except ImportError:
        raise SystemExit("microgpt needs the `names` package: pip install names "
                         "(or pip install 'gradstep[demos]')") from None
    folder = Path(names.__file__).parent
    found: set[str] = set()
    for file in ("dist.male.first", "dist.female.first"):  # lines like "JAMES  3.318  3.318  1"
        for line in (folder / file).read_text(encoding="ascii").splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    docs = sorted(found)
    random.Random(seed).shuffle(docs)
    return docs


class Tokenizer:
    """One token per character, and BOS (beginning of sequence) after them, as microgpt."""

    def __init__(self, docs: Sequence[str]) -> None:
        self.chars = sorted(set("".join(docs)))
        self.bos = len(self.chars)
        self.vocab_size = len(self.chars) + 1
        self._index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, doc: str) -> list[int]:
        """[BOS, e, m, m, a, BOS]: a name between two BOS tokens."""
        return [self.bos, *(self._index[c] for c in doc), self.bos]

    def decode(self, tokens: Sequence[int]) -> str:
        return "".join(self.chars[t] for t in tokens if t != self.bos)

    def show(self, token: int) -> str:
        return "⟨bos⟩" if token == self.bos else self.chars[token]


# -- the model ----------------------------------------------------------------------------


class MicroGPT:
    """microgpt's GPT. Its weights are in state_dict, matrices of Values in microgpt's
    order (wte, wpe, lm_head, then per layer attn_wq, attn_wk, attn_wv, attn_wo, mlp_fc1,
    mlp_fc2), each made inside the scope of the block that uses it."""

    def __init__(self, vocab_size: int, *, n_layer: int = 1, n_embd: int = 16, block_size: int = 16,
                 n_head: int = 4, seed: int = 42, std: float = 0.08) -> None:
        if n_embd % n_head:
            raise ValueError(f"MicroGPT: n_embd={n_embd} must be a multiple of n_head={n_head}")
        self.vocab_size, self.n_layer, self.n_embd = vocab_size, n_layer, n_embd
        self.block_size, self.n_head, self.head_dim = block_size, n_head, n_embd // n_head
        rng = random.Random(seed)

        def matrix(name: str, nout: int, nin: int, *scopes: str) -> Matrix:
            with ExitStack() as inside:  # the scope path of the block that uses it
                for s in scopes:
                    inside.enter_context(scope(s))
                return [[Value(rng.gauss(0, std), f"{name}[{i}][{j}]") for j in range(nin)]
                        for i in range(nout)]

        sd = {"wte": matrix("wte", vocab_size, n_embd, "embedding"),
              "wpe": matrix("wpe", block_size, n_embd, "embedding"),
              "lm_head": matrix("lm_head", vocab_size, n_embd, "lm_head")}
        for i in range(n_layer):
            layer = f"layer{i}"
            for w in ("wq", "wk", "wv"):
                sd[f"{layer}.attn_{w}"] = matrix(f"{layer}.attn_{w}", n_embd, n_embd, layer, "attn", "qkv")
            sd[f"{layer}.attn_wo"] = matrix(f"{layer}.attn_wo", n_embd, n_embd, layer, "attn", "out")
            sd[f"{layer}.mlp_fc1"] = matrix(f"{layer}.mlp_fc1", 4 * n_embd, n_embd, layer, "mlp")
            sd[f"{layer}.mlp_fc2"] = matrix(f"{layer}.mlp_fc2", n_embd, 4 * n_embd, layer, "mlp")
        self.state_dict = sd

    def parameters(self) -> list[Value]:
        return [p for mat in self.state_dict.values() for row in mat for p in row]

    def __call__(self, token: int, pos: int, keys: list[list[list[Value]]], values: list[list[list[Value]]],
                 attention: list[list[float]] | None = None) -> list[Value]:
        """The logits for the token after `token` at position pos. keys and values are the
        KV cache, one list per layer, to which this position's k and v are added.
        attention, if given, receives each head's attention weights (as numbers)."""
        sd, hd = self.state_dict, self.head_dim
        with scope("embedding"):
            x = [t + p for t, p in zip(sd["wte"][token], sd["wpe"][pos])]
            x = rmsnorm(x)
        for li in range(self.n_layer):
            with scope(f"layer{li}"):
                with scope("attn"):
                    x_residual = x
                    with scope("qkv"):
                        x = rmsnorm(x)
                        q = matvec(sd[f"layer{li}.attn_wq"], x)
                        keys[li].append(matvec(sd[f"layer{li}.attn_wk"], x))
                        values[li].append(matvec(sd[f"layer{li}.attn_wv"], x))
                    x_attn: list[Value] = []
                    for h in range(self.n_head):
                        with scope(f"head{h}"):
                            hs = slice(h * hd, (h + 1) * hd)
                            logits = [dot(q[hs], k[hs]) / hd**0.5 for k in keys[li]]
                            weights = softmax(logits)
                            v_h = [v[hs] for v in values[li]]
                            x_attn += [dot(weights, [v[j] for v in v_h]) for j in range(hd)]
                            if attention is not None:
                                attention.append([w.data for w in weights])
                    with scope("out"):
                        x = matvec(sd[f"layer{li}.attn_wo"], x_attn)
                        x = [a + b for a, b in zip(x, x_residual)]
                with scope("mlp"):
                    x_residual = x
                    x = rmsnorm(x)
                    x = [h.relu() for h in matvec(sd[f"layer{li}.mlp_fc1"], x)]
                    x = matvec(sd[f"layer{li}.mlp_fc2"], x)
                    x = [a + b for a, b in zip(x, x_residual)]
        with scope("lm_head"):
            return matvec(sd["lm_head"], x)

    def kv_cache(self) -> tuple[list[list[list[Value]]], list[list[list[Value]]]]:
        return [[] for _ in range(self.n_layer)], [[] for _ in range(self.n_layer)]

    def position_losses(self, tokens: Sequence[int]) -> list[Value]:
        """−log p(tokens[t+1] | tokens[..t]) at each position t of one document."""
        n = min(self.block_size, len(tokens) - 1)
        keys, values = self.kv_cache()
        losses = []
        for pos in range(n):
            logits = self(tokens[pos], pos, keys, values)
            with scope("loss"):
                losses.append(cross_entropy(logits, tokens[pos + 1]))
        return losses


def train_step(model: MicroGPT, opt: Adam, tokens: Sequence[int]) -> Value:
    """One step of microgpt's training: one document, forward, backward, Adam."""
    loss = mean(model.position_losses(tokens))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def make_optimizer(model: MicroGPT) -> Adam:
    return Adam(model.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)


def train(model: MicroGPT, tok: Tokenizer, docs: Sequence[str], steps: int,
          report: bool = True) -> list[float]:
    opt = make_optimizer(model)
    lr = linear_decay(0.01, 0.0, steps)  # microgpt: 0.01 · (1 − step / num_steps)
    history: list[float] = []
    start = time.perf_counter()
    for step in range(steps):
        opt.lr = lr(step)
        loss = train_step(model, opt, tok.encode(docs[step % len(docs)]))
        history.append(loss.data)
        if report:
            rate = 1000 * (time.perf_counter() - start) / (step + 1)
            progress(f"step {step + 1:4d}/{steps} | loss {loss.data:.4f} | {rate:4.0f} ms/step",
                     done=step == steps - 1)
    return history


def sample(model: MicroGPT, tok: Tokenizer, rng: random.Random, temperature: float = 0.5) -> str:
    """A new name, one token at a time from softmax(logits / temperature), until BOS."""
    keys, values = model.kv_cache()
    token, out = tok.bos, []
    with no_grad():
        for pos in range(model.block_size):
            logits = model(token, pos, keys, values)
            probs = softmax([z / temperature for z in logits])
            token = rng.choices(range(tok.vocab_size), weights=[p.data for p in probs])[0]
            if token == tok.bos:
                break
            out.append(token)
    return tok.decode(out)


def attention_maps(model: MicroGPT, tokens: Sequence[int]) -> list[list[list[float]]]:
    """maps[h][t][s]: how much position t attends to position s in head h (layer 0)."""
    keys, values = model.kv_cache()
    seen: list[list[float]] = []
    n = min(model.block_size, len(tokens) - 1)
    with no_grad():
        for pos in range(n):
            model(tokens[pos], pos, keys, values, attention=seen)
    per_pos = model.n_layer * model.n_head
    return [[seen[t * per_pos + h] for t in range(n)] for h in range(model.n_head)]


# -- pictures -----------------------------------------------------------------------------


def plot_attention(plt: Any, maps: list[list[list[float]]], labels: list[str], name: str, path: Path) -> None:
    """One heat map per head: row t is position t's softmax over positions 0..t."""
    import numpy as np

    n = len(labels)
    cols = 2 if len(maps) > 1 else 1
    rows_ = -(-len(maps) // cols)
    fig, axes = plt.subplots(rows_, cols, figsize=(6.2 * cols, 5.6 * rows_), constrained_layout=True,
                             squeeze=False)
    for h, ax in enumerate(axes.flat):
        if h >= len(maps):
            ax.axis("off")
            continue
        grid = np.full((n, n), np.nan)
        for t, row in enumerate(maps[h]):
            grid[t, : len(row)] = row
        im = ax.imshow(grid, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(n), labels, fontsize=14)
        ax.set_yticks(range(n), labels, fontsize=14)
        ax.set_title(f"layer0/attn/head{h}", fontsize=16)
        if h % cols == 0:
            ax.set_ylabel("reading position (query)", fontsize=13)
        if h >= len(maps) - cols:
            ax.set_xlabel("attends to (key position)", fontsize=13)
        for t, row in enumerate(maps[h]):
            for s, w in enumerate(row):
                ax.text(s, t, "1" if w >= 0.995 else f"{w:.2f}"[1:], ha="center", va="center",
                        fontsize=11, color="black" if w > 0.6 else "white")
    bar = fig.colorbar(im, ax=axes, shrink=0.6)
    bar.set_label("attention weight", fontsize=13)
    fig.suptitle(f"Causal self-attention on “{name}”: each row sums to 1 over the positions so far",
                 fontsize=17)
    save_plot(fig, path)


def plot_loss(plt: Any, history: list[float], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4.8))
    steps = range(1, len(history) + 1)
    ax.plot(steps, history, color="#9ecae1", linewidth=0.8, label="loss of each step's name")
    w = max(1, min(50, len(history) // 10))
    if len(history) >= w > 1:
        avg = [sum(history[i - w:i]) / w for i in range(w, len(history) + 1)]
        ax.plot(range(w, len(history) + 1), avg, color="#08519c", linewidth=2.2, label=f"mean of {w} steps")
    ax.axhline(3.2958, color="#c0392b", linestyle="--", linewidth=1, label="log 27: a uniform guess")
    ax.set_xlabel("Adam step (one name each)", fontsize=13)
    ax.set_ylabel("mean −log p(next character)", fontsize=13)
    ax.set_title("microgpt on gradstep: training loss", fontsize=15)
    ax.tick_params(labelsize=11)
    ax.legend(fontsize=11)
    save_plot(fig, path)


# -- the demo -----------------------------------------------------------------------------


def main() -> None:
    args = arguments(__doc__.splitlines()[0], steps=(int, 1000, "Adam steps, one name each"),
                     seed=(int, 42, "random seed (weights, shuffle, samples)"),
                     samples=(int, 10, "names to generate"))
    title("microgpt on gradstep: a 1-layer GPT trained on first names, one name per step")
    docs = load_docs(args.seed)
    tok = Tokenizer(docs)
    model = MicroGPT(tok.vocab_size, seed=args.seed)
    print(f"num docs: {len(docs)} (US census first names, from the `names` package)")
    print(f"vocab size: {tok.vocab_size} (a–z and BOS)")
    print(f"num params: {len(model.parameters())}")
    start = time.perf_counter()
    history = train(model, tok, docs, args.steps)
    seconds = time.perf_counter() - start
    print(f"{args.steps} steps in {seconds:.1f} s ({1000 * seconds / args.steps:.0f} ms per step), "
          f"final loss {history[-1]:.4f}, mean of the last {min(50, len(history))} "
          f"{sum(history[-50:]) / len(history[-50:]):.4f}")

    title(f"{args.samples} new names (temperature 0.5)")
    rng = random.Random(args.seed)
    for i in range(args.samples):
        print(f"sample {i + 1:2d}: {sample(model, tok, rng)}")

    name = docs[0]
    tokens = tok.encode(name)
    title(f"One position, explained: the loss at the last letter of “{name}”")
    for p in model.parameters():  # this pass's gradients only
        p.grad = 0.0
    losses = model.position_losses(tokens)
    pos = len(losses) - 1
    target = losses[pos]
    target.label = f"loss{pos}"
    print(f"position {pos}: reading “{tok.show(tokens[pos])}”, predicting “{tok.show(tokens[pos + 1])}”, "
          f"−log p = {target.data:.4f}")
    print(explain(target).summary(max_lines=80))

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        maps = attention_maps(model, tokens)
        labels = [tok.show(t) for t in tokens[:-1]]
        plot_attention(plt, maps, labels, name, args.out / "microgpt_attention.png")
        plot_loss(plt, history, args.out / "microgpt_loss.png")
    if save_graph(target, args.out / "microgpt_graph.svg", collapse=True):
        print(f"  (one box per scope: the forward pass of position {pos} and the KV cache it reads, "
              "with each box's output and ∂loss/∂output)")


if __name__ == "__main__":
    main()
