from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures
from sklearn.preprocessing import StandardScaler

from logitlab.core.features import FeatureMap, PolynomialFeatures, Standardizer

TOL = {"rtol": 1e-12, "atol": 1e-12}


def data(seed: int = 0, n: int = 50, p: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, p)) * [1.0, 100.0, 0.01][:p] + [5.0, -300.0, 0.2][:p]


def test_standardizer_matches_sklearn() -> None:
    X = data()
    w = np.random.default_rng(1).uniform(0.1, 2.0, X.shape[0])
    for sw in (None, w):
        ours = Standardizer().fit(X, sample_weight=sw)
        sk = StandardScaler().fit(X, sample_weight=sw)
        np.testing.assert_allclose(ours.mean_, sk.mean_, **TOL)
        np.testing.assert_allclose(ours.scale_, sk.scale_, **TOL)
        np.testing.assert_allclose(ours.transform(X), sk.transform(X), rtol=1e-10, atol=1e-10)
    Z = Standardizer().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)


def test_standardizer_round_trip_and_constant_columns() -> None:
    X = np.column_stack([data(p=2), np.full(50, 0.1), np.full(50, -7.0)])
    s = Standardizer().fit(X)
    np.testing.assert_array_equal(s.scale_[2:], [1.0, 1.0])
    np.testing.assert_array_equal(s.mean_[2:], [0.1, -7.0])
    Z = s.transform(X)
    np.testing.assert_array_equal(Z[:, 2:], 0.0)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-13, atol=1e-13)
    assert s.n_features_in_ == 4


def test_raw_coef_gives_the_same_linear_predictor() -> None:
    X = data()
    s = Standardizer().fit(X)
    rng = np.random.default_rng(2)
    coef = rng.normal(size=4)
    raw = s.raw_coef(coef)
    np.testing.assert_allclose(
        X @ raw[:3] + raw[3], s.transform(X) @ coef[:3] + coef[3], rtol=1e-10, atol=1e-10
    )
    coef2 = rng.normal(size=(3, 4))  # multinomial: one row per class
    raw2 = s.raw_coef(coef2)
    np.testing.assert_allclose(
        X @ raw2[:, :3].T + raw2[:, 3], s.transform(X) @ coef2[:, :3].T + coef2[:, 3], rtol=1e-10
    )
    with pytest.raises(ValueError, match=r"coef must have shape \(4,\)"):
        s.raw_coef(np.zeros(3))


@pytest.mark.parametrize(("p", "degree"), [(1, 4), (2, 1), (2, 2), (2, 3), (3, 3), (2, 6)])
def test_polynomial_columns_match_sklearn(p: int, degree: int) -> None:
    X = np.random.default_rng(p * 10 + degree).normal(size=(20, p))
    ours = PolynomialFeatures(degree).fit(X)
    sk = SkPolynomialFeatures(degree, include_bias=False).fit(X)
    np.testing.assert_array_equal(ours.powers_, sk.powers_)
    assert ours.n_output_features_ == sk.n_output_features_
    np.testing.assert_allclose(ours.transform(X), sk.transform(X), rtol=1e-12, atol=1e-14)


def sklearn_name_to_ours(name: str, inputs: list[str]) -> str:
    """'x0^2 x1' -> 'x²·y' given inputs ['x', 'y']."""
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    parts = []
    for factor in name.split(" "):
        m = re.fullmatch(r"x(\d+)(?:\^(\d+))?", factor)
        assert m is not None
        base = inputs[int(m.group(1))]
        parts.append(base + (m.group(2).translate(sup) if m.group(2) else ""))
    return "·".join(parts)


@pytest.mark.parametrize(("inputs", "degree"), [(["x", "y"], 3), (["a", "b", "c"], 2)])
def test_feature_names_follow_sklearn_order(inputs: list[str], degree: int) -> None:
    X = np.zeros((2, len(inputs)))
    ours = PolynomialFeatures(degree).fit(X).feature_names(inputs)
    sk = SkPolynomialFeatures(degree, include_bias=False).fit(X).get_feature_names_out()
    assert ours == [sklearn_name_to_ours(name, inputs) for name in sk]


def test_feature_names_read_well() -> None:
    assert PolynomialFeatures(3).feature_names() == [
        "x", "y", "x²", "x·y", "y²", "x³", "x²·y", "x·y²", "y³",
    ]  # fmt: skip
    assert PolynomialFeatures(12).feature_names(("x",))[-1] == "x¹²"
    with pytest.raises(ValueError, match="input_names has 2 names but 3 features"):
        PolynomialFeatures(2).fit(np.zeros((1, 3))).feature_names()


@pytest.mark.parametrize("degree", [0, -1, 1.5, True, "2"])
def test_bad_degree(degree: object) -> None:
    with pytest.raises(ValueError, match="degree must be an integer >= 1"):
        PolynomialFeatures(degree)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Standardizer().fit(np.zeros(3)), "2-D array"),
        (lambda: Standardizer().fit(np.zeros((0, 2))), "empty"),
        (lambda: Standardizer().fit([[1.0, np.nan]]), "finite"),
        (lambda: Standardizer().fit([["a", "b"]]), "numeric"),
        (lambda: Standardizer().transform([[1.0]]), "not fitted yet"),
        (lambda: Standardizer().fit([[1.0, 2.0]]).transform([[1.0]]), "X has 1 features"),
        (lambda: Standardizer().fit([[1.0]], sample_weight=[-1.0]), "sample_weight must be"),
        (lambda: PolynomialFeatures(2).transform([[1.0]]), "not fitted yet"),
        (lambda: PolynomialFeatures(2).fit([[1.0, 2.0]]).transform([[1.0]]), "fitted with 2"),
    ],
)
def test_bad_input_is_explained(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_feature_map_chains_and_maps_coefficients_back() -> None:
    X = data(p=2)
    fmap = FeatureMap(degree=3, standardize=True)
    Z = fmap.fit_transform(X)
    raw_poly = PolynomialFeatures(3).fit_transform(X)
    np.testing.assert_allclose(Z, StandardScaler().fit_transform(raw_poly), rtol=1e-9, atol=1e-9)
    assert fmap.feature_names()[3] == "x·y" and Z.shape == (50, 9)
    coef = np.random.default_rng(3).normal(size=10)
    raw = fmap.raw_coef(coef)
    np.testing.assert_allclose(
        raw_poly @ raw[:9] + raw[9], Z @ coef[:9] + coef[9], rtol=1e-8, atol=1e-8
    )
    plain = FeatureMap(degree=2, standardize=False).fit(X)
    np.testing.assert_array_equal(plain.transform(X), PolynomialFeatures(2).fit_transform(X))
    np.testing.assert_array_equal(plain.raw_coef(coef[:6]), coef[:6])
