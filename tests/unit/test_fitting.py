"""The fit's objective and the leave-one-group-out refit (engine/physics/fitting.py)."""
import numpy as np
import pytest

from engine.physics import fitting

pytestmark = pytest.mark.unit


def _linear_problem(weights=None):
    # log error of row i = x0 + t_i x1 - y_i: a straight line in log space, exact at x = (0.1, 0.2)
    t = np.linspace(0.0, 1.0, 12)
    y = -(0.1 + 0.2 * t)
    return fitting.Problem(("a", "b"), lambda x: x[0] + t * x[1] + y,
                           np.ones_like(t) if weights is None else weights,
                           np.zeros(2), np.full(2, 100.0))


def test_fit_recovers_parameters_under_a_wide_prior():
    x = fitting.fit(_linear_problem(), np.zeros(2))
    assert x == pytest.approx([0.1, 0.2], abs=1e-3)


def test_a_narrow_prior_holds_a_factor_no_row_constrains():
    p = fitting.Problem(("a", "b"), lambda x: np.full(5, x[0] - 0.3), np.ones(5), np.zeros(2), np.full(2, 0.1))
    x = fitting.fit(p, np.zeros(2))
    assert x[1] == pytest.approx(0.0, abs=1e-6)  # b touches no row: stays at its prior
    assert 0.0 < x[0] < 0.3  # a is pulled by the rows, held back by its prior


def test_group_weights_give_every_group_the_same_total():
    w = fitting.group_weights([("s", "h100", "m")] * 4 + [("s", "h200", "m")])
    assert w.tolist() == [0.25] * 4 + [1.0]


def test_refit_without_a_group_does_not_see_it():
    # rows 0-5 say x0 = 0.1, rows 6-11 say x0 = 0.5: the left-out half is predicted from the other
    y = np.r_[np.full(6, -0.1), np.full(6, -0.5)]
    p = fitting.Problem(("a",), lambda x: x[0] + y, np.ones(12), np.zeros(1), np.full(1, 100.0))
    x = fitting.fit(p, np.zeros(1))
    e = p.log_errors(x)
    J = fitting.jacobian(p, x, e)
    keep = np.r_[np.ones(6, bool), np.zeros(6, bool)]
    held = fitting.refit_without(p, x, e, J, keep)
    assert held[:6] == pytest.approx(0.0, abs=1e-3)  # refitted on rows 0-5: they fit exactly
    assert held[6:] == pytest.approx(-0.4, abs=1e-3)  # the left-out rows are 0.4 off in log space
