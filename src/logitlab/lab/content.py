"""The words of the Lab page: the derivation, the "Try this" cards, the chips and the FAQ.

Each slot of the page template (``<!-- slot:NAME -->``) is filled from
:data:`SLOTS`. Formulas are MathML built with :mod:`logitlab.lab.mathml`; all
text is escaped where it is built. Headings inside the slots start at ``<h3>``
(the template's section headings are ``<h2>``).
"""

from __future__ import annotations

from html import escape

from logitlab.lab import text_blocks
from logitlab.lab.mathml import (
    Node,
    fenced,
    hat,
    math,
    mfrac,
    mi,
    mn,
    mo,
    mrow,
    mspace,
    msub,
    msubsup,
    msup,
    mtext,
    munderover,
    sub,
    times,
)
from logitlab.lab.text_blocks import Card, FaqItem

# ----------------------------------------------------------------- formula pieces


def _sum_i() -> Node:
    big_sum = mo("∑", largeop="true", movablelimits="false", mathsize="140%")
    return munderover(big_sum, mrow(mi("i"), mo("="), mn("1")), mi("N"))


def _mean() -> Node:
    """1/N ∑ᵢ."""
    return mrow(mfrac(mn("1"), mi("N")), _sum_i())


def _norm(p: str) -> Node:
    """‖w‖ₚ (p = "1") or ‖w‖² (p = "2")."""
    bars = mrow(mo("‖"), mi("w"), mo("‖"))
    return msub(bars, mn("1")) if p == "1" else msup(bars, mn("2"))


def _partial(of: str, by: Node) -> Node:
    return mfrac(mrow(mo("∂"), mi(of)), mrow(mo("∂"), by))


def _residual() -> Node:
    """(p̂ᵢ − tᵢ)."""
    return fenced(msub(hat("p"), mi("i")), mo("−"), sub("t", "i"))


def _fn(name: str) -> Node:
    """A function name followed by the invisible function-application operator (log x)."""
    return mrow(mi(name), mo("\u2061"))


def _note(text: str) -> Node:
    """Words beside a formula, set off by a space."""
    return mrow(mspace("0.4em"), mtext(text), mspace("0.3em"))


def _gap() -> Node:
    return mspace("2em")


def _score() -> tuple[Node, ...]:
    """z = w₀ × x + w₁ × y + b, as a row of nodes."""
    return (
        mi("z"),
        mo("="),
        sub("w", "0"),
        times(),
        mi("x"),
        mo("+"),
        sub("w", "1"),
        times(),
        mi("y"),
        mo("+"),
        mi("b"),
    )


def _logistic() -> Node:
    """1 / (1 + e⁻ᶻ)."""
    return mfrac(mn("1"), mrow(mn("1"), mo("+"), msup(mi("e"), mrow(mo("−"), mi("z")))))


def _model() -> Node:
    z = mrow(*_score())
    p = mrow(hat("p"), mo("="), mi("σ"), fenced(mi("z")), mo("="), _logistic())
    return math(z, _gap(), p, label="z equals w0 x plus w1 y plus b; p-hat equals sigma of z")


def _rule() -> Node:
    return math(
        mrow(
            mtext("predict class 1"),
            mspace("0.5em"),
            mo("⇔"),
            mspace("0.5em"),
            hat("p"),
            mo("≥"),
            mi("τ"),
        ),
        label="predict class 1 exactly when p-hat is at least tau",
    )


def _loss() -> Node:
    term = mrow(
        sub("t", "i"),
        _fn("log"),
        msub(hat("p"), mi("i")),
        mo("+"),
        fenced(mn("1"), mo("−"), sub("t", "i")),
        _fn("log"),
        fenced(mn("1"), mo("−"), msub(hat("p"), mi("i"))),
    )
    return math(
        mrow(mi("L"), mo("="), mo("−"), _mean(), fenced(term, open_="[", close="]")),
        label="L equals minus the mean over i of t_i log p-hat_i plus (1 minus t_i) "
        "log (1 minus p-hat_i)",
    )


def _objective() -> Node:
    l2 = mrow(mi("J"), mo("="), mi("L"), mo("+"), mi("λ"), _norm("2"))
    l1 = mrow(mi("J"), mo("="), mi("L"), mo("+"), mi("λ"), _norm("1"))
    return math(
        l2,
        _note("(L2)"),
        _gap(),
        l1,
        _note("(L1)"),
        label="J equals L plus lambda times the squared norm of w (L2), "
        "or L plus lambda times the 1-norm of w (L1)",
    )


def _gradient() -> list[Node]:
    """One formula per derivative, so that they wrap onto lines of their own when narrow."""
    dw0 = mrow(_partial("L", sub("w", "0")), mo("="), _mean(), _residual(), times(), sub("x", "i"))
    dw1 = mrow(_partial("L", sub("w", "1")), mo("="), _mean(), _residual(), times(), sub("y", "i"))
    db = mrow(_partial("L", mi("b")), mo("="), _mean(), _residual())
    return [
        math(dw0, label="the derivative of L by w0 is the mean of (p-hat_i minus t_i) x_i"),
        math(dw1, label="the derivative of L by w1 is the mean of (p-hat_i minus t_i) y_i"),
        math(db, label="the derivative of L by b is the mean of (p-hat_i minus t_i)"),
    ]


def _penalty_gradient() -> Node:
    l2 = mrow(mo("+"), mn("2"), mi("λ"), sub("w", "j"))
    l1 = mrow(mo("+"), mi("λ"), times(), _fn("sign"), fenced(sub("w", "j")))
    return math(
        l2,
        _note("(L2)"),
        _gap(),
        l1,
        _note("(L1, where"),
        sub("w", "j"),
        mo("≠"),
        mn("0"),
        mtext(")"),
        label="L2 adds 2 lambda w_j to the derivative by w_j; L1 adds lambda times the sign "
        "of w_j where w_j is not zero",
    )


def _update() -> Node:
    w = mrow(sub("w", "j"), mo("←"), sub("w", "j"), mo("−"), mi("η"), _partial("J", sub("w", "j")))
    b = mrow(mi("b"), mo("←"), mi("b"), mo("−"), mi("η"), _partial("J", mi("b")))
    return math(
        w,
        _gap(),
        b,
        label="w_j becomes w_j minus eta times the derivative of J by w_j; "
        "b becomes b minus eta times the derivative of J by b",
    )


def _soft_threshold() -> Node:
    u = sub("u", "j")
    body = mrow(
        _fn("sign"),
        fenced(u),
        times(),
        _fn("max"),
        fenced(mrow(mo("|"), u, mo("|")), mo("−"), mi("η"), mi("λ"), mo(","), mn("0")),
    )
    return math(
        mrow(sub("w", "j"), mo("←"), body),
        label="with L1, w_j becomes sign(u_j) times the larger of |u_j| minus eta lambda and 0",
    )


def _inline(*children: Node, label: str) -> Node:
    return math(*children, display="inline", label=label)


# ----------------------------------------------------------------- derivation


def _formulas(nodes: list[Node]) -> str:
    """Display formulas side by side where they fit, each on its own line where not."""
    return (
        '<div class="formulas">'
        + "".join(f'<div class="formula">{node}</div>' for node in nodes)
        + "</div>"
    )


def derivation_html() -> str:
    """The four steps: model, loss, gradient, update."""
    steps = [
        (
            "The model",
            "Mix the two coordinates of a point linearly into one score z, then bend the "
            "score into a number between 0 and 1 with the logistic function σ. That number, "
            "p̂, is the model's probability that the point belongs to class 1.",
            [_model()],
            "A hard answer needs a threshold τ: the Lab predicts class 1 exactly when p̂ is at "
            "least τ, and class 0 below it. The boundary on the chart is the line where "
            "p̂ = τ; at τ = 0.5 that is the line z = 0.",
            [_rule()],
        ),
        (
            "The loss",
            "Each point has a label t ∈ {0, 1}. Cross-entropy charges −log p̂ for a class-1 point "
            "and −log(1 − p̂) for a class-0 point, so a confident wrong answer costs a lot "
            "and a confident right one almost nothing. L is the average over the N points.",
            [_loss()],
            "The Lab minimizes the objective J: the loss plus a penalty on the weights w = "
            "(w₀, w₁) — never on b. L2 adds λ times the squared length of w, L1 adds λ times "
            "the sum of absolute values; the elastic net mixes both. J is convex, so every "
            "valley the optimizer finds is the valley.",
            [_objective()],
        ),
        (
            "The gradient",
            "Differentiating the loss is short work: σ′(z) = p̂(1 − p̂) cancels against the "
            "derivative of the logarithm, leaving the prediction error p̂ − t times the input.",
            _gradient(),
            "The penalty adds its own pull toward zero to each weight's derivative:",
            [_penalty_gradient()],
        ),
        (
            "The update",
            "Gradient descent takes a step of size η against the gradient, and repeats. "
            "Each press of Train 1 step is one such step; the step counter and the loss "
            "curve count exactly these.",
            [_update()],
            "The L1 term has no derivative at zero, so the Lab first takes the smooth step to "
            "u = w − η∂L/∂w and then shrinks each weight toward zero by ηλ, stopping at zero "
            "(soft thresholding); that is how L1 makes weights exactly zero. If the loss "
            "curve zigzags upward, η is too large; if it barely moves, η is too small.",
            [_soft_threshold()],
        ),
    ]
    items = []
    for k, (title, before, first, after, second) in enumerate(steps, start=1):
        items.append(
            f'<li class="derivation-step" id="derivation-{k}">'
            f"<h3>{escape(title)}</h3>"
            f"<p>{escape(before)}</p>{_formulas(first)}"
            f"<p>{escape(after)}</p>{_formulas(second)}"
            "</li>"
        )
    return f'<ol class="derivation">{"".join(items)}</ol>'


# ----------------------------------------------------------------- try this


CARDS: tuple[Card, ...] = (
    Card(
        "xor-wall",
        "The XOR wall",
        "Load XOR and let Auto-train run. Class 0 sits in two opposite corners and class 1 in "
        "the other two, so every straight line leaves at least one corner on the wrong side. "
        "The least bad compromise for the cross-entropy is a nearly flat p̂ ≈ 0.5 everywhere: "
        "the loss stalls near log 2 ≈ 0.69 and accuracy near a coin flip. A single logistic "
        "unit cannot bend; stacking units (a neural network) or adding the feature x·y can.",
    ),
    Card(
        "lr-explosion",
        "Learning rate too large",
        "Overlap drawn at double noise, with η = 8. Each step jumps past the bottom of the "
        "valley to the far side, higher than where it started: the loss curve saw-tooths "
        "upward, the boundary flips around, and the Lab flags the run as diverging. Divide η "
        "by ten and train again: the curve falls smoothly.",
    ),
    Card(
        "regularization",
        "A penalty keeps the weights small",
        "Overlap with an L2 penalty λ = 0.05. Train until the curve is flat and note ‖w‖; then "
        "set the penalty to none and keep training. Without the penalty the weights head for "
        "nearly twice the size (‖w‖ ≈ 1.1 with the penalty, ≈ 2.1 at the unpenalized optimum; "
        "gradient descent creeps there, Newton gets there in a few steps) and the probability "
        "field gets steeper: the model becomes more sure of itself without becoming more "
        "accurate.",
    ),
    Card(
        "threshold-tradeoff",
        "Trading errors with the threshold",
        "The model is already fitted to Overlap, and τ starts at 0.3. Move τ up to 0.7: the "
        "boundary slides, false positives (type I) fall and false negatives (type II) rise. "
        "No τ removes both kinds of error; the right one depends on which mistake costs more.",
    ),
    Card(
        "imbalanced",
        "Accuracy on imbalanced data",
        "Imbalanced has 20 points of class 0 and 100 of class 1. A model that always answers "
        "class 1 is already right 100/120 ≈ 83 % of the time — the baseline in the stats. "
        "Judge accuracy against that number, and read precision, recall and F1 to see how the "
        "small class fares.",
    ),
    Card(
        "hand-set",
        "Draw the line yourself",
        "No training yet, and the line starts in a poor place. Move the w₀, w₁ and b sliders until "
        "the line separates the two blobs, and watch accuracy and the loss. Then press Train "
        "100 steps: gradient descent usually finds a lower loss even when your accuracy "
        "already matches, because the loss also rewards confident, well-placed probabilities.",
    ),
    Card(
        "separable-growth",
        "Separable data: the weights never stop",
        "Near-perfect data can be split exactly by a line; training runs with η = 1 and no "
        "penalty. The loss then keeps shrinking as the line gets sharper, so gradient descent "
        "keeps growing the weights forever: watch ‖w‖ climb while accuracy stays at 100 %. "
        "The Lab shows the true weights, however large. Add L2 with a small λ and the weights "
        "settle.",
    ),
    Card(
        "newton-vs-gd",
        "Newton's method against gradient descent",
        "Overlap with the Newton optimizer. Press Train 1 step a few times: it uses the "
        "curvature of the loss and lands on the minimum in about five steps. Press Reset "
        "weights, switch the optimizer to gradient descent and count how many steps it needs "
        "for the same loss.",
    ),
)


def try_this_html(cards: tuple[Card, ...] = CARDS) -> str:
    """The cards, each with a button that sets its experiment up (id ``try-SCENARIO``)."""
    return text_blocks.try_cards_html(cards, [f"try-{card.scenario}" for card in cards])


# ----------------------------------------------------------------- chips

WATCH_OUT: tuple[str, ...] = (
    "One straight line only: XOR-like data defeat it",
    "Features on different scales slow gradient descent",
    "Accuracy flatters imbalanced data",
    "Too large a step size η overshoots",
    "Separable data: weights grow without limit unless penalized",
    "τ = 0.5 is a habit, not a law",
)

IN_PRACTICE: tuple[str, ...] = (
    "sklearn.linear_model.LogisticRegression (L2 with C = 1 by default)",
    "Standardize features first (StandardScaler)",
    "class_weight='balanced' when one class is rare",
    "Pick C by cross-validation (LogisticRegressionCV)",
    "Choose τ from the costs of each kind of error",
    "Compare models with ROC AUC or average precision",
)


def _chips(title: str, icon: str, items: tuple[str, ...], kind: str) -> str:
    lis = "".join(f"<li>{escape(item)}</li>" for item in items)
    return (
        f'<div class="chips chips-{kind}">'
        f'<h3><span aria-hidden="true">{icon}</span> {escape(title)}</h3>'
        f'<ul class="chip-list">{lis}</ul></div>'
    )


def in_one_glance_html() -> str:
    return _chips("Watch out", "⚠", WATCH_OUT, "watch-out") + _chips(
        "In practice", "✓", IN_PRACTICE, "in-practice"
    )


# ----------------------------------------------------------------- FAQ


def _faq_items() -> list[FaqItem]:
    z = _inline(*_score(), label="z = w0 x + w1 y + b")
    sigma = _inline(hat("p"), mo("="), _logistic(), label="p-hat = 1 / (1 + e^-z)")
    rule = _inline(hat("p"), mo("≥"), mi("τ"), label="p-hat at least tau")
    l2 = _inline(
        mi("λ"),
        fenced(msubsup_sq("0"), mo("+"), msubsup_sq("1")),
        label="lambda (w0 squared + w1 squared)",
    )
    grad = _inline(
        fenced(hat("p"), mo("−"), mi("t")), times(), mi("x"), label="(p-hat minus t) times x"
    )
    c_map = _inline(
        mi("C"),
        mo("="),
        mfrac(mn("1"), mrow(mn("2"), mi("λ"), mi("N"))),
        label="C = 1 / (2 lambda N)",
    )
    return [
        (
            "What is logistic regression?",
            (
                "A linear model for yes/no answers. It scores a point with ",
                z,
                ", turns the score into a probability with ",
                sigma,
                ", and answers class 1 when ",
                rule,
                ". Training chooses w₀, w₁ and b to make the cross-entropy of the training "
                "points small.",
            ),
        ),
        (
            "Why can't it learn XOR?",
            (
                "Its boundary is one straight line (the set of points where z is a constant). "
                "In XOR, class 1 occupies two opposite corners and class 0 the other two; any "
                "line leaves at least one corner on the wrong side. Curved boundaries need new "
                "features (such as x·y), a kernel, or a network of many such units.",
            ),
        ),
        (
            "What does the L2 penalty do?",
            (
                "It adds ",
                l2,
                " to the loss, so large weights cost something. The optimizer then prefers a "
                "gentler slope of p̂ across the boundary, and on separable data it stops the "
                "weights from growing forever: the objective gets a finite minimum. On Overlap, "
                "λ = 0.05 roughly halves ‖w‖ while accuracy barely moves.",
            ),
        ),
        (
            "Why cross-entropy and not squared error?",
            (
                "With the logistic function inside, squared error is not convex in the weights "
                "and its gradient vanishes when a prediction is confidently wrong, so training "
                "can crawl or stall. Cross-entropy is convex, punishes confident mistakes "
                "steeply, and its gradient is simply ",
                grad,
                ".",
            ),
        ),
        (
            "How does λ relate to C in scikit-learn?",
            (
                "scikit-learn minimizes C times the summed loss plus ½‖w‖²; dividing by C·N "
                "turns that into the Lab's mean loss plus λ‖w‖² with ",
                c_map,
                ". So C depends on the number of points: the Lab shows the matching C for "
                "your data next to λ.",
            ),
        ),
        (
            "Why do the weights keep growing on some data sets?",
            (
                "When a line separates the classes perfectly, making the weights larger makes "
                "every probability more confident and the loss smaller, without end. There is "
                "no best finite model, so gradient descent never stops growing ‖w‖. The Lab "
                "shows the true weights and flags this; a penalty (λ > 0) or stopping early "
                "fixes it.",
            ),
        ),
    ]


def msubsup_sq(index: str) -> Node:
    """w_index squared."""
    return msubsup(mi("w"), mn(index), mn("2"))


def faq_html() -> str:
    return text_blocks.faq_html(_faq_items())


SLOTS: dict[str, str] = {
    "derivation": derivation_html(),
    "try-this": try_this_html(),
    "in-one-glance": in_one_glance_html(),
    "faq": faq_html(),
}
"""HTML for each ``<!-- slot:NAME -->`` of the Lab page template."""
