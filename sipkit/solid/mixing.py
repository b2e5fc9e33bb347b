"""Effective thermal properties of a tile mixing metal into a matrix (see :mod:`.tiles`).

With metal fraction f, through-going column fraction c ≤ f and lamella (trace, plane)
fraction l = f − c:

* in-plane: the lamellae conduct in parallel with the rest, and the rest is the matrix
  with aligned cylinders of area fraction c' = c / (1 − l) across their axis
  (Rayleigh's / Maxwell-Garnett's result for a dilute square array of cylinders,
  exact to first order in c'):

  k_mc = k_d ((1 + c') k_m + (1 − c') k_d) / ((1 − c') k_m + (1 + c') k_d),
  k_xy = l k_m + (1 − l) k_mc;

* through-plane: the columns conduct in parallel with the rest, and in the rest the
  lamellae (fraction l' = l / (1 − c)) and the matrix are in series, as in
  :func:`sipkit.materials.mix`:

  k_z = c k_m + (1 − c) / (l' / k_m + (1 − l') / k_d).

So a routing layer (c = 0) mixes in-plane parallel and through-plane series, a via
field or a bump layer (l = 0) through-plane parallel.  Heat capacity per volume is the
volume average.  References: Lord Rayleigh, "On the influence of obstacles arranged in
rectangular order upon the properties of a medium", Phil. Mag. 34 (1892) 481-502;
J. C. Maxwell Garnett, Phil. Trans. R. Soc. A 203 (1904) 385-420.
"""

from __future__ import annotations

import numpy as np

__all__ = ["effective_conductivity", "effective_heat_capacity"]


def effective_conductivity(f, c, k_metal, k_matrix):
    """Effective [kx, ky, kz] of tiles with metal fraction `f` and column fraction `c`.

    Parameters
    ----------
    f, c : array_like
        Metal and column area fractions (same shape), 0 ≤ c ≤ f ≤ 1.
    k_metal, k_matrix : sequence of three floats
        Conductivities (kx, ky, kz) of the metal and of the matrix, W/(m·K).

    Returns
    -------
    tuple of three ndarrays
        kx, ky, kz with the shape of `f`.

    Examples
    --------
    >>> kx, ky, kz = effective_conductivity([0.5], [0.0], (400, 400, 400), (1, 1, 1))
    >>> float(kx[0]), round(float(kz[0]), 6)
    (200.5, 1.995012)
    """
    f = np.asarray(f, dtype=float)
    c = np.minimum(np.asarray(c, dtype=float), f)
    lam = f - c
    rest = 1.0 - lam
    cp = np.divide(c, rest, out=np.zeros_like(c), where=rest > 0)
    out = []
    for axis in (0, 1):
        km, kd = float(k_metal[axis]), float(k_matrix[axis])
        kmc = kd * ((1 + cp) * km + (1 - cp) * kd) / ((1 - cp) * km + (1 + cp) * kd)
        out.append(lam * km + rest * kmc)
    km, kd = float(k_metal[2]), float(k_matrix[2])
    open_ = 1.0 - c
    lp = np.divide(lam, open_, out=np.zeros_like(lam), where=open_ > 0)
    kseries = 1.0 / (lp / km + (1.0 - lp) / kd)
    out.append(c * km + open_ * kseries)
    return tuple(out)


def effective_heat_capacity(f, rho_cp_metal: float, rho_cp_matrix: float):
    """Volumetric heat capacity (J/(m³·K)) of tiles with metal fraction `f`."""
    f = np.asarray(f, dtype=float)
    return f * rho_cp_metal + (1.0 - f) * rho_cp_matrix
