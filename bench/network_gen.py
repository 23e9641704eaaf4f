#!/usr/bin/env python3
"""Seeded generator of a professional network for the path benchmark
(bench/network.sh): people, the companies they work at, and weighted ties.

    network_gen.py --people N --ties M --seed S --pairs P --out DIR

Writes into DIR:

* ``edges.txt``: ``u v strength`` per line, exactly M undirected ties between
  people 0..N-1 (u < v, no self-loops, no duplicates, in random order),
  strength in (0, 1] with 4 decimals: what networkx's read_weighted_edgelist
  and igraph's Read_Ncol read;
* ``companies.txt``: ``node company`` per line for every person (``c17``);
* ``pairs.txt``: P query pairs ``src dst``, both with at least one tie, in
  different companies.

The model:

* company sizes follow Zipf's law: person -> company rank r with probability
  proportional to 1/r over N/50 companies, from a few companies with tens of
  thousands of people down to many with a handful;
* each person has an activity weight drawn from a Pareto law (shape 2), and
  an expected number of ties proportional to it (power-law degrees, mean 2M/N);
* about 80% of the ties inside a company, the rest across (Chung-Lu sampling
  within and across companies): everyone's expected ties are split with one
  inside share, solved so that 80% of all tie ends are inside, under two
  caps: inside ties at most 3/4 of one's colleagues (small companies) and at
  most 90% of one's ties (no company is an island); the larger companies
  make up for the small ones (the summary's inside_share says what came out);
* strengths: uniform 0.2-0.95 between colleagues, 0.05-0.6 across companies.

Duplicates drawn by the sampling are dropped and more ties drawn until at
least M distinct ones exist; a random M of them are kept. Everything comes
from numpy's default_rng(seed), so the same arguments give the same files
(with the numpy version bench/network.sh pins). A JSON summary goes to stdout.
"""

import argparse
import json
import os
import time

import numpy as np

INSIDE_SHARE = 0.8  # the share of tie ends inside the company
INSIDE_MOST = 0.9  # at most this share of anyone's ties inside
INSIDE_CAP = 0.75  # at most this share of one's colleagues as inside ties
PARETO_SHAPE = 2.0  # activity weights: P(w > x) = x^-2 for x >= 1
PEOPLE_PER_COMPANY = 50  # companies = people / 50 (the smallest end up empty)
INSIDE_STRENGTH = (0.2, 0.95)
ACROSS_STRENGTH = (0.05, 0.6)
CHUNK = 1 << 21  # ties sampled (and lines written) per step, to bound memory


def companies_zipf(rng, people):
    """Company index (0 = the largest) of each person."""
    count = max(1, people // PEOPLE_PER_COMPANY)
    p = 1.0 / np.arange(1, count + 1)
    return rng.choice(count, size=people, p=p / p.sum())


def stub_shares(company, degree):
    """Split each person's expected degree into inside and across ties."""
    size = np.bincount(company)[company]
    cap = INSIDE_CAP * (size - 1)
    want = INSIDE_SHARE * degree.sum()
    factor = INSIDE_MOST  # the largest p with sum(min(p * degree, cap)) <= want
    if np.minimum(factor * degree, cap).sum() > want:
        lo, hi = 0.0, INSIDE_MOST
        for _ in range(50):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if np.minimum(mid * degree, cap).sum() <= want else (lo, mid)
        factor = lo
    inside = np.minimum(factor * degree, cap)
    return inside, degree - inside


class Sampler:
    """Draws ties: inside ones between two colleagues (each end with
    probability proportional to its inside stubs, never the same person),
    across ones between any two people (proportional to across stubs)."""

    def __init__(self, company, inside, across):
        self.company = company
        self.order = np.argsort(company, kind="stable")  # people by company
        self.inside = inside
        self.cum_in = np.concatenate(([0.0], np.cumsum(inside[self.order])))
        self.rank = np.empty_like(self.order)
        self.rank[self.order] = np.arange(len(self.order))
        bounds = np.searchsorted(company[self.order], np.arange(company.max() + 2))
        self.first, self.end = bounds[:-1], bounds[1:]
        self.cum_across = np.cumsum(across)
        self.inside_share = inside.sum() / (inside.sum() + across.sum())

    def inside_ties(self, rng, n):
        u = self.order[np.searchsorted(self.cum_in, rng.uniform(0, self.cum_in[-1], n), "right") - 1]
        c = self.company[u]
        lo, hi = self.cum_in[self.first[c]], self.cum_in[self.end[c]]
        # a point in the company's span with u's own segment cut out
        x = lo + rng.uniform(0, 1, n) * (hi - lo - self.inside[u])
        x += np.where(x >= self.cum_in[self.rank[u]], self.inside[u], 0.0)
        v = self.order[np.clip(np.searchsorted(self.cum_in, x, "right") - 1, 0, len(self.order) - 1)]
        keep = (u != v) & (self.company[v] == c)
        return u[keep], v[keep]

    def across_ties(self, rng, n):
        total = self.cum_across[-1]
        u = np.searchsorted(self.cum_across, rng.uniform(0, total, n), "right")
        v = np.searchsorted(self.cum_across, rng.uniform(0, total, n), "right")
        keep = u != v
        return u[keep], v[keep]

    def keys(self, rng, n, people):
        """About n ties as sorted-pair keys u * people + v (u < v)."""
        out = []
        for start in range(0, n, CHUNK):
            m = min(CHUNK, n - start)
            m_in = int(round(m * self.inside_share))
            for u, v in (self.inside_ties(rng, m_in), self.across_ties(rng, m - m_in)):
                out.append(np.minimum(u, v) * people + np.maximum(u, v))
        return np.concatenate(out)


def draw_ties(rng, sampler, ties, people):
    """Exactly `ties` distinct keys, in random order."""
    keys = np.unique(sampler.keys(rng, ties, people))
    drawn = ties
    while len(keys) < ties:
        more = int((ties - len(keys)) * drawn / len(keys) * 1.1) + 1000
        keys = np.unique(np.concatenate((keys, sampler.keys(rng, more, people))))
        drawn += more
    return keys[rng.permutation(len(keys))[:ties]], drawn


def draw_pairs(rng, company, degree, count):
    """`count` pairs of people with ties, in different companies."""
    linked = np.flatnonzero(degree > 0)
    pairs = np.empty((0, 2), dtype=np.int64)
    for _ in range(1000):
        if len(pairs) >= count:
            break
        a = linked[rng.integers(0, len(linked), 2 * count)]
        b = linked[rng.integers(0, len(linked), 2 * count)]
        ok = company[a] != company[b]
        pairs = np.concatenate((pairs, np.stack((a[ok], b[ok]), axis=1)))
    if len(pairs) < count:
        raise SystemExit("network_gen: cannot find pairs in different companies")
    return pairs[:count]


def write_lines(path, columns):
    """Writes rows of string columns (numpy object arrays), space-separated."""
    with open(path, "w") as f:
        for start in range(0, len(columns[0]), CHUNK):
            chunk = [c[start : start + CHUNK] for c in columns]
            f.write("\n".join(map(" ".join, zip(*chunk))))
            f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, required=True)
    ap.add_argument("--ties", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    n, m = args.people, args.ties
    if n < 2 or m < 1 or m > n * (n - 1) // 4:
        ap.error("need at least 2 people and 1 tie, and at most half of all possible ties")
    started = time.monotonic()
    rng = np.random.default_rng(args.seed)

    company = companies_zipf(rng, n)
    activity = rng.pareto(PARETO_SHAPE, n) + 1.0
    inside, across = stub_shares(company, activity * (2.0 * m / activity.sum()))
    keys, drawn = draw_ties(rng, Sampler(company, inside, across), m, n)
    u, v = keys // n, keys % n
    colleagues = company[u] == company[v]
    strength = np.where(colleagues, rng.uniform(*INSIDE_STRENGTH, m), rng.uniform(*ACROSS_STRENGTH, m))
    ten_thousandths = np.clip(np.rint(strength * 10000), 1, 10000).astype(np.int64)
    degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    pairs = draw_pairs(rng, company, degree, args.pairs)

    os.makedirs(args.out, exist_ok=True)
    names = np.array([str(i) for i in range(n)], dtype=object)
    strengths = np.array([f"{i / 10000:.4f}" for i in range(10001)], dtype=object)
    companies = np.array([f"c{i}" for i in range(company.max() + 1)], dtype=object)
    write_lines(os.path.join(args.out, "edges.txt"), [names[u], names[v], strengths[ten_thousandths]])
    write_lines(os.path.join(args.out, "companies.txt"), [names, companies[company]])
    write_lines(os.path.join(args.out, "pairs.txt"), [names[pairs[:, 0]], names[pairs[:, 1]]])

    sizes = np.bincount(company)
    print(json.dumps({
        "people": n,
        "ties": m,
        "ties_drawn": int(drawn),
        "inside_share": round(float(colleagues.mean()), 4),
        "companies": int((sizes > 0).sum()),
        "largest_companies": sorted(sizes.tolist(), reverse=True)[:5],
        "companies_of_one": int((sizes == 1).sum()),
        "max_degree": int(degree.max()),
        "median_degree": float(np.median(degree)),
        "without_ties": int((degree == 0).sum()),
        "pairs": len(pairs),
        "seconds": round(time.monotonic() - started, 1),
    }))


if __name__ == "__main__":
    main()
