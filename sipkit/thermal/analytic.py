"""Exact solutions used to validate the solver (and handy for hand checks).

All inputs are SI (m, W/(m·K), W/m³, W/(m²·K), W) and temperatures or rises in K or °C.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["flux_channel_mean_rise", "slab_flux_step", "slab_kt_top", "slab_temperature"]


def slab_temperature(z, layers, h_bottom: float, h_top: float, t_bottom: float = 0.0, t_top: float = 0.0):
    """Steady temperature in a 1-D multilayer slab with internal heat and convection.

    Parameters
    ----------
    z : array_like
        Heights (m) from the slab bottom.
    layers : sequence of (thickness, k, q)
        From the bottom up: thickness (m), conductivity (W/(m·K)) and uniform heat
        generation (W/m³) of each layer.
    h_bottom, h_top : float
        Heat transfer coefficients (W/(m²·K)) to the fluids below and above;
        ``math.inf`` fixes the face at the fluid temperature, 0 makes it adiabatic.
    t_bottom, t_top : float
        Fluid temperatures.

    Returns
    -------
    ndarray
        Temperatures at `z`.

    Notes
    -----
    In layer i, T = a_i + b_i s − q_i s² / (2 k_i), s = z − z_i; temperature and
    heat flux are continuous at the interfaces.  The 2n coefficients solve a small
    linear system.

    Examples
    --------
    A 1 cm slab (k = 1) held at 0 below, convecting to 1 °C above with h = 10: the
    top sits at R_slab / (R_slab + R_conv) = 0.01 / 0.11 of the way to the fluid.

    >>> round(float(slab_temperature([0.01], [(0.01, 1.0, 0.0)], math.inf, 10.0, 0.0, 1.0)[0]), 6)
    0.090909
    """
    n = len(layers)
    A = np.zeros((2 * n, 2 * n))
    rhs = np.zeros(2 * n)
    row = 0
    # bottom: k T'(0) = h (T(0) - t_b), i.e. heat leaving downwards
    k0 = layers[0][1]
    if math.isinf(h_bottom):
        A[row, 0] = 1.0
        rhs[row] = t_bottom
    else:
        A[row, 0] = h_bottom
        A[row, 1] = -k0
        rhs[row] = h_bottom * t_bottom
    row += 1
    for i in range(n - 1):
        t, k, q = layers[i]
        k1 = layers[i + 1][1]
        # temperature continuity: a_i + b_i t - q t²/2k = a_{i+1}
        A[row, 2 * i] = 1.0
        A[row, 2 * i + 1] = t
        A[row, 2 * i + 2] = -1.0
        rhs[row] = q * t * t / (2 * k)
        row += 1
        # flux continuity: k_i (b_i - q t / k_i) = k_{i+1} b_{i+1}
        A[row, 2 * i + 1] = k
        A[row, 2 * i + 3] = -k1
        rhs[row] = q * t
        row += 1
    t, k, q = layers[-1]
    # top: -k T'(L) = h (T(L) - t_t)
    if math.isinf(h_top):
        A[row, 2 * n - 2] = 1.0
        A[row, 2 * n - 1] = t
        rhs[row] = t_top + q * t * t / (2 * k)
    else:
        A[row, 2 * n - 2] = h_top
        A[row, 2 * n - 1] = h_top * t + k
        rhs[row] = h_top * t_top + h_top * q * t * t / (2 * k) + q * t
    coef = np.linalg.solve(A, rhs)
    z = np.atleast_1d(np.asarray(z, dtype=float))
    bottoms = np.concatenate(([0.0], np.cumsum([layer[0] for layer in layers])))
    idx = np.clip(np.searchsorted(bottoms, z, side="right") - 1, 0, n - 1)
    s = z - bottoms[idx]
    a, b = coef[2 * idx], coef[2 * idx + 1]
    q = np.array([layer[2] for layer in layers])[idx]
    k = np.array([layer[1] for layer in layers])[idx]
    return a + b * s - q * s * s / (2 * k)


def _impedance(zeta, t1, k1, t2, k2, h):
    """θ/q at the source plane for a mode with eigenvalue ζ (K·m²/W), ζ may be an array.

    Transfer of the surface impedance Z = θ / (−k θ') from the convective bottom
    (Z = 1/h) up through layer 2 and layer 1: Z ← (Z k ζ + tanh ζt) / (k ζ (1 + Z k ζ tanh ζt)).
    """
    zeta = np.asarray(zeta, dtype=float)
    out = np.empty_like(zeta)
    zero = zeta == 0
    out[zero] = t1 / k1 + t2 / k2 + (1.0 / h if h > 0 else np.inf)
    zz = zeta[~zero]
    Z = np.full(zz.shape, 1.0 / h if h > 0 else np.inf)
    for t, k in ((t2, k2), (t1, k1)):
        th = np.tanh(zz * t)
        kz = k * zz
        with np.errstate(invalid="ignore", over="ignore"):
            Z = np.where(np.isinf(Z), 1.0 / (kz * th), (Z * kz + th) / (kz * (1.0 + Z * kz * th)))
    out[~zero] = Z
    return out


def flux_channel_mean_rise(a, b, c, d, xc, yc, t1, k1, t2, k2, h, Q, terms: int = 400) -> float:
    """Mean temperature rise of a rectangular heat source on a two-layer flux channel.

    The channel is a × b (m) with adiabatic sides; layer 1 (thickness t1, conductivity
    k1) carries the uniform source Q (W) over the c × d rectangle centred at (xc, yc)
    on its top face, layer 2 (t2, k2) lies below, and the bottom face convects with h
    to a zero ambient.  The rest of the top face is adiabatic.

    This is the Fourier-series solution of Y. S. Muzychka, J. R. Culham and
    M. M. Yovanovich, "Thermal spreading resistance of eccentric heat sources on
    rectangular flux channels", J. Electronic Packaging 125 (2003) 178-185: the
    mean source temperature is the one-dimensional rise Q (t1/k1 + t2/k2 + 1/h) / (ab)
    plus the spreading terms of the cosine modes λ_m = mπ/a, δ_n = nπ/b.  Written
    here as Σ ε_m ε_n s_m² s_n² Z(β_mn) Q / (ab), with s_m the source mean of
    cos λ_m x, ε = 1 for the zero mode and 2 otherwise, β_mn = (λ_m² + δ_n²)^½ and Z
    the mode impedance of the layered channel (their spreading function φ is k1 ζ Z).

    Examples
    --------
    >>> rise = flux_channel_mean_rise(0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 1e-3, 100, 1e-3, 10, 1000, 1.0)
    >>> round(rise, 6)  # a source covering the channel: one-dimensional
    11.1
    """
    m = np.arange(terms + 1)
    lam = m * np.pi / a
    dlt = m * np.pi / b
    with np.errstate(invalid="ignore", divide="ignore"):
        sx = np.where(m == 0, 1.0, 2 * np.cos(lam * xc) * np.sin(lam * c / 2) / (lam * c))
        sy = np.where(m == 0, 1.0, 2 * np.cos(dlt * yc) * np.sin(dlt * d / 2) / (dlt * d))
    eps = np.where(m == 0, 1.0, 2.0)
    wx = eps * sx * sx
    wy = eps * sy * sy
    beta = np.sqrt(lam[:, None] ** 2 + dlt[None, :] ** 2)
    Z = _impedance(beta.ravel(), t1, k1, t2, k2, h).reshape(beta.shape)
    return float(Q / (a * b) * np.sum(wx[:, None] * wy[None, :] * Z))


def slab_flux_step(t, L, k, rho_cp, q, terms: int = 400):
    """Rise of the heated face of a slab after a flux step, the other face held fixed.

    A slab of thickness L (m), conductivity k and volumetric heat capacity rho_cp,
    initially at the fixed face's temperature, gets a uniform flux q (W/m²) on one face
    from t = 0 while the other face stays fixed:
    θ(L, t) = q L / k [1 − Σ 8 / ((2n+1)² π²) exp(−(2n+1)² π² α t / (4 L²))]
    (H. S. Carslaw and J. C. Jaeger, Conduction of Heat in Solids, 2nd ed., 1959, §3.3).
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    alpha = k / rho_cp
    n = np.arange(terms)[:, None]
    odd = (2 * n + 1) ** 2
    decay = np.exp(-odd * np.pi ** 2 * alpha * t[None, :] / (4 * L * L))
    series = np.sum(8.0 / (odd * np.pi ** 2) * decay, axis=0)
    return q * L / k * (1.0 - series)


def slab_kt_top(L, q, k300, exponent, t_bottom):
    """Heated-face temperature (°C) of a slab with k(T) = k300 (300 K / T)^exponent.

    A flux q (W/m²) enters one face, the other is held at `t_bottom` (°C); by the
    Kirchhoff transform U = ∫ k dT, U(top) − U(bottom) = q L exactly.
    """
    tb = t_bottom + 273.15
    if exponent == 1.0:
        return tb * math.exp(q * L / (k300 * 300.0)) - 273.15
    base = tb ** (1.0 - exponent) + (1.0 - exponent) * q * L / (k300 * 300.0 ** exponent)
    return base ** (1.0 / (1.0 - exponent)) - 273.15
