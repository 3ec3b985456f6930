"""The numerics class (:mod:`model.engine.numerics`): a stable name of numpy's last bits here."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from model.engine.numerics import numerics_class, simd_features


def test_the_class_is_a_short_name_the_same_in_another_process() -> None:
    here = numerics_class()
    assert re.fullmatch(r"[0-9a-f]{12}", here)
    code = "from model.engine.numerics import numerics_class; print(numerics_class())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == here  # what a second worker of this machine would record


def test_simd_features_are_numpys_found_features() -> None:
    import platform

    features = simd_features()
    assert features == sorted(features)
    if platform.machine() in ("x86_64", "AMD64"):
        assert "SSE2" in features  # every x86-64 has it, and numpy lists it as found
