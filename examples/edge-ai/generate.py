"""Generate the edge-AI SiP example: ``edge-ai.yaml`` and its routing ``edge-ai-routing.gds``.

What it builds, a 13 x 13 mm molded System-in-Package (dimensions in µm):

* a 1+2+1 organic substrate, 360 µm (solder mask, L1, ABF, L2, 200 µm BT core, L3, ABF,
  L4, solder mask), routed at 25 µm line / 25 µm space on every layer;
* an NPU, 5.7 mm, flip chip on 36 x 36 copper pillars (50 µm, SnAg caps, 150 µm pitch),
  5 W in a power map.  The outer bump rows carry the signals; the centre alternates
  VDD and VSS rows, strapped pad to pad on L1, a microvia in every pad, VDD strapped
  again on L2 and taken through the core to the VDD plane on L3;
* an LPDDR4X x16 die, wire bonded (20 µm Au) on die-attach film: 64 wires from two edges
  to fingers in a fan on L1, the DQ/CA buses to the NPU as bundles with 45° bends;
* a PMIC, flip chip on 6 x 6 solder bumps, two buck inductors, power pours on L1;
* 0201/0402 decoupling capacitors on top, low-profile 0201s underneath the NPU;
* a BGA of 25 x 25 lands at 0.5 mm pitch on L4: every escaped signal drops by microvia,
  through via and microvia onto a channel between land rows and runs on L4 to a land;
  power and ground lands have dog-bone vias.  L2 is ground, L3 a split power plane, both
  with anti-pads; an 800 µm mold cap covers the top side.

Routing is checked as it is built: anything that would come closer than 25 µm to another
net on its layer (50 µm around supply nets), leave a notch against its own net, or leave
the substrate, is placed elsewhere or left out.
``python examples/edge-ai/generate.py [--out DIR]`` rewrites the two files beside this
script (or in DIR); the output is deterministic (seeded, no clock).
"""

from __future__ import annotations

import argparse
import itertools
import math
from pathlib import Path

import numpy as np
import shapely

import sipkit.model as sm
from sipkit.model.geometry import circle, trace_polygon

HERE = Path(__file__).resolve().parent
NAME = "edge-ai"
SEED = 20240611
BODY = 13000.0
W, S = 25.0, 25.0            # minimum line / space on every layer (organic SAP, 25/25 µm)
S_POWER = 50.0               # space around supply nets (the organic-25um deck's power class)
SUPPLIES = ("VDD", "VCC", "VBAT", "VIN")
WIDE = 30.0                  # escape width beyond the die shadow; power straps
PLANE_GAP = 50.0             # plane pull-back from other nets
EDGE = 150.0                 # copper pull-back from the substrate edge
CU = ("L1", "L2", "L3", "L4")
#: via kinds: span, drill, pad, filled.  Laser microvias of 30 µm in 30 µm ABF (70 µm
#: capture pads, 20 µm annular ring); laser-drilled through-core vias of 60 µm in the
#: 200 µm core (120 µm pads), plated and resin plugged.
VIAS = {"mv1": ("L1", "L2", 30.0, 70.0, True), "pth": ("L2", "L3", 60.0, 120.0, False),
        "mv3": ("L3", "L4", 30.0, 70.0, True)}


def snap(pts):
    """Points on the 1 nm grid (the layout database unit), as tuples."""
    return [(round(float(x), 3), round(float(y), 3)) for x, y in pts]


def rect(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def rect_c(cx, cy, w, h):  # by centre and size
    return rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def ngon(c, d, n=32):
    """A round pad of diameter d as an n-gon."""
    a = np.arange(n) * 2 * np.pi / n
    return snap(np.column_stack((c[0] + d / 2 * np.cos(a), c[1] + d / 2 * np.sin(a))))


def octo(p, q, diag_first=True):
    """Two-segment path from p to q with one 45° leg (straight when aligned)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    m = min(abs(dx), abs(dy))
    if m == 0 or abs(dx) == abs(dy):
        return [p, q]
    leg = (math.copysign(m, dx), math.copysign(m, dy))
    mid = (p[0] + leg[0], p[1] + leg[1]) if diag_first else (q[0] - leg[0], q[1] - leg[1])
    return [p, mid, q]


# ----------------------------------------------------------------------------------------
class Board:
    """The copper of each layer in a spatial hash, so that every addition can be checked
    against the other nets (25 µm, 50 µm around supplies), its own net and the edge."""

    CELL = 250.0

    def __init__(self):
        fresh = [{la: [] for la in CU} for _ in range(5)]
        self.geoms, self.nets, self.discs, self.traces, self.shapes = fresh
        self.hash = {la: {} for la in CU}
        self.vias, self.arrays = [], []
        self.inside = shapely.box(EDGE, EDGE, BODY - EDGE, BODY - EDGE)

    def _keys(self, bounds, pad=0.0):
        x0, y0, x1, y1 = (int(v // self.CELL) for v in np.add(bounds, (-pad, -pad, pad, pad)))
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def clear(self, layer, geom, net, disc=None):
        """Whether `geom` keeps its space to other nets and either overlaps or keeps clear
        of its own net's copper (a near miss or a partly overlapping pad leaves a notch)."""
        if not self.inside.covers(geom):
            return False
        idx = sorted({k for key in self._keys(geom.bounds, S_POWER) for k in self.hash[layer].get(key, ())})
        dist = shapely.distance(geom, [self.geoms[layer][k] for k in idx])
        for k, d in zip(idx, dist, strict=True):
            other = self.nets[layer][k]
            if other != net:
                if d < (S_POWER if net.startswith(SUPPLIES) or other.startswith(SUPPLIES) else S) - 1e-6:
                    return False
            elif 0 < d < S:
                return False
            elif disc and self.discs[layer][k]:
                c = math.dist(disc[:2], self.discs[layer][k][:2])  # pads: stacked exactly, or apart
                if 1e-6 < c < disc[2] + self.discs[layer][k][2] + S:
                    return False
        return True

    def put(self, layer, geom, net, disc=None):
        """Record copper without a check; `disc` (x, y, r) marks a round pad."""
        k = len(self.geoms[layer])
        self.geoms[layer].append(geom)
        self.nets[layer].append(net)
        self.discs[layer].append(disc)
        for key in self._keys(geom.bounds):
            self.hash[layer].setdefault(key, []).append(k)
        return k

    def add(self, traces=(), shapes=(), vias=(), check=True):
        """Add traces (layer, pts, net[, width]), shapes (layer, pts, net) and vias
        (kind, at, net) together if none comes too close to another net; else nothing."""
        parts, objs = [], []
        for layer, pts, net, *w in traces:
            trace = sm.Trace(points=snap(pts), width=w[0] if w else W, net=net)
            parts.append((layer, trace_polygon(trace), net))
            objs.append((self.traces[layer], trace))
        for layer, pts, net in shapes:
            pts = snap(pts)
            parts.append((layer, shapely.Polygon(pts), net))
            objs.append((self.shapes[layer], sm.Shape(points=pts, net=net)))
        for kind, at, net in vias:
            a, b, drill, pad, filled = VIAS[kind]
            at = snap([at])[0]
            parts += [(la, circle(at, pad), net, (*at, pad / 2)) for la in CU[CU.index(a):CU.index(b) + 1]]
            objs.append((self.vias, sm.Via(at=at, from_layer=a, to_layer=b, drill=drill, pad=pad, net=net,
                                           filled=filled)))
        if check and not all(self.clear(*p) for p in parts):
            return False
        for p in parts:
            self.put(*p)
        for target, obj in objs:
            target.append(obj)
        return True

    def array(self, kind, center, pitch, count, net):
        """A regular via array (placed first, on the bump grid: no check)."""
        a, b, drill, pad, filled = VIAS[kind]
        va = sm.ViaArray(center=center, pitch=pitch, count=count, from_layer=a, to_layer=b, drill=drill,
                         pad=pad, net=net, filled=filled)
        for v in va.vias():
            for la in CU[CU.index(a):CU.index(b) + 1]:
                self.put(la, circle(v.at, pad), net, (*v.at, pad / 2))
        self.arrays.append(va)


# ----------------------------------------------------------------------------------------
# NPU: 36 x 36 copper pillars at 150 µm pitch; four rows on each side carry the signals
NB, PB, RING = 36, 150.0, 4
E = NB - 1
NPU_AT, NPU_SIZE = (4250.0, 6600.0), 5700.0
X0, Y0 = NPU_AT[0] - E * PB / 2, NPU_AT[1] - E * PB / 2
LP_D1 = range(25, 32)  # second row of the right side used by the LPDDR bus


def bump_xy(i, j):
    return (X0 + PB * i, Y0 + PB * j)


def bump_role(i, j):
    """(role, net) of NPU bump (i, j): 'sig1'/'sig2' escape on L1/L2, 'lp' goes to the
    LPDDR, 'pwr' is a ring ground bump, 'row' a core power bump."""
    dl, dr, db, dt = i, E - i, j, E - j
    if min(dl, dr) < RING and min(db, dt) < RING:
        return "pwr", "VSS"
    if min(db, dt) < RING:
        return {0: ("sig1", None), 1: ("sig1", None), 2: ("sig2", None)}.get(min(db, dt), ("pwr", "VSS"))
    if dl == 0:
        return "sig1", None
    if dr == 0 or (dr == 1 and j in LP_D1):
        return "lp", None
    if dr == 1:
        return "pwr", "VSS"
    return "row", "VDD_NPU" if j % 2 == 0 else "VSS"


#: side frames (u along the side, v outwards from the outer bump row) -> package x, y
FRAMES = {"bottom": lambda u, v: (u, Y0 - v), "top": lambda u, v: (u, Y0 + E * PB + v),
          "left": lambda u, v: (X0 - v, u), "right": lambda u, v: (X0 + E * PB + v, u)}
#: v of the drop rows (L2 lines, L1 lines) per side: BGA channel lines between land rows
DROPS = {"bottom": ((725, 1225), (1725, 2225, 2725, 3225)),
         "top": ((525, 1025), (1525, 2025, 2525, 3025)), "left": ((), (375, 875))}
CSI = "D0_P D0_N D1_P D1_N CK_P CK_N D2_P D2_N D3_P D3_N"
INTERFACES = {  # NPU signals by side; pairs stay adjacent, the groups are shuffled (seeded)
    "bottom": [("CSI0", CSI), ("CSI1", CSI), ("PCIE", "TX_P TX_N RX_P RX_N REFCLK_P REFCLK_N"),
               ("USB", "SSTX_P SSTX_N SSRX_P SSRX_N DP DM"),
               ("RGMII", "TXD0 TXD1 TXD2 TXD3 TX_CTL TXC RXD0 RXD1 RXD2 RXD3 RX_CTL RXC MDC MDIO")],
    "top": [("SDIO", "CLK CMD D0 D1 D2 D3"), ("QSPI", "CLK CS D0 D1 D2 D3"), ("I2S0", "SCK WS SDI SDO"),
            ("SPI0", "SCK CS MOSI MISO"), ("UART0", "TX RX RTS CTS"), ("JTAG", "TCK TMS TDI TDO TRST"),
            ("I2C0", "SCL SDA"), ("I2C1", "SCL SDA"), ("PWM", "0 1 2 3")],
    "left": [("UART1", "TX RX"), ("SYS", "RESET_N XTAL_IN XTAL_OUT BOOT0 BOOT1 PMIC_IRQ WDOG TEST")],
}


def side_lines(side):
    """Escape lines of one side, sorted along it: (u of the line, depth, u of the bump, (i, j))."""
    out = []
    for t in range(RING, NB - RING):
        for d in range(RING):
            i, j = {"bottom": (t, d), "top": (t, E - d), "left": (d, t), "right": (E - d, t)}[side]
            if bump_role(i, j)[0] in ("sig1", "sig2", "lp"):
                u = (X0 if side in ("bottom", "top") else Y0) + PB * t
                out.append((u + PB / 2 * (d == 1), d, u, (i, j)))
    return sorted(out)


def escape(board, side, lines, names):
    """Escape traces (25 µm under the die, 30 µm beyond) and a staggered drop to L4 for each
    line: microvia L1-L2, jog, through via, jog on L3, microvia L3-L4 on a BGA channel."""
    frame = FRAMES[side]
    l1 = [ln for ln in lines if ln[1] < 2]
    drops = []
    for line, net in zip(lines, names, strict=True):
        uu, d, u, _ = line
        rows = DROPS[side][d < 2]
        v = rows[(l1.index(line) if d < 2 else round((u - lines[0][2]) / PB)) % len(rows)]
        path = lambda pts: [frame(*p) for p in pts]  # noqa: E731
        head = [(u, -PB * d)] + ([(uu, -PB / 2)] if d == 1 else []) + [(uu, 300.0)]
        layer = "L1" if d < 2 else "L2"
        trs = [(layer, path(head), net), (layer, path([(uu, 300.0), (uu, v)]), net, WIDE)]
        vias = [("mv1", frame(u, -PB * d) if d == 2 else frame(uu, v), net)]
        if d < 2:
            trs.append(("L2", path([(uu, v), (uu + 150, v)]), net))
            uu += 150
        trs.append(("L3", path([(uu, v), (uu + 150, v)]), net))
        vias += [("pth", frame(uu, v), net), ("mv3", frame(uu + 150, v), net)]
        if board.add(trs, vias=vias):
            drops.append((frame(uu + 150, v), net))
    return drops


def signal_names(side, count, rng, gpio):
    groups = list(INTERFACES[side])
    rng.shuffle(groups)
    names = [f"{g}_{s}" for g, sigs in groups for s in sigs.split()]
    return (names + [f"GPIO{next(gpio)}" for _ in range(count - len(names))])[:count]


def npu(board, rng):
    """The NPU die; its bump pads, core vias, power straps and the signal escapes."""
    lines = {s: side_lines(s) for s in FRAMES}
    nets, gpio, drops = {}, itertools.count(), []
    for side in ("bottom", "top", "left"):
        names = signal_names(side, len(lines[side]), rng, gpio)
        nets.update(zip([ln[3] for ln in lines[side]], names, strict=True))
    nets.update(zip([ln[3] for ln in lines["right"]], ["LP_" + s for s in LP_SIGNALS], strict=True))
    for (i, j), net in nets.items():
        if bump_role(i, j)[0] != "sig2":  # sig2 bumps sit on their microvia's pad
            board.add(shapes=[("L1", ngon(bump_xy(i, j), 70.0), net)], check=False)
    # microvia in every power pad; through vias under every other VDD pad
    cols = E - 2
    for net, j0 in (("VDD_NPU", RING), ("VSS", RING + 1)):
        rows = (E - RING - j0) // 2 + 1
        board.array("mv1", bump_xy((1 + cols) / 2, j0 + rows - 1), (PB, 2 * PB), (cols, rows), net)
    for i0, j0 in ((2, RING), (1, RING + 2)):
        ni, nj = (cols - i0) // 2 + 1, (E - RING - j0) // 4 + 1
        board.array("pth", bump_xy(i0 + ni - 1, j0 + 2 * (nj - 1)), (2 * PB, 4 * PB), (ni, nj), "VDD_NPU")
    for j in (RING - 1, E - RING + 1):  # ground rails, corners and the right ring's ground
        board.array("mv1", bump_xy(E / 2, j), (PB, PB), (NB, 1), "VSS")
    for i0, j0 in ((0, 0), (NB - RING, 0), (0, NB - RING + 1), (NB - RING, NB - RING + 1)):
        board.array("mv1", bump_xy(i0 + 1.5, j0 + 1), (PB, PB), (RING, RING - 1), "VSS")
    board.array("mv1", bump_xy(E - 1, (RING + LP_D1[0] - 1) / 2), (PB, PB), (1, LP_D1[0] - RING), "VSS")
    # straps between neighbouring pads of one supply on L1, and VDD again on L2
    for i, j, i2, j2 in [(i, j, i + di, j + dj) for i in range(NB) for j in range(NB)
                         for di, dj in ((1, 0), (0, 1)) if i + di <= E and j + dj <= E]:
        a, b = bump_role(i, j), bump_role(i2, j2)
        if a[1] == b[1] and a[0] in ("row", "pwr") and b[0] in ("row", "pwr"):
            seg = [bump_xy(i, j), bump_xy(i2, j2)]
            board.add([(la, seg, a[1], WIDE) for la in ("L1", "L2")[:1 + (a[1] == "VDD_NPU")]], check=False)
    for side in ("bottom", "top", "left"):
        drops += escape(board, side, lines[side], [nets[ln[3]] for ln in lines[side]])
    return npu_die(nets), drops, lines["right"]


def npu_die(nets):
    """The NPU die: individual ring bumps with their nets, arrays for the core rows, and
    its power map."""
    local = lambda i, j: (225.0 + PB * i, 225.0 + PB * j)  # noqa: E731
    cols = E - 2
    bumps = [sm.Bump(at=local(i, j), net=nets.get((i, j), bump_role(i, j)[1]))
             for i in range(NB) for j in range(NB) if bump_role(i, j)[0] != "row"]
    arrays = [sm.BumpArray(pitch=(PB, 2 * PB), count=(cols, (E - RING - j0) // 2 + 1),
                           center=local((1 + cols) / 2, j0 + (E - RING - j0) // 2), net=net)
              for net, j0 in (("VDD_NPU", RING), ("VSS", RING + 1))]
    # 5 W: four MAC arrays with their SRAM slices, the NoC between them, the I/O ring
    blocks = [("io_s", 0, 0, 5700, 400, 0.08), ("io_n", 0, 5300, 5700, 5700, 0.08),
              ("io_w", 0, 400, 400, 5300, 0.07), ("io_e", 5300, 400, 5700, 5300, 0.07),
              ("noc_h", 500, 2700, 5200, 3000, 0.12), ("noc_s", 2700, 500, 3000, 2700, 0.09),
              ("noc_n", 2700, 3000, 3000, 5200, 0.09)]
    for k, (x, y) in enumerate(((500, 500), (3000, 500), (500, 3000), (3000, 3000))):
        blocks += [(f"mac{k}", x, y, x + 2200, y + 1500, 0.92),
                   (f"sram{k}", x, y + 1500, x + 2200, y + 2200, 0.18)]
    pmap = sm.PowerMap(rects=[sm.PowerRect(name=n, min=(a, b), max=(c, d), power=p)
                              for n, a, b, c, d, p in blocks])
    # Cu pillar 50 µm at 150 µm pitch: 40 µm copper + 20 µm SnAg cap, underfilled
    pillar = sm.BumpSpec(kind="copper_pillar", diameter=50, height=60, material="cu-pillar",
                         cap_material="snag", cap_height=20)
    return sm.Die(name="npu", size=(NPU_SIZE, NPU_SIZE), thickness=300, at=NPU_AT, power_map=pmap,
                  flip_chip=sm.FlipChip(bump=pillar, bumps=bumps, arrays=arrays,
                                        underfill=sm.Underfill(material="underfill", fillet=300)))


# ----------------------------------------------------------------------------------------
# LPDDR4X x16 die, wire bonded: signals on the edge facing the NPU, power on the top edge
LP_AT, LP_SIZE = (10300.0, 6900.0), (3300.0, 5600.0)
LP_LEFT = ("VSS DQ0 DQ1 VSS DQ2 DQ3 DQS0_T DQS0_C VSS DQ4 DQ5 VSS DQ6 DQ7 DMI0 VSS VSS CA0 CA1 CA2 "
           "VSS CK_T CK_C CA3 CA4 CA5 VSS CKE0 CS0 ODT_CA RESET_N ZQ VSS VSS DQ8 DQ9 VSS DQ10 DQ11 "
           "DQS1_T DQS1_C VSS DQ12 DQ13 VSS DQ14 DQ15 DMI1").split()
LP_TOP = "VDDQ VSS VDD2 VDDQ VSS VDD2 VDD1 VSS VSS VDD1 VDD2 VSS VDDQ VDD2 VSS VDDQ".split()
POWER = ("VSS", "VDDQ", "VDD2", "VDD1")
LP_SIGNALS = [p for p in LP_LEFT if p not in POWER]
FINGER_X, FINGER_PITCH = 8000.0, 90.0  # fingers 160 x 50 µm, 40 µm gaps
VIA_STACK = {"VSS": ("mv1",), "VDD2": ("mv1", "pth"), "VDDQ": ("mv1", "pth", "mv3"),
             "VDD1": ("mv1", "pth", "mv3")}


def grid_finger(rotation):
    """Size and rotation of a 160 x 50 µm finger turned by about `rotation` degrees whose
    corners fall exactly on the 1 nm grid as a rectangle.  A rotated rectangle snapped
    to the grid is in general not quite one: a corner comes out a hair under 90°, an
    acute tip to a width check.  Half-sides of 16 (p, q) and 5 (-q, p) nm, p and q
    integers, are exact; (p, q) is the shortest one at least 5000 nm long within 0.1° of
    the rotation (the finger then comes out up to a few nanometres larger than 160 x 50 µm)."""
    t = math.radians(rotation)
    p0, q0 = round(5000 * math.cos(t)), round(5000 * math.sin(t))
    pq = [(p, q) for p in range(p0 - 8, p0 + 9) for q in range(q0 - 8, q0 + 9)
          if abs(math.degrees(math.atan2(q, p)) - rotation) < 0.1 and p * p + q * q >= 5000 ** 2]
    for p, q in sorted(pq, key=lambda v: (math.hypot(*v), v)):
        h = math.hypot(p, q)
        size, rot = (round(0.032 * h, 4), round(0.01 * h, 4)), round(math.degrees(math.atan2(q, p)), 6)
        corners = np.round(np.array(sm.BondFinger(name="f", at=(0.0, 0.0), size=size, rotation=rot).polygon)
                           / 0.001).astype(np.int64)
        if (corners == [(-16 * p + 5 * q, -16 * q - 5 * p), (16 * p + 5 * q, 16 * q - 5 * p),
                        (16 * p - 5 * q, 16 * q + 5 * p), (-16 * p - 5 * q, -16 * q + 5 * p)]).all():
            return size, rot, (p, q)
    raise AssertionError(f"no grid finger near {rotation}°")


def finger_entries(f, pq, end):
    """Where a horizontal trace can enter a rotated finger across a corner of its end `end`
    (-1: the end away from the die, the trace coming from the left; +1: the die end, from
    the right): a list of (y of the trace, its end point, its width), narrowest first.

    The finger's sides are 16 (p, q) and 5 (-q, p) nm (:func:`grid_finger`), so they pass
    through grid points every |(p, q)| nm.  The trace covers a corner, and its two sides
    (25 to 31 µm apart) meet the finger's outline exactly at two of those points, one on
    the end and one on a long side, at clearly obtuse angles: nothing is rounded where
    the copper merges, and no near-right angle can turn into an acute notch."""
    p, q = pq
    c, u, v = np.array((round(f.at[0] * 1000), round(f.at[1] * 1000))), np.array((p, q)), np.array((-q, p))
    outline = shapely.Polygon(f.polygon)
    inner = outline.buffer(-1.0, join_style="mitre")
    options, entries = [], []
    for side in (1, -1):
        corner = c + 16 * end * u + 5 * side * v
        for j in range(-4, 5):
            for i in range(-15, 16):
                pj, pi = c + 16 * end * u + j * v, c + i * u + 5 * side * v
                lo, hi = sorted((int(pj[1]), int(pi[1])))
                if 25000 <= hi - lo <= 31000 and (hi - lo) % 2 == 0 and lo + 500 <= corner[1] <= hi - 500:
                    options.append((hi - lo, i, j, side, pj, pi))
    for w, *_, pj, pi in sorted(options, key=lambda o: o[:4]):
        ok = True
        for pt in (pj, pi):  # the first point of the outline the side meets, coming in
            ray = shapely.LineString([(-1e5, pt[1] / 1000), (1e5, pt[1] / 1000)])
            cut = outline.boundary.intersection(ray)
            xs = shapely.get_coordinates(cut)[:, 0]
            ok = ok and len(xs) and abs((xs.max() if end > 0 else xs.min()) - pt[0] / 1000) < 0.01
        if not ok:
            continue
        lo, hi = sorted((pj[1] / 1000, pi[1] / 1000))
        x = (max if end < 0 else min)(pj[0], pi[0]) / 1000
        while abs(x - f.at[0]) < f.size[0]:
            x -= end * 1.0
            if inner.covers(shapely.MultiPoint([(x, lo), (x, hi)])):  # the flush end inside
                y = round((lo + hi) / 2, 3)
                entries.append((y, (round(x - end * 2.0, 3), y), w / 1000))
                break
    return entries


def lpddr(board, lp_lines):
    """The LPDDR die with pads, wires and fingers, the bus to the NPU and the power vias."""
    x0, y0 = LP_AT[0] - LP_SIZE[0] / 2, LP_AT[1] - LP_SIZE[1] / 2
    pads, wires, fingers, drops, lattice = [], [], [], [], {}
    sites = [(f"L{k + 1:02d}", pin, (100.0, (LP_SIZE[1] - 4700) / 2 + 100 * k),
              (FINGER_X, LP_AT[1] + (k - 23.5) * FINGER_PITCH)) for k, pin in enumerate(LP_LEFT)]
    sites += [(f"T{k + 1:02d}", pin, (300.0 + 180 * k, LP_SIZE[1] - 100),
               (x0 + 300 + 180 * k, y0 + LP_SIZE[1] + 450)) for k, pin in enumerate(LP_TOP)]
    for name, pin, local, (fx, fy) in sites:
        net = pin if pin in POWER else "LP_" + pin
        rot = round(math.degrees(math.atan2(y0 + local[1] - fy, x0 + local[0] - fx)), 3)
        rot = 0.0 if abs(rot) < 1 else rot  # too little for a trace to enter across a corner
        size, rot, pq = grid_finger(rot) if rot % 90 else ((160.0, 50.0), rot, None)
        f = sm.BondFinger(name=f"LP_{name}", at=(fx, fy), size=size, rotation=rot, net=net)
        board.put("L1", shapely.Polygon(f.polygon), net)
        fingers.append(f)
        pads.append(sm.DiePad(name=name, at=local, size=(70, 70), net=net))
        # 20 µm Au wire, 180 µm loop (LPDDR wire bonds: 0.8-1 mil Au, loops 150-250 µm)
        wires.append(sm.WireBond(pad=name, to=f.name, wire=sm.Wire(material="au-wire", diameter=20),
                                 loop_height=180))
        lattice[f.name] = pq
    for f in fingers:  # power: a trace to the via(s), once every finger is in place
        net, fx, fy = f.net, *f.at
        if net not in POWER:
            continue
        if f.rotation % 90:  # rotated: from the die end, across its corners
            x1 = max(x for x, _ in f.polygon)
            for (y, end, width), dist in itertools.product(finger_entries(f, lattice[f.name], 1),
                                                          (70, 100, 130, 180, 250)):
                at = (round(x1 + dist, 3), y)
                vias = [(k, at, net) for k in VIA_STACK[net]]
                if board.add([("L1", [end, at], net, width)], vias=vias):
                    drops += [(at, net)] * (VIA_STACK[net][-1] == "mv3")
                    break
            continue
        axis = (math.cos(math.radians(f.rotation)), math.sin(math.radians(f.rotation)))  # towards the die
        for dist in (220, -220, -600):  # a stub on the axis
            at = (fx + dist * axis[0], fy + dist * axis[1])
            if board.add([("L1", [(fx, fy), at], net)], vias=[(k, at, net) for k in VIA_STACK[net]]):
                drops += [(at, net)] * (VIA_STACK[net][-1] == "mv3")
                break
    # the bus, top line first: escape, horizontal, 45° to the finger's row, horizontal,
    # into the finger across its near corner (straight along the axis into an unrotated one)
    ends = []
    for f in fingers:
        if f.net.startswith("LP_"):
            ends.append(finger_entries(f, lattice[f.name], -1) if f.rotation else [(f.at[1], f.at, W)])
    pairs = sorted(zip(lp_lines, ends, strict=True), key=lambda p: -p[0][0])
    frame = FRAMES["right"]
    for line, entries in pairs:
        uu, d, u, _ = line
        head = [frame(u, -PB * d)] + ([frame(uu, -PB / 2)] if d == 1 else []) + [frame(uu, 300.0)]
        x_start, ox = head[-1][0], FINGER_X - 110.0
        for ty, end, width in entries:  # the narrowest entry that fits
            dy = ty - uu
            if any(board.add([("L1", head + ([(xb, uu), (xb + abs(dy), ty)] if dy else []) + [end],
                                "LP_" + LP_SIGNALS[lp_lines.index(line)], width)])
                   for xb in [*np.arange(7300.0, ox - abs(dy) - 60, 5.0), *np.arange(7295.0, x_start, -5.0)]):
                break
    die = sm.Die(name="lpddr4x", size=LP_SIZE, thickness=100, at=LP_AT, power=0.4,
                 wire_bond=sm.WireBonding(attach=sm.DieAttach(material="daf", thickness=20), pads=pads,
                                          wires=wires))
    return die, fingers, drops


# ----------------------------------------------------------------------------------------
# PMIC (flip chip, 6 x 6 solder bumps at 300 µm) with its inductors and capacitors
PM_AT, PM_PITCH = (10300.0, 2300.0), 300.0


#: PMIC bump map, seen from the top, top row first (FB: VDD_NPU sensed at its pin)
PM_MAP = [row.split() for row in reversed("""
    VSS  VSYS    VSYS VSYS   VSYS   VSS
    SW1  VSS     VSYS VSS    VSYS   VSYS
    SW1  VSYS    VSS  VSYS   VSS    VSYS
    SW1  VSS     VSYS VSS    VSYS   SW2
    SW1  VSYS    VSS  VSYS   VSS    SW2
    VSS  VDD_NPU VSS  PM_SCL PM_SDA VSS""".strip().splitlines())]


def part(name, at, size, height, rot=0, kind="capacitor", net=None, side="top", material="mlcc", power=0.0):
    return sm.Passive(name=name, at=at, size=size, height=height, rotation=rot, kind=kind, side=side,
                      material=material, net=net, power=power)


def via_pad(board, layer, c, net, half, along, sign):
    """Connect a passive's pad to its plane: up to two vias beside it, with short stubs."""
    kinds = {("L1", True): ("mv1",), ("L1", False): ("mv1", "pth"), ("L4", True): ("mv3", "pth"),
             ("L4", False): ("mv3",)}[(layer, net == "VSS")]
    side = [((half[1] + 110) * along[1] * s, (half[1] + 110) * along[0] * s) for s in (1, -1)]
    spots = [(c[0] + dx, c[1] + dy) for dx, dy in side]
    spots.append((c[0] + sign * (half[0] + 120) * along[0], c[1] + sign * (half[0] + 120) * along[1]))
    placed = 0
    for at in spots:
        if placed < 2 and board.add([(layer, [c, at], net)], vias=[(k, at, net) for k in kinds]):
            placed += 1


def pmic(board):
    """PMIC die, two buck inductors (VDD_NPU 2016, VDD2 1608), input and output capacitors,
    the switch-node and output pours on L1, and the stacks down to the power planes."""
    xy = lambda k, m: (PM_AT[0] - 750 + PM_PITCH * k, PM_AT[1] - 750 + PM_PITCH * m)  # noqa: E731
    bumps, drops = [], []
    pours = [("SW1", rect(8350, 1690, 9640, 2910)), ("SW2", rect(10900, 1700, 12250, 2280)),
             ("VDD_NPU", rect(6500, 200, 7450, 3100)), ("VDD2", rect(11800, 2700, 12600, 3700)),
             ("SW1", rect_c(8625, 2300, 550, 1500)), ("SW2", rect_c(12200, 1700, 800, 400))]
    board.add(shapes=[("L1", pts, net) for net, pts in pours], check=False)
    for k in range(6):
        for m in range(6):
            net = PM_MAP[m][k]
            bumps.append(sm.Bump(at=(250.0 + PM_PITCH * k, 250.0 + PM_PITCH * m), net=net))
            board.add(shapes=[("L1", ngon(xy(k, m), 160.0), net)], check=False)
            if net in ("VSS", "VSYS") and ((0 < k < 5 and 0 < m < 5) or m == 5):
                board.add(vias=[("mv1", xy(k, m), net)] + [("pth", xy(k, m), net)] * (net == "VSYS"))
    for net, k in (("PM_SCL", 3), ("PM_SDA", 4)):  # to the BGA
        at = (xy(k, 0)[0], 1250.0)
        if board.add([("L1", [xy(k, 0), at], net)], vias=[(v, at, net) for v in ("mv1", "pth", "mv3")]):
            drops.append((at, net))
    board.add([("L1", [xy(1, 0), (9700, 1400), (7400, 1400)], "VDD_NPU")])  # output voltage sense
    # thin-film metal inductors: 2016 (2.0 x 1.6 x 0.65 mm) and 1608 (1.6 x 0.8 x 0.6 mm)
    parts = [part("IND_NPU", (7900, 2300), (2000, 1600), 650, kind="inductor", net="VDD_NPU",
                  material="power-inductor", power=0.12),
             part("IND_VDD2", (12200, 2300), (1600, 800), 600, rot=90, kind="inductor", net="VDD2",
                  material="power-inductor", power=0.04)]
    caps = [("C_OUT1", (7450, 1000), 0, "VDD_NPU"), ("C_OUT2", (7450, 470), 0, "VDD_NPU"),
            ("C_IN1", (9650, 600), 0, "VSYS"), ("C_IN2", (11200, 600), 0, "VSYS"),
            ("C_VDD2", (12350, 3700), 90, "VDD2")]
    for name, at, rot, net in caps:  # 0402: 1.0 x 0.5 x 0.5 mm
        parts.append(part(name, at, (1000, 500), 500, rot=rot, net=net))
        along = (1, 0) if rot == 0 else (0, 1)
        for sign, pnet in ((-1, net), (1, "VSS")):
            c = (at[0] + sign * 450 * along[0], at[1] + sign * 450 * along[1])
            size = (500, 550) if rot == 0 else (550, 500)
            board.add(shapes=[("L1", rect_c(*c, *size), pnet)], check=False)
            via_pad(board, "L1", c, pnet, (275, 300), along, sign)
    for x, y in [(x, y) for x in (6700.0, 6950.0) for y in np.arange(700.0, 3000.0, 300.0)]:
        board.add(vias=[("mv1", (x, y), "VDD_NPU"), ("pth", (x, y), "VDD_NPU")])  # pour to L3
    for x, y in ((11950.0, 3300.0), (12350.0, 3300.0)):
        board.add(vias=[("mv1", (x, y), "VDD2"), ("pth", (x, y), "VDD2")])
    die = sm.Die(name="pmic", size=(2000, 2000), thickness=200, at=PM_AT, power=0.5,
                 flip_chip=sm.FlipChip(
                     bump=sm.BumpSpec(kind="solder_ball", diameter=150, height=100, material="sac305"),
                     bumps=bumps, underfill=sm.Underfill(material="underfill", fillet=100)))
    return die, parts, drops


# ----------------------------------------------------------------------------------------
# decoupling capacitors: 0201 on the top side where L1 is free, low-profile 0201 underneath
L3_REGIONS = [  # split power plane on L3 (the rest of L3 is ground)
    ("VDD_NPU", [rect(EDGE, EDGE, 7000, BODY - EDGE), rect(6300, EDGE, 7800, 3500)]),
    ("VDD2", [rect(7150, 3700, BODY - EDGE, BODY - EDGE), rect(11550, 2550, BODY - EDGE, 3700)]),
    ("VSYS", [rect(8000, EDGE, 11400, 3550)]),
]


def region_net(at):
    p = shapely.Point(at)
    for net, rects in L3_REGIONS:
        if any(shapely.Polygon(r).buffer(-100).covers(p) for r in rects):
            return net
    return None


def decaps(board, taken):
    """Place 0201 capacitors on a grid in free areas; keep those whose pads and vias fit."""
    parts = []
    areas = [("top", (500, 500, 1950, 3400)), ("top", (500, 9500, 1950, 12500)),
             ("top", (6700, 9800, 8800, 12500)), ("top", (12350, 4400, 12650, 10300)),
             ("top", (9000, 11000, 12500, 12400)), ("bottom", (2950, 5550, 5650, 7550))]
    for side, (ax0, ay0, ax1, ay1) in areas:
        layer = "L1" if side == "top" else "L4"
        for x, y in [(x, y) for y in np.arange(ay0, ay1 + 1, 1000.0) for x in np.arange(ax0, ax1 + 1, 450.0)]:
            net = region_net((x, y + 250))
            box = shapely.box(x - 150, y - 300, x + 150, y + 300)
            if net not in ("VDD_NPU", "VDD2") or any(box.intersects(t) for t in taken[side]):
                continue
            terms = ((1, net), (-1, "VSS"))
            if not board.add(shapes=[(layer, rect_c(x, y + s * 250, 300, 250), n) for s, n in terms]):
                continue
            for s, n in terms:
                via_pad(board, layer, (x, y + s * 250), n, (125, 150), (0, 1), s)
            taken[side].append(box)
            # 0201: 0.6 x 0.3 x 0.3 mm; land-side parts 0.15 mm thin to clear the balls
            parts.append(part(f"C{len(parts) + 1}", (float(x), float(y)), (600, 300),
                              300 if side == "top" else 150, rot=90, net=net, side=side))
    return parts


# ----------------------------------------------------------------------------------------
# BGA on L4 and the planes on L2/L3
BGA = sm.LandArray(center=(BODY / 2, BODY / 2), pitch=(500, 500), count=(25, 25), diameter=250)
DEPOP = (2750, 5100, 5750, 8100)  # window under the NPU left for the land-side capacitors
BALL = sm.Ball(diameter=300, height=200, material="sac305")  # 0.5 mm pitch: 0.3 mm ball, ~0.2 mm stand-off


def land_routes(board, lands, idx, drops):
    """Route each drop to a free land nearby on L4; dog-bone vias for the remaining lands."""
    nets, pos, shared_vias = {}, np.array([la.at for la in lands]), {}

    def across(drop):  # distance from the NPU's centre line along its side
        (x, y), _ = drop
        return abs(y - NPU_AT[1]) if Y0 < y < Y0 + E * PB else abs(x - NPU_AT[0])

    for at, net in sorted(drops, key=across):  # the innermost first
        dist = np.hypot(*(pos - at).T)
        for k in np.argsort(dist, kind="stable")[:16]:
            q = lands[k].at
            if lands[k].name in nets or dist[k] > 2000:
                continue
            board.nets["L4"][idx[k]] = net
            sx, sy = math.copysign(1, q[0] - at[0]), math.copysign(1, q[1] - at[1])
            paths = [octo(at, q, True), octo(at, q, False)]
            if abs(q[1] - at[1]) == 250 and abs(q[0] - at[0]) >= 250:  # along a channel track
                track = at[1] + sy * 87.5
                paths.append([at, (at[0] + sx * 87.5, track), (q[0] - sx * 162.5, track), q])
            paths = [p for p in paths if all(math.dist(v, q) >= 175 for v in p[1:-1])  # radial into the land
                     and min(math.dist(a, b) for a, b in itertools.pairwise(p)) >= 80]  # no stubby legs
            if any(board.add([("L4", p, net)]) for p in paths):
                nets[lands[k].name] = net
                break
            board.nets["L4"][idx[k]] = "~" + lands[k].name
    for k, la in enumerate(lands):
        if la.name in nets:
            continue
        net = "VSYS" if k % 2 and region_net(la.at) == "VSYS" else "VSS"
        board.nets["L4"][idx[k]] = nets[la.name] = net
        kinds = ("mv3", "pth") if net == "VSS" else ("mv3",)
        links = new = 0  # up to two dog-bones, sharing a neighbour's via where it can
        for sx, sy in ((1, 1), (-1, -1), (-1, 1), (1, -1), (0, 0)):
            at = (la.at[0] + 250 * sx, la.at[1] + 250 * sy)
            shared = shared_vias.get(at) == net
            stub = [("L4", [la.at, at], net)] if sx else []
            if links < 2 - (sx == 0) and (shared or new == 0) and board.add(
                    stub, vias=[] if shared else [(v, at, net) for v in kinds]):
                links, new = links + 1, new + (not shared)
                shared_vias[at] = net
    return [sm.Land(name=la.name, at=la.at, diameter=la.diameter, net=nets[la.name], ball=BALL)
            for la in lands]


def planes(board):
    """Ground plane on L2, split power plane on L3: the free area of each region minus a
    40 µm pull-back from every other net, without necks narrower than 25 µm."""
    inner = shapely.box(EDGE, EDGE, BODY - EDGE, BODY - EDGE)
    regions, used = [], shapely.Polygon()
    for net, rects in L3_REGIONS:
        reg = shapely.union_all([shapely.Polygon(r) for r in rects]).intersection(inner)
        regions.append((net, reg.difference(used.buffer(60))))
        used = used.union(reg)
    regions.append(("VSS", inner.difference(used.buffer(60))))
    for layer, parts in (("L2", [("VSS", inner)]), ("L3", regions)):
        keep = {}
        for g, n, disc in zip(board.geoms[layer], board.nets[layer], board.discs[layer], strict=True):
            if disc:  # anti-pad: a 16-gon whose sides keep PLANE_GAP (+ rounding margin) from the pad
                a = np.arange(16) * np.pi / 8
                r = (disc[2] + PLANE_GAP + 2) / math.cos(np.pi / 16)
                g = shapely.Polygon(np.column_stack((disc[0] + r * np.cos(a), disc[1] + r * np.sin(a))))
            else:
                g = g.buffer(PLANE_GAP + 2, join_style="mitre")
            keep.setdefault(n if n in (*POWER, "VDD_NPU", "VSYS") else "", []).append(g)
        keep = {n: shapely.union_all(gs) for n, gs in keep.items()}
        for net, reg in parts:
            free = reg.difference(shapely.union_all([g for n, g in keep.items() if n != net])).simplify(1.0)
            own = [g for g, n in zip(board.geoms[layer], board.nets[layer], strict=True) if n == net]
            closed = shapely.union_all([free, *own]).buffer(10, quad_segs=2).buffer(-10, quad_segs=2)
            area = closed.intersection(free)  # notches at the net's own pads filled
            area = area.buffer(-20, quad_segs=4).buffer(20, quad_segs=4)  # no part narrower than 40 µm,
            neck = area.difference(area.buffer(-12.6, quad_segs=4).buffer(12.6, quad_segs=4))  # nor a neck
            area = area.difference(neck.buffer(13, quad_segs=4))
            area = area.buffer(-20, quad_segs=4).buffer(20, quad_segs=4).simplify(0.5)
            for poly in shapely.get_parts(shapely.set_precision(area, 0.001)):
                if poly.geom_type == "Polygon" and poly.area > 40000:  # no islands under 0.04 mm²
                    board.shapes[layer].append(sm.Shape(points=poly.exterior.coords[:-1], net=net,
                                                        holes=[h.coords[:-1] for h in poly.interiors]))


# ----------------------------------------------------------------------------------------
STACKUP = [sm.Layer(name=n, kind=k, thickness=t, material=m) for n, k, t, m in (
    # 1+2+1 around a thin BT core, top to bottom: solder mask ~20 µm, plated Cu 15 µm,
    # ABF GX92 build-up 30 µm, core 200 µm; 360 µm in all
    ("SM_TOP", "solder_mask", 20, "solder-mask"), ("L1", "conductor", 15, "cu-plated"),
    ("BU1", "buildup", 30, "abf-gx92"), ("L2", "conductor", 15, "cu-plated"),
    ("CORE", "core", 200, "bt-core"), ("L3", "conductor", 15, "cu-plated"),
    ("BU2", "buildup", 30, "abf-gx92"), ("L4", "conductor", 15, "cu-plated"),
    ("SM_BOT", "solder_mask", 20, "solder-mask"))]
INDUCTOR = {"name": "power-inductor", "kind": "mixture", "mix": {"ni": 0.6, "emc": 0.4}, "description":
            "Metal-composite inductor body, ~60 vol% metal powder (nickel for the Fe alloy) in epoxy."}


def build() -> sm.Package:
    """The edge-AI package (deterministic)."""
    rng = np.random.default_rng(SEED)
    board = Board()
    lands = [la for la in BGA.lands() if not shapely.box(*DEPOP).contains(shapely.Point(la.at))]
    idx = [board.put("L4", circle(la.at, 250.0), "~" + la.name, (*la.at, 125.0)) for la in lands]
    npu_die, drops, lp_lines = npu(board, rng)
    lp_die, fingers, lp_drops = lpddr(board, lp_lines)
    pm_die, parts, pm_drops = pmic(board)
    keep = [300 + (b.flip_chip.underfill.fillet if getattr(b, "flip_chip", None) else -150)
            for b in (npu_die, lp_die, pm_die, *parts)]  # 300 µm beyond an underfill fillet
    taken = {"top": [shapely.box(*b.footprint).buffer(k, join_style="mitre")
                     for b, k in zip((npu_die, lp_die, pm_die, *parts), keep, strict=True)], "bottom": []}
    parts += decaps(board, taken)
    land_objs = land_routes(board, lands, idx, drops + lp_drops + pm_drops)
    planes(board)
    routing = [sm.LayerRouting(layer=la, traces=board.traces[la], shapes=board.shapes[la]) for la in CU]
    sub = sm.Substrate(outline=rect(0, 0, BODY, BODY), stackup=STACKUP, routing=routing, vias=board.vias,
                       via_arrays=board.arrays, fingers=fingers, lands=land_objs)
    return sm.Package(name="edge-ai-sip", substrate=sub, dies=[npu_die, lp_die, pm_die], passives=parts,
                      molds=[sm.MoldCap(thickness=800, material="emc")], materials=[INDUCTOR],
                      description="Edge-AI SiP: NPU (Cu pillar flip chip), LPDDR4X (wire bond), PMIC (flip "
                                  "chip), passives on both sides, 1+2+1 substrate at 25/25 µm, mold cap")


def main(out_dir=None) -> sm.Package:
    """Build the package and write ``edge-ai.yaml`` and ``edge-ai-routing.gds`` to `out_dir`
    (this script's folder by default)."""
    out = Path(out_dir) if out_dir is not None else HERE
    out.mkdir(parents=True, exist_ok=True)
    pkg = build()
    design, layout = out / f"{NAME}.yaml", out / f"{NAME}-routing.gds"
    pkg.save(design, routing_gds=layout)
    sub = pkg.substrate
    counts = ", ".join(f"{r.layer} {len(r.traces)}" for r in sub.routing)
    header = (f"# Edge-AI System-in-Package example, 13 x 13 mm: NPU (flip chip, Cu pillars), LPDDR4X (wire\n"
              f"# bonded), PMIC (flip chip), 1+2+1 substrate at 25/25 µm, mold cap; see examples/README.md.\n"
              f"# GENERATED by generate.py (seed {SEED}): edit the script, not this file, then run\n"
              f"#     python examples/edge-ai/generate.py\n"
              f"# Routing in {layout.name}: {sum(len(r.traces) for r in sub.routing)} traces ({counts}),\n"
              f"# {sum(len(r.shapes) for r in sub.routing)} shapes (pads, pours, planes); "
              f"{len(sub.all_vias())} vias, {len(sub.lands)} lands, {len(pkg.passives)} passives, "
              f"{pkg.total_power():.2f} W.\n")
    design.write_text(header + design.read_text(encoding="utf-8"), encoding="utf-8")
    return pkg


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="output folder (default: beside this script)")
    main(parser.parse_args().out)
