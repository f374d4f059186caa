"""The words of the ROC & AUC page: the math, the grading scheme, "Try this" cards, the FAQ.

Each ``<!-- slot:NAME -->`` of ``pages/roc.html`` is filled from :data:`SLOTS`.
Formulas are MathML built with :mod:`logitlab.lab.mathml`; text is escaped
where it is built. Headings inside the slots start at ``<h3>``.
"""

from __future__ import annotations

from html import escape

from logitlab.lab import text_blocks
from logitlab.lab.mathml import (
    Node,
    fenced,
    fmt,
    hat,
    math,
    mfrac,
    mi,
    mn,
    mo,
    mrow,
    mspace,
    msqrt,
    msub,
    mtext,
    munder,
)
from logitlab.lab.roc import GRADES
from logitlab.lab.text_blocks import Card
from logitlab.lab.text_blocks import paragraph as _p

# ----------------------------------------------------------------- formula pieces


def _gap() -> Node:
    return mspace("1.5em")


def _t(text: str) -> Node:
    return mtext(text)


def _count(name: str, label: int, rule: str) -> Node:
    """NAME = #{ i : tᵢ = label, p̂ᵢ rule τ }."""
    return mrow(
        mi(name, mathvariant="normal"),
        mo("="),
        mo("#"),
        mo("{"),
        mi("i"),
        mo(":"),
        msub(mi("t"), mi("i")),
        mo("="),
        mn(str(label)),
        mo(","),
        msub(hat("p"), mi("i")),
        mo(rule),
        mi("τ"),
        mo("}"),
    )


def _n(name: str) -> Node:
    return mi(name, mathvariant="normal")


def _ratio(name: str, num: Node, den: Node) -> Node:
    return mrow(mtext(name), mo("="), mfrac(num, den))


def _sum(*names: str) -> Node:
    parts: list[Node] = []
    for k, name in enumerate(names):
        if k:
            parts.append(mo("+"))
        parts.append(_n(name))
    return mrow(*parts)


def _counts_math() -> list[Node]:
    rows = (
        ("TP", 1, "≥", "TP counts class-1 points with p-hat at least tau"),
        ("FN", 1, "<", "FN counts class-1 points with p-hat below tau"),
        ("FP", 0, "≥", "FP counts class-0 points with p-hat at least tau"),
        ("TN", 0, "<", "TN counts class-0 points with p-hat below tau"),
    )
    return [math(_count(name, label, rule), label=text) for name, label, rule, text in rows]


def _rates_math() -> list[Node]:
    return [
        math(
            _ratio("TPR = recall", _n("TP"), _sum("TP", "FN")),
            label="TPR, the recall, = TP / (TP + FN)",
        ),
        math(_ratio("FPR", _n("FP"), _sum("FP", "TN")), label="FPR = FP / (FP + TN)"),
        math(
            _ratio("precision", _n("TP"), _sum("TP", "FP")),
            label="precision = TP / (TP + FP)",
        ),
        math(
            _ratio("specificity", _n("TN"), _sum("TN", "FP")),
            label="specificity = TN / (TN + FP)",
        ),
    ]


def _pos() -> Node:
    return msub(hat("p"), mo("+"))


def _neg() -> Node:
    return msub(hat("p"), mo("−"))


def _auc_math() -> Node:
    return math(
        mrow(
            mtext("AUC"),
            mo("="),
            mi("P"),
            fenced(_pos(), mo(">"), _neg()),
            mo("+"),
            mfrac(mn("1"), mn("2")),
            mi("P"),
            fenced(_pos(), mo("="), _neg()),
        ),
        label="AUC equals the probability that p-hat of a random class-1 point exceeds p-hat "
        "of a random class-0 point, plus half the probability that they tie",
    )


def _ap_math() -> Node:
    return math(
        mrow(
            mtext("AP"),
            mo("="),
            munder(mo("∑"), mi("k")),
            fenced(msub(mi("R"), mi("k")), mo("−"), msub(mi("R"), mrow(mi("k"), mo("−"), mn("1")))),
            msub(mi("P"), mi("k")),
        ),
        label="AP equals the sum over thresholds k of (R_k minus R_(k-1)) times P_k",
    )


def _f1_math() -> Node:
    two_pr = mrow(mn("2"), mi("P"), mi("R"))
    return math(
        mrow(
            mtext("F1"),
            mo("="),
            mfrac(two_pr, mrow(mi("P"), mo("+"), mi("R"))),
            mo("="),
            mfrac(mrow(mn("2"), _n("TP")), mrow(mn("2"), _n("TP"), mo("+"), _sum("FP", "FN"))),
        ),
        label="F1 = 2 P R / (P + R) = 2 TP / (2 TP + FP + FN)",
    )


def _mcc_math() -> Node:
    num = mrow(_n("TP"), mo("·"), _n("TN"), mo("−"), _n("FP"), mo("·"), _n("FN"))
    den = msqrt(
        fenced(_sum("TP", "FP")),
        fenced(_sum("TP", "FN")),
        fenced(_sum("TN", "FP")),
        fenced(_sum("TN", "FN")),
    )
    return math(
        mrow(mtext("MCC"), mo("="), mfrac(num, den)),
        label="MCC = (TP TN minus FP FN) over the square root of (TP+FP)(TP+FN)(TN+FP)(TN+FN)",
    )


def _cost_math() -> Node:
    cost = mrow(
        mtext("cost"),
        fenced(mi("τ")),
        mo("="),
        msub(mi("c"), mtext("FP")),
        _n("FP"),
        mo("+"),
        msub(mi("c"), mtext("FN")),
        _n("FN"),
    )
    slope = mrow(
        mtext("iso-cost slope"),
        mo("="),
        mfrac(
            mrow(msub(mi("c"), mtext("FP")), msub(mi("N"), mo("−"))),
            mrow(msub(mi("c"), mtext("FN")), msub(mi("N"), mo("+"))),
        ),
    )
    return math(
        cost,
        _gap(),
        slope,
        label="cost of tau = c_FP times FP plus c_FN times FN; in ROC space lines of equal "
        "cost have slope c_FP N_minus over c_FN N_plus",
    )


def math_html() -> str:
    """The math of the page: counts, rates, AUC, AP, F1, MCC, costs."""
    steps: list[tuple[str, str, list[Node], str]] = [
        (
            "Four counts at one threshold",
            "Pick a threshold τ and call a point class 1 when p̂ ≥ τ. Every point then lands "
            "in one of four boxes, by its true label t and the call:",
            _counts_math(),
            "The confusion matrix is these four numbers. Raising τ moves points from the "
            "right column (called 1) to the left one (called 0): FP falls, FN rises.",
        ),
        (
            "Rates that ignore the class sizes",
            "Dividing by the size of the true class gives rates between 0 and 1; dividing by "
            "the size of the called class gives precision:",
            _rates_math(),
            "TPR and FPR each look at one true class only, so the balance of the classes does "
            "not move them. Precision mixes both classes and does depend on that balance.",
        ),
        (
            "The ROC curve and its area",
            "Slide τ from 1 down to 0 and plot (FPR, TPR) at every step: the ROC curve runs "
            "from (0, 0), where nothing is called class 1, to (1, 1), where everything is. "
            "The diagonal is what scores drawn at random give. The area under the curve has "
            "a plain meaning:",
            [_auc_math()],
            "It is the chance that the model ranks a random class-1 point above a random "
            "class-0 point. It depends only on the order of the p̂ values: any change that "
            "keeps the order (moving b, scaling w) leaves it unchanged.",
        ),
        (
            "Precision–recall and average precision",
            "Plot (recall, precision) for every τ instead and you get the precision–recall "
            "curve. Its summary is the average precision, the precision at each threshold "
            "weighted by how much recall that threshold adds:",
            [_ap_math()],
            "Random scores give precision equal to the share of class 1 (the prevalence) at "
            "every recall, so that share — not 0.5 — is the chance level of AP. This page "
            "computes AP without interpolation, as scikit-learn's average_precision_score.",
        ),
        (
            "One number at one threshold: F1 and MCC",
            "F1 is the harmonic mean of precision P and recall R; it ignores the true "
            "negatives. The Matthews correlation uses all four counts and is 0 for a "
            "classifier no better than chance:",
            [_f1_math(), _mcc_math()],
            "Balanced accuracy is the mean of recall and specificity; with equal classes it "
            "equals accuracy.",
        ),
        (
            "Pricing the errors",
            "When a false positive costs c_FP and a false negative c_FN, the best τ is the "
            "one with the lowest total cost. In ROC space, all points with the same cost lie "
            "on a straight line:",
            [_cost_math()],
            "The minimum-cost point is where the highest such line touches the curve; the "
            "page draws that line through it. Dearer false negatives make the line flatter "
            "and push the best τ down.",
        ),
    ]
    out = []
    for k, (title, before, formulas, after) in enumerate(steps, start=1):
        shown = (
            '<div class="formulas">'
            + "".join(f'<div class="formula">{f}</div>' for f in formulas)
            + "</div>"
        )
        out.append(
            f'<section class="step"><h3><span class="step-n">{k}</span> {escape(title)}</h3>'
            f"{_p(before)}{shown}{_p(after)}</section>"
        )
    return "".join(out)


# ----------------------------------------------------------------- grades


def grades_html() -> str:
    """How the page grades ROC AUC and AP: one scale of skill above chance."""
    rows = []
    for low, name in GRADES:
        signed = f"+ {low:g}" if low >= 0 else f"− {-low:g}"
        rows.append(
            f'<tr><th scope="row">{escape(name)}</th><td>≥ {fmt(low, 2)}</td>'
            f"<td>≥ {0.5 + low / 2:g}</td><td>≥ π {signed}·(1 − π)</td></tr>"
        )
    rows.append(
        '<tr><th scope="row">reversed</th><td>&lt; −0.1</td><td>&lt; 0.45</td>'
        "<td>&lt; π − 0.1·(1 − π)</td></tr>"
    )
    skill = math(
        mrow(
            mtext("skill"),
            mo("="),
            mfrac(
                mrow(mtext("score"), mo("−"), mtext("chance")),
                mrow(mn("1"), mo("−"), mtext("chance")),
            ),
        ),
        label="skill equals score minus chance, over one minus chance",
    )
    return (
        _p(
            "A score means little without its chance level. Random p̂ give a ROC AUC of 0.5 "
            "whatever the data, but an average precision equal to the share of class 1, π. "
            "On the Imbalanced preset π is 100/120 ≈ 0.83, so an AP of 0.9 is barely better "
            "than guessing. Both scores are therefore graded on the same scale, how far they "
            "went from chance towards a perfect 1:"
        )
        + f'<div class="formula">{skill}</div>'
        + '<table class="grades"><caption>Grades</caption><thead><tr><th scope="col">grade'
        '</th><th scope="col">skill</th><th scope="col">ROC AUC</th><th scope="col">AP'
        "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


# ----------------------------------------------------------------- try this


CARDS: tuple[Card, ...] = (
    Card(
        "roc-overlap",
        "Walk the operating point",
        "The model is fitted to Overlap. Drag τ from 0 to 1: the dot runs down the ROC curve "
        "from (1, 1) to (0, 0) while the τ line crosses the histograms. Every bar of class 0 "
        "right of the line is a false positive, every bar of class 1 left of it a false "
        "negative.",
    ),
    Card(
        "roc-overlap",
        "The area ignores b",
        "Move the b slider from −3 to 3. The boundary slides, the confusion matrix changes "
        "and the dot moves — but the curves and the AUC stay put, because adding the same "
        "number to every z keeps the order of the points. Now move w₁: the order changes, "
        "and so does the AUC.",
    ),
    Card(
        "anti-classifier",
        "An anti-classifier",
        "The fitted weights of Blobs, with their signs flipped. The ranking is perfectly "
        "backwards: ROC AUC is 0 and the grade says reversed. Read 1 − p̂ instead and the "
        "AUC would be 1 − 0 = 1. On real data an AUC below 0.5 usually means a bug — swapped "
        "labels or a sign error in a feature — so fix that cause rather than flipping the "
        "output. Press Train 100 steps and watch gradient descent turn the line around.",
    ),
    Card(
        "roc-imbalanced",
        "Judge AP against its chance level",
        "Imbalanced has 100 points of class 1 and 20 of class 0, and the starting weights are "
        "poor. The AP is about 0.95 — yet its grade is only fair, because random scores "
        "already reach the share of class 1, 0.83 (the dashed line on the PR chart). A grade "
        "with the ROC cut-offs would have called it excellent.",
    ),
    Card(
        "threshold-tradeoff",
        "Three best thresholds",
        "Overlap, fitted, τ at 0.3. Press Best F1, Youden's J and Minimum cost in turn. Then "
        "set the FN cost to 5 and press Minimum cost again: a missed class-1 point now costs "
        "five false alarms, so τ drops, recall rises and the iso-cost line gets flatter.",
    ),
    Card(
        "roc-near-perfect",
        "A near-perfect ranking",
        "Near-perfect, fitted: the two histograms do not overlap, the ROC curve hugs the top-"
        "left corner and both scores are 1. Any τ in the wide gap between the histograms is "
        "perfect. Raise the noise to 3 and watch the histograms merge and the AUC fall.",
    ),
)


def try_this_html(cards: tuple[Card, ...] = CARDS) -> str:
    """The cards, each with a button that sets its experiment up (ids ``roc-try-1`` ...)."""
    return text_blocks.try_cards_html(cards, [f"roc-try-{k}" for k in range(1, len(cards) + 1)])


# ----------------------------------------------------------------- FAQ

FAQ: tuple[tuple[str, str], ...] = (
    (
        "Why does the AUC not change when I move τ?",
        "The AUC sums up every threshold at once: it scores the order of the p̂ values, not "
        "one decision. τ only picks which point of the curve you act on; the curve itself is "
        "fixed until the points or the weights change.",
    ),
    (
        "ROC or precision–recall: which should I read?",
        "Both come from the same counts. The ROC curve does not care how rare class 1 is; "
        "the PR curve does, because precision counts false alarms against true hits. When "
        "class 1 is rare and false alarms are what hurt, read the PR curve and AP; when both "
        "classes matter alike, the ROC curve and its AUC are easier to compare across data.",
    ),
    (
        "Why is AP graded differently from ROC AUC?",
        "Their chance levels differ. Random scores get a ROC AUC of 0.5 on any data but an "
        "AP equal to the share of class 1. Grading AP with the ROC cut-offs would praise a "
        "useless model on data where class 1 is common, and punish a good one where it is "
        "rare. The page grades both by how far they moved from chance towards 1.",
    ),
    (
        "Does training maximise the AUC?",
        "Not directly. Gradient descent lowers the cross-entropy, which rewards confident, "
        "well-calibrated probabilities. A lower loss usually orders the points better, but "
        "the two can disagree: the AUC can stay flat while the loss keeps falling, and the "
        "anti-classifier shows that a very bad loss can come with a perfectly informative "
        "(reversed) ranking.",
    ),
    (
        "Which τ should I use?",
        "The one that fits what the errors cost you. Best F1 balances precision and recall; "
        "Youden's J maximises TPR − FPR, the point furthest above the diagonal; Minimum cost "
        "uses the prices you give each kind of error. With well-calibrated p̂ the cheapest "
        "τ is c_FP / (c_FP + c_FN) — 0.5 only when both errors cost the same.",
    ),
)


def faq_html() -> str:
    return text_blocks.faq_html((question, (answer,)) for question, answer in FAQ)


SLOTS: dict[str, str] = {
    "roc-math": math_html(),
    "roc-grades": grades_html(),
    "roc-try-this": try_this_html(),
    "roc-faq": faq_html(),
}
"""HTML for each ``<!-- slot:NAME -->`` of the ROC page template."""
