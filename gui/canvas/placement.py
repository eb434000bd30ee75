"""Where every node, edge and label of the canvas goes: pure geometry from the graph (no Qt).

The graph (core.graph: node "kind", edge "role") decides the placement; the canvas only measures
its items and applies the result. Scene coordinates, y down; every node is centred on its point.

        skip lanes  ╭────────────────────────────────╮           (one lane per overlapping skip)
        tie band    │          W^k (tied: between the layers it feeds, an edge to each)
        band above  │   W^1            W^2 ...             Y
        main row   A^0 ──▶ Z^1 ──▶ A^1 ──▶ Z^2 ──▶ A^2 ──▶ L
        band below      W0^1           W0^2                  R (beside L, fed by every W)
        decay lane  ╰──── every W ──▶ R ────────────────────╯

- The main row is the chain of A, Z and L nodes, ordered by their topological generation.
  Each corridor between two of them is as wide as the widest label it holds.
- A W (or Y) hangs above the corridor that feeds its Z (or L), W0 below, as before issue 11.
- A skip edge A^k -> Z^l leaves the top of A^k, runs along a lane above everything, and drops into
  the top of Z^l; skips whose spans overlap get different lanes.
- A W used by several layers (tied) sits in a band of its own above the others, over the middle of
  the layers it feeds; each of its edges drops into its corridor where no W of its own hangs.
- R hangs below L's corridor; each W's edge to R drops down its corridor to a lane under the net.
Every vertical drop picks an x where no node or label is in the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Rect = tuple[float, float, float, float]            # left, top, right, bottom


@dataclass
class NodeSize:
    """How much room a node takes, and where its value block goes."""

    w: float
    h: float
    placement: str                 # "card", "above" or "below"
    block_w: float = 0.0           # a side node's value block, drawn above ("above") or below it
    block_h: float = 0.0
    block_gap: float = 8.0


@dataclass
class Placement:
    """Where everything goes on the canvas, in scene units."""

    nodes: dict = field(default_factory=dict)       # node -> (x, y) centre
    curves: dict = field(default_factory=dict)      # edge -> dy at the target's left side (a plain curve)
    polylines: dict = field(default_factory=dict)   # edge -> [(x, y), ...] from source to target
    labels: dict = field(default_factory=dict)      # edge -> (x, y) centre of its pill
    lanes: dict = field(default_factory=dict)       # edge -> y of the lane it runs along (skips, R)


def node_rects(size: NodeSize, x: float, y: float) -> list[Rect]:
    """The solid parts of a node: its outline and (for a side node) its value block."""
    out = [(x - size.w / 2, y - size.h / 2, x + size.w / 2, y + size.h / 2)]
    if size.placement != "card" and size.block_h:
        bx0, bx1 = x - size.block_w / 2, x + size.block_w / 2
        if size.placement == "above":
            top = y - size.h / 2 - size.block_gap - size.block_h
            out.append((bx0, top, bx1, top + size.block_h))
        else:
            top = y + size.h / 2 + size.block_gap
            out.append((bx0, top, bx1, top + size.block_h))
    return out


def _union(rects) -> Rect:
    rects = list(rects)
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def main_path(G) -> list[str]:
    """The A, Z, L chain in topological-generation order (A0, Z1, A1, ..., L)."""
    import networkx as nx
    gen = {n: i for i, layer in enumerate(nx.topological_generations(G)) for n in layer}
    chain = [n for n in G if G.nodes[n]["kind"] in ("A", "Z", "L")]
    return sorted(chain, key=lambda n: gen[n])


def place(G, sizes: dict, labels: dict, *, scale: float = 1.0, anchor_dx=None) -> Placement:
    """Positions for every node, a route for every edge and a place for every pill.

    sizes: node -> NodeSize (cards already at their common height); labels: edge -> (w, h) of its
    pill; anchor_dx(node, dy, out) -> x offset of a node's side at height dy (default: its half width).
    """
    sc, g = scale, scale ** 0.5
    if anchor_dx is None:
        anchor_dx = lambda n, dy, out: sizes[n].w / 2 * (1 if out else -1)
    P = Placement()
    pos = P.nodes
    main = main_path(G)
    role = lambda u, v: G.edges[u, v].get("role", "")
    kind = lambda n: G.nodes[n]["kind"]
    tied = {n for n in G if kind(n) == "W" and sum(1 for v in G.successors(n) if kind(v) == "Z") > 1}
    in_corridor = lambda u, v: role(u, v) != "skip" and kind(u) != "R" or kind(v) == "L"

    # ---- the main row: corridors as wide as the labels they hold
    H = max((sizes[n].h for n in main if kind(n) != "L"), default=0.0)
    corridor_margin = 26 * g
    x, prev = 0.0, None
    for n in main:
        s = sizes[n]
        if prev is not None:
            feeding = [(u, n) for u in G.predecessors(n) if in_corridor(u, n)]
            pill_w = max(labels[e][0] for e in feeding)
            margin = corridor_margin * (1.8 if len(feeding) > 1 else 1.0)
            gap = max(pill_w + 2 * margin, 110 * g)
            x = x + sizes[prev].w / 2 + gap + s.w / 2
        pos[n] = (x, 0.0)
        prev = n
    left_of = {n: main[i - 1] for i, n in enumerate(main) if i}
    corridor = {n: (pos[left_of[n]][0] + sizes[left_of[n]].w / 2, pos[n][0] - sizes[n].w / 2) for n in left_of}

    # ---- side nodes over (W, Y) and under (W0, R) the corridor they feed: right edge on the left card's
    vgap = 62 * g
    for n in G:
        k = kind(n)
        if k not in ("W", "W0", "Y") or n in tied:
            continue
        target = next(v for v in G.successors(n) if kind(v) in ("Z", "L"))
        left = left_of[target]
        s = sizes[n]
        cx = pos[left][0] + sizes[left].w / 2 - s.w / 2
        sign = 1 if k == "W0" else -1
        pos[n] = (cx, sign * (H / 2 + vgap + s.h / 2))

    # ---- pills in their corridors: the path's in the middle, a W's (or Y's) above it, W0's (or R's) below
    slot, arrow_len, gap = 26 * sc, 15 * sc, 10 * sc
    for n in main:
        if n not in left_of:
            continue
        a, b = corridor[n]
        cx = (a + b) / 2
        path = (left_of[n], n)
        pw, ph = labels[path]
        labels_y = 0.0
        P.labels[path] = ((a + b - arrow_len) / 2, labels_y)
        P.curves[path] = 0.0
        top_of_path, bottom_of_path = labels_y - ph / 2, labels_y + ph / 2
        for u in G.predecessors(n):
            e = (u, n)
            if e == path or not in_corridor(u, n):
                continue
            below = kind(u) in ("W0", "R")
            dy = slot if below else -slot
            P.curves[e] = dy
            w, h = labels[e]
            if u in pos and u not in tied:
                mid = (pos[u][1] + dy) / 2           # the middle of a curve with level ends
            else:
                mid = dy
            if below:
                mid = max(mid, bottom_of_path + gap + h / 2)
            else:
                mid = min(mid, top_of_path - gap - h / 2)
            P.labels[e] = (cx, mid)

    # obstacles: every solid thing placed so far (nodes, blocks, pills)
    def obstacles(skip_nodes=()):
        out = [r for n, p in pos.items() if n not in skip_nodes for r in node_rects(sizes[n], *p)]
        out += [(x - labels[e][0] / 2, y - labels[e][1] / 2, x + labels[e][0] / 2, y + labels[e][1] / 2)
                for e, (x, y) in P.labels.items()]
        return out

    def top_of(items):
        return min((r[1] for r in items), default=-H / 2)

    def bottom_of(items):
        return max((r[3] for r in items), default=H / 2)

    pad = 12 * g
    lane_gap = max((h for _, h in labels.values()), default=40 * sc) + 2 * gap

    # ---- tied W: a band above the others, over the middle of the corridors it feeds. Only what stands
    # under the band's own span counts: a tall W block elsewhere in the net must not lift it far above the
    # nodes it feeds (the camera could not then frame the W and its operands together at a readable size)
    span = [x for n in tied for v in G.successors(n) if kind(v) == "Z" for x in corridor[v]]
    widest = max((sizes[n].w for n in tied), default=0.0)
    lo, hi = (min(span) - widest - pad, max(span) + widest + pad) if span else (0.0, 0.0)
    band_top = top_of([r for r in obstacles() if r[2] > lo and r[0] < hi])
    tie_lane = band_top - pad / 2
    next_band = tie_lane
    placed: list[Rect] = []
    for n in sorted(tied, key=lambda n: G.nodes[n]["layer"]):
        s = sizes[n]
        targets = [v for v in G.successors(n) if kind(v) == "Z"]
        mids = sorted((corridor[v][0] + corridor[v][1]) / 2 for v in targets)
        mid = (mids[0] + mids[-1]) / 2
        cy = tie_lane - pad / 2 - s.h / 2
        # over the middle of the layers it feeds; another tied W there already: the nearest free corridor
        spots = sorted({(corridor[v][0] + corridor[v][1]) / 2 for v in corridor
                        if mids[0] - 1 <= (corridor[v][0] + corridor[v][1]) / 2 <= mids[-1] + 1} | {mid},
                       key=lambda x: abs(x - mid))
        free = lambda x: not any(_hit(r, q, gap) for r in node_rects(s, x, cy) for q in placed)
        cx = next((x for x in spots if free(x)), None)
        if cx is None:                      # every spot taken: a row of its own above
            cx, cy = mid, min(q[1] for q in placed) - pad - s.h / 2 - (s.block_h + s.block_gap if s.block_h else 0)
        pos[n] = (cx, cy)
        placed += node_rects(s, cx, cy)
        next_band = min(next_band, _union(node_rects(s, cx, cy))[1])
    for n in tied:
        cx, cy = pos[n]
        s = sizes[n]
        for v in G.successors(n):
            if kind(v) != "Z":
                continue
            a, b = corridor[v]
            dy = -slot
            xd = b - max(8 * g, min(corridor_margin * 0.5, (b - a) * 0.15))
            y_in = dy
            P.polylines[(n, v)] = [(cx, cy + s.h / 2), (cx, tie_lane), (xd, tie_lane), (xd, y_in),
                                   (pos[v][0] + anchor_dx(v, y_in, False), y_in)]
    # the tied W's own lane ends must not cross another tied W: lanes are shared, drawn once per edge

    # ---- R: beside L, below its corridor; a lane under the net gathers every W's edge to it
    decay = [n for n in G if kind(n) == "R"]
    if decay:
        r = decay[0]
        lw = max((labels[(u, r)][1] for u in G.predecessors(r)), default=0.0)
        below_all = bottom_of(obstacles())
        s = sizes[r]
        lane = below_all + 2 * gap + lw + 2 * gap
        target = next(iter(G.successors(r)))
        left = left_of[target]
        cx = pos[left][0] + sizes[left].w / 2 - s.w / 2
        cy = lane
        pos[r] = (cx, cy)
        obs = obstacles(skip_nodes=())
        for u in G.predecessors(r):
            e = (u, r)
            ux, uy = pos[u]
            us = sizes[u]
            if u in tied:
                first = min((v for v in G.successors(u) if kind(v) == "Z"), key=lambda v: pos[v][0])
                a, b = corridor[first]
                start = [(ux, uy + us.h / 2), (ux, tie_lane)]
                y_from = tie_lane
            else:
                z = next(v for v in G.successors(u) if kind(v) == "Z")
                a, b = corridor[z]
                x_out = ux + anchor_dx(u, 0.0, True)
                start = [(x_out, uy)]
                a = max(a, x_out)
                y_from = uy
            xd = _free_x(a + 6 * g, b - 6 * g, y_from, lane, obs, prefer=a + 14 * g)
            end = (cx + anchor_dx(r, 0.0, False), cy)
            P.polylines[e] = start + [(xd, y_from), (xd, cy), end]
            P.labels[e] = (xd, below_all + 2 * gap + lw / 2)
            P.lanes[e] = cy

    # ---- skips: lanes above everything, the longest outermost
    skips = [(u, v) for u, v in G.edges if role(u, v) == "skip"]
    if skips:
        top = min(next_band, top_of(obstacles()))
        lanes: list[list[tuple[float, float]]] = []
        obs = obstacles()
        legs: dict[str, int] = {}
        for u, v in sorted(skips, key=lambda e: pos[e[0]][0] - pos[e[1]][0]):   # longest first
            span = (pos[u][0], pos[v][0])
            level = next((i for i, used in enumerate(lanes)
                          if all(span[1] < a - 1 or span[0] > b + 1 for a, b in used)), None)
            if level is None:
                lanes.append([])
                level = len(lanes) - 1
            lanes[level].append(span)
            P.lanes[(u, v)] = level
        n_lanes = len(lanes)
        for u, v in skips:
            level = P.lanes[(u, v)]
            y_lane = top - gap - lane_gap * (n_lanes - level) + lane_gap / 2
            P.lanes[(u, v)] = y_lane
            su, sv = sizes[u], sizes[v]
            k = legs.get(u, 0)
            legs[u] = k + 1
            x0 = _free_x(pos[u][0] - su.w / 2 + pad, pos[u][0] + su.w / 2 - pad, -su.h / 2, y_lane, obs,
                         prefer=pos[u][0] + k * 12 * g)
            x1 = _free_x(pos[v][0] - sv.w / 2 + pad, pos[v][0] + sv.w / 2 - pad, -sv.h / 2, y_lane, obs,
                         prefer=pos[v][0])
            P.polylines[(u, v)] = [(x0, -su.h / 2), (x0, y_lane), (x1, y_lane), (x1, -sv.h / 2)]
            P.labels[(u, v)] = ((x0 + x1) / 2, y_lane)
        # pills on one lane must not touch: slide a pill along its lane if they would
        by_lane: dict[float, list] = {}
        for e in skips:
            by_lane.setdefault(P.lanes[e], []).append(e)
        for es in by_lane.values():
            es.sort(key=lambda e: P.labels[e][0])
            for a, b in zip(es, es[1:]):
                ax, ay = P.labels[a]
                bx, by = P.labels[b]
                need = ax + labels[a][0] / 2 + gap + labels[b][0] / 2
                if bx < need:
                    P.labels[b] = (need, by)
    return P


def _hit(a: Rect, b: Rect, margin: float = 0.0) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > -margin and min(a[3], b[3]) - max(a[1], b[1]) > -margin


def _free_x(lo: float, hi: float, y0: float, y1: float, obstacles, prefer: float) -> float:
    """An x in [lo, hi] where a vertical segment from y0 to y1 crosses no obstacle (nearest `prefer`).

    If there is none, the x crossing the fewest."""
    top, bottom = min(y0, y1), max(y0, y1)
    blocked = sorted((r[0] - 3, r[2] + 3) for r in obstacles if r[3] > top + 0.5 and r[1] < bottom - 0.5
                     and r[2] > lo and r[0] < hi)
    if hi < lo:
        lo = hi = (lo + hi) / 2
    candidates = [min(max(prefer, lo), hi), lo, hi] + [b for _, b in blocked] + [a for a, _ in blocked]
    free = [c for c in candidates if lo <= c <= hi and not any(a < c < b for a, b in blocked)]
    if free:
        return min(free, key=lambda c: abs(c - prefer))
    return min(candidates, key=lambda c: sum(1 for a, b in blocked if a < c < b))
