"""The accuracy the Scenario headline quotes (engine/data/model_accuracy.yaml) is the one the calibration
reports today: a refit that moves it must update the stored row."""
from __future__ import annotations

import pytest

from engine.physics.calibration import reported_accuracy
from engine.recommend import model_error_band

pytestmark = pytest.mark.calibration


def test_the_stored_out_of_sample_error_is_todays():
    accuracy = reported_accuracy()
    assert accuracy is not None
    assert model_error_band() == pytest.approx(accuracy.out_of_sample.median_abs_error, abs=0.0006)
