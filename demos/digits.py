"""Real handwritten digits: a softmax MLP trained by minibatch SGD on scikit-learn's 8×8 digits.

    python -m demos.digits [--out out] [--epochs 20] [--batch-size 32] [--lr 0.1] [--hidden 32]
                           [--seed 0] [--per-sample]

Data: the 1,797 handwritten digits that scikit-learn ships inside its wheel
(sklearn.datasets.load_digits: 8×8 images, 16 grey levels, read offline), scaled to [0, 1],
split into 80% for training and a held-out 20% for testing (stratified by digit, seeded).
Model: MLP(64, [32, 10]) (seed 004's "MLP for digit classification"), one ReLU hidden
layer with He initialisation and 10 linear outputs, the logits z; softmax and cross-entropy
score the true digit: ℓ = −log softmax(z)_y. Training: minibatch SGD with momentum 0.9
(seed 004): every epoch the training set is shuffled and cut into batches of 32; each
batch's mean loss gives one step, with the learning rate decaying linearly to a tenth.
Each minibatch is one batched graph, model(xb) with xb a 32 × 64 array (--per-sample: one
graph per image, the same numbers, many times slower). It prints the test accuracy, the
confusion matrix and the wall time, and pictures the misclassified test digits and the
loss curve (PNG). Needs scikit-learn (in the demos extra); without it the demo says so
and exits with status 1.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python demos/digits.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from autograd import no_grad
from demos._common import arguments, progress, pyplot, save_plot, title
from nn import MLP, SGD, Minibatches, accuracy, cross_entropy, linear_decay, mean

MISSING = ("digits: this demo needs scikit-learn, whose wheel ships the 8×8 digits (read offline, "
           "no download).\nInstall it with `pip install scikit-learn`, or the demos extra from the "
           "clone: `pip install '.[demos]'`.")


def load() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The digits as (X in [0, 1], samples × 64; y, the digits; the 8×8 images)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print(MISSING, file=sys.stderr)
        sys.exit(1)
    digits = load_digits()
    return digits.data / 16.0, digits.target.astype(np.int64), digits.images


def split(y: np.ndarray, test: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a stratified train/test split: `test` of every digit held out."""
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for digit in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == digit))
        k = round(test * len(idx))
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    return rng.permutation(np.concatenate(train_idx)), np.sort(np.concatenate(test_idx))


def predict(model: MLP, X: np.ndarray) -> np.ndarray:
    """The digit with the largest logit, for every row of X (one batch, no graph)."""
    with no_grad():
        logits = model(X)
    return np.argmax(np.stack([z.data for z in logits]), axis=0)  # type: ignore[no-any-return, union-attr]


def confusion(y: np.ndarray, predicted: np.ndarray, k: int = 10) -> np.ndarray:
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (y, predicted), 1)
    return m


def show_confusion(m: np.ndarray) -> None:
    print("  rows: the true digit; columns: the predicted one (off the diagonal: the mistakes)")
    print("  true\\pred" + "".join(f"{d:>5}" for d in range(10)) + "   recall")
    for d in range(10):
        cells = "".join(f"{m[d, c]:>5}" if m[d, c] or c == d else f"{'·':>5}" for c in range(10))
        print(f"  {d:>9}{cells}   {m[d, d] / max(1, m[d].sum()):6.1%}")


def plot_mistakes(plt: Any, images: np.ndarray, y: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    wrong = np.flatnonzero(predicted != y)
    shown = wrong[:32]
    cols = 8
    rows = max(1, -(-len(shown) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.25, rows * 1.5 + 0.5), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), shown):
        ax.imshow(images[i], cmap="gray_r", interpolation="nearest")
        ax.set_title(f"{y[i]} → {predicted[i]}", fontsize=10, color="#c0392b")
    fig.suptitle(f"The {len(wrong)} misclassified test digits" + (f" (the first {len(shown)})" if len(wrong) >
                 len(shown) else "") + ": true → predicted", fontsize=11)
    fig.tight_layout()
    save_plot(fig, path)


def plot_curves(plt: Any, losses: list[float], train_acc: list[float], test_acc: list[float],
                path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    epochs = range(1, len(losses) + 1)
    ax.plot(epochs, losses, color="#c0392b", label="mean training loss")
    ax.set_xlabel("epoch")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("cross-entropy", color="#c0392b")
    ax.set_yscale("log")
    ax2 = ax.twinx()
    ax2.plot(epochs, [100 * a for a in train_acc], color="#1f5fa8", ls="--", label="training accuracy")
    ax2.plot(epochs, [100 * a for a in test_acc], color="#1f5fa8", label="test accuracy")
    ax2.set_ylabel("accuracy (%)", color="#1f5fa8")
    ax2.set_ylim(min(80, 100 * min(test_acc)), 100.5)
    ax2.legend(loc="center right", fontsize=8)
    ax.set_title("Digits: the loss and the held-out accuracy, epoch by epoch")
    save_plot(fig, path)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], epochs=(int, 20, "passes over the training set"),
                     batch_size=(int, 32, "images per minibatch"), lr=(float, 0.1, "initial learning rate"),
                     hidden=(int, 32, "neurons in the hidden layer"), seed=(int, 0, "random seed"),
                     per_sample=(bool, False, "one graph per image instead of one per minibatch (slow)"))
    X, y, images = load()
    train, test = split(y, 0.2, args.seed)
    model = MLP(64, [args.hidden, 10], "relu", seed=args.seed, init="auto")
    how = "one graph per image" if args.per_sample else \
        f"one batched graph per minibatch of {args.batch_size}"
    title(f"Digits: {model}, softmax + cross-entropy, SGD with momentum ({how})")
    print(f"  {len(X)} images of 8×8 pixels: {len(train)} for training, {len(test)} held out for testing; "
          f"{len(model.parameters())} parameters")
    opt = SGD(model.parameters(), lr=args.lr, momentum=0.9)
    lr = linear_decay(args.lr, args.lr / 10, args.epochs)
    batches = Minibatches(X[train], y[train], batch_size=args.batch_size, seed=args.seed)
    losses, train_acc, test_acc = [], [], []
    steps, training = 0, 0.0
    start = time.perf_counter()
    for epoch in range(args.epochs):
        opt.lr = lr(epoch)
        epoch_losses = []
        began = time.perf_counter()
        for xb, yb in batches:
            if args.per_sample:
                loss = mean([cross_entropy(model(list(x)), int(t)) for x, t in zip(xb, yb)])
            else:
                loss = cross_entropy(model(xb), yb)  # the batch's mean, one graph
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_losses.append(loss.data)
            steps += 1
        training += time.perf_counter() - began
        losses.append(float(np.mean(epoch_losses)))
        train_acc.append(accuracy(predict(model, X[train]), y[train]))
        test_acc.append(accuracy(predict(model, X[test]), y[test]))
        progress(f"  epoch {epoch + 1:3d}/{args.epochs}  loss {losses[-1]:.4f}  training accuracy "
                 f"{train_acc[-1]:6.1%}  test accuracy {test_acc[-1]:6.1%}", done=epoch == args.epochs - 1)
    seconds = time.perf_counter() - start

    predicted = predict(model, X[test])
    title("Held-out test set")
    right = int((predicted == y[test]).sum())
    print(f"  test accuracy {accuracy(predicted, y[test]):.1%} ({right} of {len(test)} test digits right), "
          f"training accuracy {train_acc[-1]:.1%}")
    print(f"  wall time {seconds:.1f} s for {args.epochs} epochs: training {training:.1f} s ({steps} SGD "
          f"steps, {1000 * training / steps:.1f} ms per step, {how}),\n  evaluating both sets after every "
          f"epoch {seconds - training:.1f} s")
    title("Confusion matrix on the test set")
    show_confusion(confusion(y[test], predicted))

    title("Pictures")
    plt = pyplot()
    if plt is not None:
        plot_mistakes(plt, images[test], y[test], predicted, args.out / "digits_mistakes.png")
        plot_curves(plt, losses, train_acc, test_acc, args.out / "digits_loss.png")


if __name__ == "__main__":
    main()
