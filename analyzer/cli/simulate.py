"""`analyzer simulate`: a labelled synthetic fleet (or the sample tickets) in the real formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.errors import UsageError


def simulate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the fleet (or the tickets) into.")],
    calls: Annotated[int, typer.Option(help="Number of calls.")] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    fault_mix: Annotated[str | None, typer.Option(help="Class weights, e.g. healthy=0.5,network=0.5.")] = None,
    calls_per_device: Annotated[int, typer.Option(help="Calls on each simulated device.")] = 8,
    noise: Annotated[float, typer.Option(help="Unrelated log lines a minute (system-wide export noise).")] = 600.0,
    partial: Annotated[
        float,
        typer.Option(help="Share of devices whose files lack a family (log-only pastes, stats only, no gateway)."),
    ] = 0.0,
    tickets: Annotated[
        bool, typer.Option("--tickets", help="Write the six sample tickets instead of a fleet.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Write a labelled synthetic fleet in the real formats: device log exports, app stats, gateway stats,
    and labels.csv (call_id, label, injected faults).

    Example: analyzer simulate --calls 1000 --seed 3 --out /tmp/fleet --fault-mix healthy=0.5,network=0.5
    """
    from analyzer.simulator.faults import parse_mix
    from analyzer.simulator.fleet import FleetOptions, write_tickets
    from analyzer.simulator.fleet import simulate as run

    if tickets:
        for name in write_tickets(out, seed):
            typer.echo(f"{out / name}")
        return
    try:
        mix = parse_mix(fault_mix)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if calls < 1 or calls_per_device < 1:
        raise UsageError("--calls and --calls-per-device must be at least 1")
    if not 0.0 <= partial <= 1.0:
        raise UsageError("--partial must be between 0 and 1")
    opts = FleetOptions(
        calls=calls,
        seed=seed,
        mix=mix,
        calls_per_device=calls_per_device,
        noise_per_minute=noise,
        partial_evidence=partial,
    )
    if quiet:
        n = run(out, opts)
    else:
        from rich.progress import Progress

        from analyzer.render.tables import console

        with Progress(transient=True, console=console(stderr=True)) as bar:
            task = bar.add_task("simulating calls", total=calls)
            n = run(out, opts, progress=lambda k: bar.advance(task, k))
    typer.echo(f"wrote {n} calls to {out} (labels: {out / 'labels.csv'})")
