"""Command line of the replica: ``python -m replica serve --articles 500``.

Subcommands are argparse subparsers registered in :func:`build_parser`; add one by
writing an ``add_<name>(subparsers)`` function and calling it there.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from replica.demo import add_demo
from replica.server import FaultConfig, Replica


def _faults(value: str) -> FaultConfig:
    try:
        return FaultConfig.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _stop_on_sigterm() -> threading.Event:
    """An event SIGTERM sets. Installed before a server prints its address: whoever
    reads that line may stop it at once, and must find it ready to stop cleanly."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return stop


def _wait_then_close(stop: threading.Event, close: Callable[[], None]) -> None:
    """Serve until SIGTERM (``stop``) or Ctrl-C, then ``close`` the server."""
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        close()


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
    stop = _stop_on_sigterm()
    origin = replica.start(args.port)
    print(f"replica serving {replica.articles} articles at {origin}", flush=True)
    _wait_then_close(stop, replica.stop)
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
    stop = _stop_on_sigterm()
    origin = vidu.start(args.port)
    print(f"Báo Ví Dụ serving {len(vidu.metas)} articles at {origin}", flush=True)
    _wait_then_close(stop, vidu.stop)
    return 0


def add_serve_onecms(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve-onecms",
        help="serve the OneCMS edition (baohaiphong.vn, and baohaiduong.vn answering 301s)",
    )
    p.add_argument("--articles", type=int, default=60, help="articles migrated from the old site")
    p.add_argument("--seed", type=int, default=1, help="generator seed")
    p.add_argument("--days", type=int, default=10, help="days of daily sitemap files")
    p.add_argument(
        "--firewall", type=float, default=0.0, help="share of requests answered 403 (0-1)"
    )
    p.add_argument("--crawl-delay", type=float, default=0.0, help="Crawl-delay in robots.txt")
    p.add_argument("--ground-truth", metavar="PATH", help="write the expected records (JSONL)")
    p.set_defaults(func=serve_onecms)


def serve_onecms(args: argparse.Namespace) -> int:
    import json

    from replica.onecms import NEW, OneCMSReplica

    if not 0 <= args.firewall < 1:
        print("python -m replica serve-onecms: --firewall must be in [0, 1)", file=sys.stderr)
        return 2
    replica = OneCMSReplica(
        args.articles,
        args.seed,
        days=args.days,
        firewall=args.firewall,
        crawl_delay=args.crawl_delay,
    )
    if args.ground_truth:
        with open(args.ground_truth, "w", encoding="utf-8") as out:
            for record in replica.ground_truth():
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    stop = _stop_on_sigterm()
    replica.start()
    print(f"OneCMS edition serving {replica.origins_setting}", flush=True)
    # The crawl that reads it: the new host, each domain at its loopback origin.
    print(
        f"crawl it: scrapy crawl baohaiduong -s NEWSBOT_HOST={NEW}"
        f" -s NEWSBOT_ORIGINS={replica.origins_setting}",
        flush=True,
    )
    _wait_then_close(stop, replica.stop)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m replica", description="A local replica of baohaiduong.vn."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_serve(subparsers)
    add_demo(subparsers)
    add_serve_vidu(subparsers)
    add_serve_onecms(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
