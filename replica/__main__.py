"""Command line of the replica: ``python -m replica serve --articles 500``.

Subcommands are argparse subparsers registered in :func:`build_parser`; add one by
writing an ``add_<name>(subparsers)`` function and calling it there.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from replica.demo import add_demo
from replica.server import FaultConfig, Replica


def _faults(value: str) -> FaultConfig:
    try:
        return FaultConfig.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_serve(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="serve a replica until Ctrl-C")
    p.add_argument("--articles", type=int, default=300, help="number of articles (10-100000)")
    p.add_argument("--seed", type=int, default=1, help="generator seed")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument(
        "--faults",
        type=_faults,
        default=FaultConfig(),
        help="all, none, or a comma list: " + ",".join(FaultConfig.all().enabled),
    )
    p.add_argument("--crawl-delay", type=float, default=0.0, help="Crawl-delay in robots.txt")
    p.add_argument("--ground-truth", metavar="PATH", help="write the expected records (JSONL)")
    p.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    replica = Replica(args.articles, args.seed, faults=args.faults, crawl_delay=args.crawl_delay)
    if args.ground_truth:
        replica.write_ground_truth(args.ground_truth)
    origin = replica.start(args.port)
    print(f"replica serving {replica.articles} articles at {origin}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
    return 0


def add_serve_vidu(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve-vidu", help="serve the second portal (Báo Ví Dụ)")
    p.add_argument("--articles", type=int, default=60, help="number of articles (10-100000)")
    p.add_argument("--seed", type=int, default=2, help="generator seed")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.set_defaults(func=serve_vidu)


def serve_vidu(args: argparse.Namespace) -> int:
    from replica.vidu import Vidu

    vidu = Vidu(args.articles, args.seed)
    origin = vidu.start(args.port)
    print(f"Báo Ví Dụ serving {len(vidu.metas)} articles at {origin}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        vidu.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m replica", description="A local replica of baohaiduong.vn."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_serve(subparsers)
    add_demo(subparsers)
    add_serve_vidu(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
