#!/usr/bin/env python3
"""The path benchmark's networkx and igraph side (see bench/network.sh): the
same files and queries as kith's `path_bench` example, the same JSON out.

    network_peers.py --tool networkx|igraph EDGES PAIRS COMPANIES
                     [--pairs-limit K] [--timeout S] [--budget S]

Builds the graph as a user of the library would (weight = -ln(strength), so
the best path, the highest product of strengths, is the shortest one) and a
company -> members index, and reports the time that took and the RSS after
it. Then, for each of the first K pairs (src, dst), times three queries:

* single: the best path src -> dst;
* org: the best path from src to anyone at dst's company;
* k5: the 5 best loopless paths src -> dst, best first.

A query still running after --timeout seconds (SIGALRM) is "failed" and left
out of the percentiles; once --budget seconds of queries have passed, the
rest are not run ("skipped"). "check" holds the strengths found for the
first 20 pairs (null: no path; "failed" or "skipped" where the query did
not finish). Every answer is also checked (k5 paths loopless, distinct,
made of ties, from src to dst, best first; k5's best as strong as single's;
org at least as strong as single); what fails is listed under "problems"
and on stderr.
"""

import argparse
import json
import math
import signal
import sys
import time
import warnings
from itertools import islice

CHECKED = 20  # pairs whose answers go into "check"
KINDS = ("single", "org", "k5")


def status_mb(field):
    """A /proc/self/status figure (VmRSS, VmHWM) in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def read_pairs(path):
    with open(path) as f:
        return [(int(a), int(b)) for a, b in map(str.split, f)]


def read_companies(path):
    """node -> company, and company -> members."""
    company_of, members = {}, {}
    with open(path) as f:
        for node, company in map(str.split, f):
            company_of[int(node)] = company
            members.setdefault(company, []).append(int(node))
    return company_of, members


class Networkx:
    """networkx.Graph built with add_weighted_edges_from. Queries return
    node lists (org's from src), or None where there is no path."""

    def __init__(self, edges, members):
        import networkx as nx

        self.nx = nx
        self.version = nx.__version__
        g = nx.Graph()
        with open(edges) as f:
            g.add_weighted_edges_from((int(u), int(v), -math.log(float(s))) for u, v, s in map(str.split, f))
        self.g = g
        self.members = {c: [n for n in nodes if n in g] for c, nodes in members.items()}
        self.nodes, self.ties = g.number_of_nodes(), g.number_of_edges()

    def single(self, src, dst):
        # bidirectional_dijkstra: the fastest of networkx's weighted
        # source-target searches (shortest_path(weight=) is one-sided).
        try:
            return self.nx.bidirectional_dijkstra(self.g, src, dst, weight="weight")[1]
        except self.nx.NetworkXNoPath:
            return None

    def org(self, src, company):
        # One Dijkstra seeded with every member of the company at distance
        # 0 and stopped when it settles src: the graph is undirected, so its
        # path, reversed, is src's best path to the nearest member. One
        # search and the graph untouched (a virtual node tied to all the
        # members would mean adding and removing that many edges per query).
        if not self.members[company]:
            return None
        try:
            path = self.nx.multi_source_dijkstra(self.g, self.members[company], target=src, weight="weight")[1]
        except self.nx.NetworkXNoPath:
            return None
        return path[::-1]

    def k5(self, src, dst):
        try:
            return list(islice(self.nx.shortest_simple_paths(self.g, src, dst, weight="weight"), 5))
        except self.nx.NetworkXNoPath:
            return []

    def path(self, src, found):
        """A query's path -> (strength, [node, ...])."""
        return math.exp(-self.nx.path_weight(self.g, found, "weight")), found

    def is_path(self, nodes):
        return all(self.g.has_edge(a, b) for a, b in zip(nodes, nodes[1:]))


class Igraph:
    """igraph.Graph read with Read_Ncol, igraph's reader for this format
    (vertex ids follow first appearance; the "name" attribute keeps the node
    numbers). Queries return edge-id lists, or None where there is no path."""

    def __init__(self, edges, members):
        import igraph

        self.version = igraph.__version__
        g = igraph.Graph.Read_Ncol(edges, names=True, weights=True, directed=False)
        g.es["weight"] = [-math.log(s) for s in g.es["weight"]]
        self.g = g
        self.vid = {int(name): i for i, name in enumerate(g.vs["name"])}
        self.members = {c: [self.vid[n] for n in nodes if n in self.vid] for c, nodes in members.items()}
        self.nodes, self.ties = g.vcount(), g.ecount()
        # get_shortest_path warns on stderr for each target it cannot reach
        warnings.filterwarnings("ignore", message="Couldn't reach some vertices")

    def single(self, src, dst):
        return self.g.get_shortest_path(self.vid[src], self.vid[dst], weights="weight", output="epath") or None

    def org(self, src, company):
        # distances() from src to all the members: one Dijkstra, which
        # stops once every member is settled (igraph has no "stop at the
        # first target reached"); then get_shortest_path fetches the path
        # to the nearest one.
        s, targets = self.vid[src], self.members[company]
        if not targets:
            return None
        row = self.g.distances(s, targets, weights="weight")[0]
        nearest = min(range(len(row)), key=row.__getitem__)
        if math.isinf(row[nearest]):
            return None
        return self.g.get_shortest_path(s, targets[nearest], weights="weight", output="epath")

    def k5(self, src, dst):
        found = self.g.get_k_shortest_paths(self.vid[src], self.vid[dst], k=5, weights="weight", output="epath")
        return [p for p in found if p]

    def path(self, src, found):
        """A query's edge ids -> (strength, [node, ...]), walking from src;
        edges that do not make a walk give an empty node list."""
        walk, length = [self.vid[src]], 0.0
        for e in found:
            edge = self.g.es[e]
            a, b = edge.tuple
            if walk[-1] not in (a, b):
                return math.exp(-length), []
            walk.append(b if walk[-1] == a else a)
            length += edge["weight"]
        return math.exp(-length), [int(self.g.vs[v]["name"]) for v in walk]

    def is_path(self, nodes):
        return all(self.g.are_adjacent(self.vid[a], self.vid[b]) for a, b in zip(nodes, nodes[1:]))


class Clock:
    """Runs one query under a SIGALRM timeout."""

    class Expired(Exception):
        pass

    def __init__(self, timeout):
        self.timeout = timeout
        self.fired = False
        signal.signal(signal.SIGALRM, self.alarm)

    def alarm(self, signum, frame):
        self.fired = True
        raise Clock.Expired()

    def run(self, query):
        """(milliseconds, answer), or None when the timeout fired."""
        self.fired = False
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            started = time.perf_counter()
            answer = query()
            ms = (time.perf_counter() - started) * 1000
            signal.setitimer(signal.ITIMER_REAL, 0)
        except Exception:
            # when the alarm interrupts igraph's C code, igraph may raise
            # its own error instead of Expired: the flag tells
            signal.setitimer(signal.ITIMER_REAL, 0)
            if not self.fired:
                raise
            return None
        return ms, answer


def percentile(sorted_ms, q):
    """Nearest rank, as kith's path_bench computes it."""
    if not sorted_ms:
        return None
    return round(sorted_ms[min(len(sorted_ms), max(1, math.ceil(len(sorted_ms) * q))) - 1], 3)


def consistency(where, src, dst, answers, tool):
    """What is wrong with one pair's answers: kind -> (strength, nodes) or
    None (no path); k5 -> a list of those; kinds not finished are absent."""
    problems = []
    k5 = answers.get("k5")
    for rank, (strength, nodes) in enumerate(k5 or []):
        if len(set(nodes)) != len(nodes):
            problems.append(f"{where}: k5 path {rank} has a loop: {nodes}")
        if not nodes or nodes[0] != src or nodes[-1] != dst or not tool.is_path(nodes):
            problems.append(f"{where}: k5 path {rank} is not a path of ties from src to dst: {nodes}")
        if rank and strength > k5[rank - 1][0] * (1 + 1e-12):
            problems.append(f"{where}: k5 path {rank} is stronger than the one before it")
    if k5 and len({tuple(nodes) for _, nodes in k5}) != len(k5):
        problems.append(f"{where}: k5 repeats a path")
    if "single" in answers and k5 is not None:
        single = answers["single"]
        if (single is None) != (not k5):
            problems.append(f"{where}: single and k5 disagree on whether there is a path")
        elif k5 and not math.isclose(single[0], k5[0][0], rel_tol=1e-9):
            problems.append(f"{where}: single's strength {single[0]} but k5's best {k5[0][0]}")
    if answers.get("single") and "org" in answers:
        single, org = answers["single"], answers["org"]
        if org is None or org[0] < single[0] * (1 - 1e-9):
            problems.append(f"{where}: org {org and org[0]} is weaker than single {single[0]}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tool", choices=("networkx", "igraph"), required=True)
    ap.add_argument("edges")
    ap.add_argument("pairs")
    ap.add_argument("companies")
    ap.add_argument("--pairs-limit", type=int, default=None, help="the first K pairs only")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per query (default 120)")
    ap.add_argument("--budget", type=float, default=1800.0, help="seconds of queries in all (default 1800)")
    args = ap.parse_args()

    pairs = read_pairs(args.pairs)[: args.pairs_limit]
    started = time.perf_counter()
    company_of, members = read_companies(args.companies)
    tool = (Networkx if args.tool == "networkx" else Igraph)(args.edges, members)
    del members
    build_s = time.perf_counter() - started
    rss_mb = status_mb("VmRSS")

    clock = Clock(args.timeout)
    ms = {kind: [] for kind in KINDS}
    counts = {kind: {"failed": 0, "skipped": 0, "no_path": 0} for kind in KINDS}
    check = {kind: [] for kind in KINDS}
    problems = []
    queries_started = time.perf_counter()
    for i, (src, dst) in enumerate(pairs):
        queries = {
            "single": lambda: tool.single(src, dst),
            "org": lambda: tool.org(src, company_of[dst]),
            "k5": lambda: tool.k5(src, dst),
        }
        answers = {}
        for kind in KINDS:
            if time.perf_counter() - queries_started > args.budget:
                counts[kind]["skipped"] += 1
                outcome = "skipped"
            elif (timed := clock.run(queries[kind])) is None:
                counts[kind]["failed"] += 1
                outcome = "failed"
            else:
                ms[kind].append(timed[0])
                found = timed[1]
                counts[kind]["no_path"] += not found
                if kind == "k5":
                    answers[kind] = [tool.path(src, p) for p in found]
                    outcome = [strength for strength, _ in answers[kind]]
                else:
                    answers[kind] = tool.path(src, found) if found else None
                    outcome = answers[kind] and answers[kind][0]
            if i < CHECKED:
                check[kind].append(outcome)
        problems += consistency(f"pair {i} ({src} -> {dst})", src, dst, answers, tool)

    for p in problems:
        print(f"network_peers.py ({args.tool}): {p}", file=sys.stderr)
    result = {"tool": args.tool, "version": tool.version, "nodes": tool.nodes, "ties": tool.ties,
              "build_s": round(build_s, 3), "rss_mb": round(rss_mb, 1), "peak_mb": round(status_mb("VmHWM"), 1)}
    for kind in KINDS:
        done = sorted(ms[kind])
        result[kind] = {"p50_ms": percentile(done, 0.50), "p99_ms": percentile(done, 0.99),
                        "done": len(done), **counts[kind]}
    result["check"] = check
    result["problems"] = problems
    print(json.dumps(result))


if __name__ == "__main__":
    main()
