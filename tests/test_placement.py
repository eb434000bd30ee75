"""Canvas placement from the graph (gui/canvas/placement.py): no node, label or edge crosses another
node's box, for 1 to 12 layers, with skips of any length, tied weights and weight decay; skips arc
over the chain, a tied W sits between the layers it feeds, R beside L. Pure geometry first (no Qt
items), then the real canvas items."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF

from chainview.core import Session, build_net, net_graph
from chainview.gui.canvas.placement import NodeSize, main_path, node_rects, place
from chainview.gui.canvas.scene import GraphScene
from chainview.gui.theme import LIGHT


def chain(L: int, *, skips=(), ties=(), decay=0.0, units=3):
    """An L-layer net of equal widths (so any skip and tie fits): skips (k, l), ties (k, l)."""
    specs = [{"units": units, "activation": "tanh"} for _ in range(L)]
    for k, l in skips:
        specs[l - 1]["skip_from"] = k
    for k, l in ties:
        specs[l - 1]["tie"] = k
    rng = np.random.default_rng(L)
    return build_net(rng.normal(size=(units, 1)), rng.normal(size=(units, 1)), "squared", specs, seed=L,
                     weight_decay=decay)


def shapes(L: int):
    """Every kind of graph the issue names: a plain chain, skips of every length, ties, decay, all at once."""
    out = [("plain", chain(L))]
    if L >= 2:
        out.append(("skip-all-lengths", chain(L, skips=[(0, L)] + [(l - 2, l) for l in range(2, L)])))
        out.append(("skip-longest", chain(L, skips=[(0, L)], decay=0.1)))
        out.append(("tie-all", chain(L, ties=[(1, l) for l in range(2, L + 1)], decay=0.2)))
    if L >= 4:
        out.append(("mixed", chain(L, skips=[(1, 3), (0, L)] + ([(3, L - 1)] if L >= 6 else []), ties=[(2, 4)] + [(1, l) for l in range(5, L + 1, 2)],
                                   decay=0.05)))
    return out


CASES = [pytest.param(net, id=f"L{L}-{name}") for L in range(1, 13) for name, net in shapes(L)]


# ---------------------------------------------------------------- pure geometry

SIZES = {"A": (100, 130), "Z": (100, 130), "L": (120, 120), "W": (120, 50), "W0": (110, 44), "Y": (120, 60),
         "R": (110, 60)}


def synthetic(net):
    G = net_graph(net)
    sizes = {}
    for n in G:
        kind = G.nodes[n]["kind"]
        w, h = SIZES[kind]
        placement = "card" if kind in ("A", "Z", "L") else ("below" if kind in ("W0", "R") else "above")
        sizes[n] = NodeSize(w, h, placement, 90.0 if placement != "card" else 0.0, 50.0 if placement != "card" else 0.0)
    labels = {e: (95.0, 56.0) for e in G.edges}
    return G, sizes, labels


def _curve(p0, p1, arrow=15.0, n=40):
    (x0, y0), (x1, y1) = p0, p1
    ex = x1 - arrow
    dx = max(abs(ex - x0) * 0.5, 30)
    c1, c2 = (x0 + dx, y0), (ex - dx, y1)
    pts = []
    for i in range(n + 1):
        t = i / n
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
        pts.append((a * x0 + b * c1[0] + c * c2[0] + d * ex, a * y0 + b * c1[1] + c * c2[1] + d * y1))
    return pts


def _polyline(points, step=4.0):
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / step))
        out += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n + 1)]
    return out


def _inside(pt, r, m=1.0):
    return r[0] + m < pt[0] < r[2] - m and r[1] + m < pt[1] < r[3] - m


def _hit(a, b, m=0.5):
    return min(a[2], b[2]) - max(a[0], b[0]) > m and min(a[3], b[3]) - max(a[1], b[1]) > m


def geometry_problems(G, sizes, labels, P):
    rects = {n: node_rects(sizes[n], *P.nodes[n]) for n in G}
    pills = {e: (x - labels[e][0] / 2, y - labels[e][1] / 2, x + labels[e][0] / 2, y + labels[e][1] / 2)
             for e, (x, y) in P.labels.items()}
    solid = [(n, r) for n, rs in rects.items() for r in rs] + [(f"{e} pill", r) for e, r in pills.items()]
    bad = [(a, b) for i, (a, ra) in enumerate(solid) for b, rb in solid[i + 1:] if a != b and _hit(ra, rb)]
    for u, v in G.edges:
        if (u, v) in P.polylines:
            pts = _polyline(P.polylines[(u, v)])
        else:
            (xu, yu), (xv, yv) = P.nodes[u], P.nodes[v]
            pts = _curve((xu + sizes[u].w / 2, yu), (xv - sizes[v].w / 2, P.curves[(u, v)]))
        for n, rs in rects.items():
            if n in (u, v):
                continue
            if any(_inside(p, r) for p in pts for r in rs):
                bad.append((f"{u}->{v}", n))
    return bad


@pytest.mark.parametrize("net", CASES)
def test_pure_placement_has_no_overlaps_and_no_edge_through_a_node(net):
    G, sizes, labels = synthetic(net)
    P = place(G, sizes, labels)
    assert set(P.nodes) == set(G) and set(P.labels) == set(G.edges)
    assert geometry_problems(G, sizes, labels, P) == []
    # the chain reads left to right; skips arc over it, R sits beside L under its corridor
    xs = [P.nodes[n][0] for n in main_path(G)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    top_of_everything = min(r[1] for n in G if G.nodes[n]["kind"] != "W" or G.out_degree(n) < 3
                            for r in node_rects(sizes[n], *P.nodes[n]))
    for (u, v), pts in P.polylines.items():
        if G.edges[u, v]["role"] == "skip":
            assert min(y for _, y in pts) < top_of_everything
            assert pts[-1][1] < P.nodes[v][1]               # drops into Z^l from above
    if "R" in G:
        rx, ry = P.nodes["R"]
        assert ry > 0 and abs(rx - P.nodes["L"][0]) < abs(rx - P.nodes["A0"][0])
    for n in G:
        targets = [v for v in G.successors(n) if G.nodes[v]["kind"] == "Z"]
        if G.nodes[n]["kind"] == "W" and len(targets) > 1:      # a tied W: between the layers it feeds
            tx = [P.nodes[v][0] for v in targets]
            assert min(tx) - 200 <= P.nodes[n][0] <= max(tx)


def test_the_main_path_comes_from_the_graph_not_layer_numbers():
    G = net_graph(chain(3, skips=[(0, 3)]))
    assert main_path(G) == ["A0", "Z1", "A1", "Z2", "A2", "Z3", "A3", "L"]


# ---------------------------------------------------------------- the real canvas

def _scene_problems(sc: GraphScene):
    rects = {n: [r for r in it.label_rects()] for n, it in sc.node_items.items()}
    solid = [(n, r) for n, rs in rects.items() for r in rs]
    solid += [(f"{e} pill", x.label.scene_rect()) for e, x in sc.edge_items.items()]
    bad = []
    for i, (a, ra) in enumerate(solid):
        for b, rb in solid[i + 1:]:
            inter = ra.intersected(rb)
            if a != b and inter.width() > 0.5 and inter.height() > 0.5:
                bad.append((a, b))
    for (u, v), e in sc.edge_items.items():
        pts = [e.path.pointAtPercent(t / 200) for t in range(201)]
        for n, rs in rects.items():
            if n in (u, v):
                continue
            for r in rs:
                inner = QRectF(r).adjusted(1, 1, -1, -1)
                if any(inner.contains(p) for p in pts):
                    bad.append((f"{u}->{v}", n))
                    break
    return bad


@pytest.mark.parametrize("net", [c for c in CASES if c.id.split("-")[0] in ("L1", "L2", "L3", "L5", "L8", "L12")])
def test_canvas_items_never_overlap_and_no_edge_crosses_a_node(qtbot, net):
    s = Session(net)
    sc = GraphScene(s, LIGHT)
    try:
        s.run_to_end()
        assert _scene_problems(sc) == []
    finally:
        sc.detach()
