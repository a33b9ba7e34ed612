"""Figures drawn from results with matplotlib (the ``plot`` extra).

Every function takes result data and a path, writes one PNG atomically (a
complete file or none), and returns nothing; nothing here computes a model.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import AccordError
from accord.files import atomic_path
from accord.forecasting.models import MODELS, IssueTrajectory
from accord.negotiation import NegotiationDomain, NegotiationResult, nash_point, pareto_frontier
from accord.scenario import Scenario

if TYPE_CHECKING:
    from accord.forecasting.distribution import ForecastDistribution

__all__ = [
    "comparison_figure",
    "plot_distributions",
    "plot_negotiation",
    "plot_trajectories",
    "trust_figure",
]


def _tidy(fig: Any, **options: Any) -> None:
    """Tighten a figure's layout; where crowded labels leave no room, keep matplotlib's."""
    with warnings.catch_warnings():
        # Many actors or long names can crowd an axis: the figure is still drawn, with
        # the default margins, rather than refused.
        warnings.filterwarnings("ignore", "Tight layout not applied", UserWarning)
        fig.tight_layout(**options)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise AccordError(
            "plots need matplotlib, which accord depends on; reinstall accord: pip install accord"
        ) from None
    return plt


def save(fig: Any, path: Path) -> None:
    """Write a figure as PNG, atomically, and close it."""
    plt = pyplot()
    path = Path(path)
    try:
        if path.suffix.lower() != ".png":
            raise AccordError(f"{path}: plots are written as PNG; give a file name ending in .png")
        with atomic_path(path, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=110, metadata={"Software": None})
    finally:
        plt.close(fig)


def plot_trajectories(
    runs: list[IssueTrajectory], scenario: Scenario, path: Path, quad_round: int = 1
) -> None:
    """Positions per round per actor, and the quad map of one round, for every issue.

    The quad map puts, for each actor ``i`` and rival ``j``, ``i``'s expected
    utility of challenging ``j`` (x) against ``j``'s of challenging ``i`` as
    ``i`` sees it (y). Above the diagonal in the upper right, ``i`` loses a
    conflict; in the upper left ``i`` compromises or gives in.
    """
    plt = pyplot()
    shown = [r for r in runs if r.trajectory is not None]
    if not shown:
        raise AccordError("no issue has a disagreement to plot")
    fig, axes = plt.subplots(len(shown), 2, figsize=(12, 3.6 * len(shown)), squeeze=False)
    for row, run in zip(axes, shown, strict=True):
        t = run.trajectory
        assert t is not None
        issue = scenario.issue(run.issue)
        left, right = row
        rounds = np.arange(t.positions.shape[0])
        for a, actor in enumerate(run.actors):
            left.plot(rounds, t.positions[:, 0, a], marker="o", ms=3, label=actor)
        left.plot(rounds, t.median[:, 0], "k--", lw=2, label="median")
        left.set_title(f"{issue.name}", fontsize=10)
        left.set_xlabel("round")
        left.set_ylim(issue.scale.min, issue.scale.max)
        for anchor in issue.anchors:
            left.axhline(anchor.at, color="0.85", lw=0.8, zorder=0)
        left.legend(fontsize=7, ncol=2, loc="best")
        if t.eu_own is None or t.eu_rival is None:
            right.set_axis_off()
            continue
        k = min(max(quad_round, 1), t.rounds) - 1
        own, rival = t.eu_own[k, 0], t.eu_rival[k, 0]
        n = len(run.actors)
        for i in range(n):
            for j in range(n):
                if i != j and t.positions[k, 0, i] != t.positions[k, 0, j]:
                    right.scatter(own[i, j], rival[i, j], s=12)
                    right.annotate(
                        f"{run.actors[i]}→{run.actors[j]}", (own[i, j], rival[i, j]), fontsize=6
                    )
        lim = float(np.nanmax(np.abs(np.concatenate([own.ravel(), rival.ravel()])))) or 1.0
        right.axhline(0, color="k", lw=0.8)
        right.axvline(0, color="k", lw=0.8)
        right.plot([-lim, lim], [-lim, lim], color="0.6", lw=0.8)
        right.plot([-lim, lim], [lim, -lim], color="0.6", lw=0.8)
        right.set_xlim(-lim * 1.1, lim * 1.1)
        right.set_ylim(-lim * 1.1, lim * 1.1)
        right.set_xlabel("EU of i challenging j (as i sees it)")
        right.set_ylabel("EU of j challenging i (as i sees it)")
        right.set_title(f"quad map, round {k + 1}", fontsize=10)
    _tidy(fig)
    save(fig, path)


def plot_distributions(result: ForecastDistribution, path: Path) -> None:
    """One small panel per issue: each model's forecast over the draws, on its own row.

    A thin line spans the 5–95% range of the draws, a thick one the middle half, a
    tick marks the median and a diamond the point forecast; the status quo is a
    dashed line and an outcome on record (a back-test) a solid one, both in the legend,
    which sits below the panels, out of the data.
    """
    plt = pyplot()
    from matplotlib.lines import Line2D

    n = len(result.issues)
    cols = 2 if n > 1 else 1
    rows = -(-n // cols)
    height = 0.32 * len(result.models) + 1.0
    fig, axes = plt.subplots(rows, cols, figsize=(13, height * rows + 0.8), squeeze=False)
    labels = [MODELS[m].label if m in MODELS else m for m in result.models]
    ids = [i.id for i in result.issues]
    for ax, issue in zip(axes.flat, result.issues, strict=False):
        k = ids.index(issue.id)
        for row, name in enumerate(result.models):
            values = result.samples[name][:, k]
            values = values[~np.isnan(values)]
            if values.size:
                lo, q1, mid, q3, hi = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
                ax.plot([lo, hi], [row, row], color="0.35", lw=1)
                ax.plot([q1, q3], [row, row], color="0.15", lw=4, solid_capstyle="butt")
                ax.plot([mid], [row], marker="|", color="white", markersize=7)
            points = result.point or {}
            point = float(points[name][k]) if name in points else float("nan")
            if not np.isnan(point):
                ax.plot([point], [row], marker="D", color="#c0392b", markersize=4.5, zorder=3)
        if issue.status_quo is not None:
            ax.axvline(issue.status_quo.value, color="#2c7fb8", ls="--", lw=1.2)
        if issue.outcome is not None:
            ax.axvline(issue.outcome.value, color="#238b45", lw=1.5)
        ax.set_yticks(range(len(result.models)), labels, fontsize=7.5)
        ax.set_ylim(len(result.models) - 0.5, -0.5)
        ax.set_xlim(issue.scale.min, issue.scale.max)
        ticks = [a.at for a in issue.anchors] or None
        if ticks:
            ax.set_xticks(ticks, [f"{t:g}" for t in ticks], fontsize=7.5)
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(axis="x", color="0.9", lw=0.6)
        ax.set_title(issue.name, fontsize=9, loc="left")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    legend = [
        Line2D([], [], color="0.35", lw=1, label="5–95% of the draws"),
        Line2D([], [], color="0.15", lw=4, label="middle half (25–75%)"),
        Line2D([], [], color="#c0392b", marker="D", lw=0, label="point forecast"),
        Line2D([], [], color="#2c7fb8", ls="--", label="status quo"),
    ]
    if any(i.outcome is not None for i in result.issues):
        legend.append(Line2D([], [], color="#238b45", lw=1.5, label="outcome on record"))
    fig.legend(handles=legend, loc="lower center", ncol=len(legend), fontsize=8, frameon=False)
    fig.suptitle(
        f"Forecasts over {result.draws:,} draws of the stated uncertainties (seed {result.seed}); "
        "x: each issue's scale, ticks at its labelled points",
        fontsize=9,
    )
    _tidy(fig, rect=(0, 0.03, 1, 0.98))
    save(fig, path)


def plot_negotiation(domain: NegotiationDomain, result: NegotiationResult, path: Path) -> None:
    """Utility of every offer or draft to each party over time; for two, the utility plane."""
    plt = pyplot()
    two = len(domain.parties) == 2
    fig, axes = plt.subplots(1, 2 if two else 1, figsize=(12 if two else 7, 4.5), squeeze=False)
    ax = axes[0, 0]
    moves = [
        e for e in result.transcript if e.action in ("offer", "draft") and e.outcome is not None
    ]
    for proposer in dict.fromkeys(e.party for e in moves):
        mine = [e for e in moves if e.party == proposer]
        xs = [e.step for e in mine]
        if proposer in domain.parties:
            k = domain.index(proposer)
            own = [domain.matrix[k, int(e.outcome or 0)] for e in mine]
            (line,) = ax.plot(xs, own, marker=".", lw=1.2, label=f"{proposer}: to itself")
            others = [
                float(np.delete(domain.matrix[:, int(e.outcome or 0)], k).mean()) for e in mine
            ]
            ax.plot(
                xs,
                others,
                ls="--",
                lw=1,
                color=line.get_color(),
                label=f"{proposer}: to the others",
            )
            ax.axhline(domain.reservation[k], color=line.get_color(), ls=":", lw=0.8)
        else:  # a neutral chair's drafts
            mean = [float(domain.matrix[:, int(e.outcome or 0)].mean()) for e in mine]
            ax.plot(
                xs, mean, marker=".", lw=1.2, color="k", label=f"{proposer}'s drafts: mean utility"
            )
    ax.set_xlabel("round")
    ax.set_ylabel("utility of its offers")
    ax.set_title(
        f"{result.protocol}: {'agreement' if result.agreed else 'no agreement'}", fontsize=10
    )
    ax.legend(fontsize=7)
    if two:
        plane = axes[0, 1]
        u = domain.matrix
        plane.scatter(u[0], u[1], s=4, color="0.75", label="outcomes")
        front = pareto_frontier(u)
        order = front[np.argsort(u[0, front])]
        plane.plot(u[0, order], u[1, order], "k-", lw=1.2, label="Pareto frontier")
        nash = nash_point(u, domain.reservation)
        if nash is not None:
            plane.scatter(
                [u[0, nash]],
                [u[1, nash]],
                marker="*",
                s=120,
                color="gold",
                zorder=3,
                label="Nash point",
            )
        offered = [e for e in moves]
        by = {p: [int(e.outcome or 0) for e in offered if e.party == p] for p in domain.parties}
        for p, outs in by.items():
            if outs:
                plane.plot(u[0, outs], u[1, outs], marker="o", ms=3, lw=0.6, label=f"{p}'s offers")
        if result.agreement is not None:
            plane.scatter(
                [u[0, result.agreement]],
                [u[1, result.agreement]],
                marker="X",
                s=90,
                color="red",
                zorder=4,
                label="agreement",
            )
        plane.axvline(domain.reservation[0], color="0.5", ls=":", lw=0.8)
        plane.axhline(domain.reservation[1], color="0.5", ls=":", lw=0.8)
        plane.set_xlabel(f"utility of {domain.parties[0]}")
        plane.set_ylabel(f"utility of {domain.parties[1]}")
        plane.legend(fontsize=7)
    _tidy(fig)
    save(fig, path)


COMPARISON_TITLES = {
    "agreed": "share of draws adopting a package",
    "phases": "implementation phases completed",
    "welfare": "welfare (sum of utilities)",
}


def comparison_figure(summary: Any, labels: dict[str, str] | None, path: Path) -> None:
    """Adoption, phases implemented and welfare per format, each with its 5–95% range.

    ``labels`` names the formats in words (format id or ``bilateral:HUB`` → label).
    """
    plt = pyplot()
    measures = [m for m in ("agreed", "phases", "welfare") if m in summary]
    fig, axes = plt.subplots(
        1, len(measures), figsize=(4.6 * len(measures), 0.45 * len(summary) + 1.6), squeeze=False
    )
    names = [(labels or {}).get(f, f) for f in summary["format"]]
    for col, (ax, measure) in enumerate(zip(axes[0], measures, strict=True)):
        mean = summary[measure].to_numpy(dtype=float)
        lo = summary[f"{measure}_lo"].to_numpy(dtype=float)
        hi = summary[f"{measure}_hi"].to_numpy(dtype=float)
        # A mean can fall outside its central interval (a skewed spread, or rounding when
        # every draw agrees): the whisker then stops at the bar. A share of draws has no
        # range: each draw adopts or not.
        whiskers = None if measure == "agreed" else np.clip([mean - lo, hi - mean], 0.0, None)
        ax.barh(range(len(names)), mean, xerr=whiskers, color="#7a9cc6", capsize=3)
        ax.set_yticks(range(len(names)), names if col == 0 else [""] * len(names), fontsize=8)
        ax.set_title(COMPARISON_TITLES.get(measure, measure), fontsize=9)
        if measure == "agreed":
            ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.grid(axis="x", color="0.9", lw=0.6)
    _tidy(fig)
    save(fig, path)


def trust_figure(trust: np.ndarray, parties: tuple[str, ...], path: Path) -> None:
    """Each delegation's mean trust in the others, before and after each implementation phase."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    n = len(parties)
    for i, party in enumerate(parties):
        others = [j for j in range(n) if j != i]
        ax.plot(range(trust.shape[0]), trust[:, i, others].mean(axis=1), marker="o", label=party)
    ax.set_xlabel("phase (0 = before implementation)")
    ax.set_ylabel("mean trust in the others")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.legend(fontsize=7, ncol=3)
    _tidy(fig)
    save(fig, path)
