"""Queue drain vs a bare aiosmtplib loop: the same messages, the same number of connections.

Run: ``.venv/bin/python -m tests.bench.bench_mail [--messages 5000] [--connections 2]
[--backend sqlite|postgresql] [--rounds N]``. The SMTP server (aiosmtpd, accepting and counting) runs in
its own process so neither side pays for it in its own GIL. The queue run includes
everything the product does per message: claim, send, record the outcome (message row,
communication log, history); both sides send the same stored bytes (built once at enqueue). Target: queue >= 0.8x the bare loop's messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def serve(port: int) -> None:
    """The sink server (child process): accept everything, print nothing."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 accepted"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()  # until the parent closes our stdin
    controller.stop()


async def _bare(port: int, messages: list, connections: int) -> float:
    import aiosmtplib

    async def one(chunk):
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=30)
        await client.connect()
        for sender, recipients, raw in chunk:
            await client.sendmail(sender, recipients, raw)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(one(messages[i::connections]) for i in range(connections)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Rounds of bare and queue runs, alternating which goes first; the median ratio "
                        "is reported (the bare loop alone varies by a quarter between runs).")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    from sqlmodel import select

    from ispterm.connect import open_ctx
    from ispterm.customers.service import create
    from ispterm.messaging.model import OutboundContent, OutboundMessage
    from ispterm.messaging.sender import run_sender
    from tests.bench.scratch import scratch_database
    from tests.mailfixtures import fill_queue, free_port, sender_settings

    url, cleanup = scratch_database(args.backend, Path(tempfile.mkdtemp()))
    ctx = open_ctx(url, "bench")
    number = create(ctx, "Bench Customer", {"email": "bench@example.cz"})
    body = "Dear customer,\n\nyour invoice is ready.\n" * 20
    settings = sender_settings(port := free_port(), connections=args.connections, timeout=30.0, deadline=120.0)
    server = subprocess.Popen([sys.executable, "-m", "tests.bench.bench_mail", "--serve", str(port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    print(f"mail bench ({args.backend}, {args.messages} messages, {args.connections} connections, "
          f"{args.rounds} round{'s' if args.rounds > 1 else ''})")
    ratios = []
    try:
        assert server.stdout.readline().strip() == "ready"
        for n in range(args.rounds):
            started = time.perf_counter()
            ids = fill_queue(ctx, args.messages, customer_number=number, body=body)
            enqueue_s = time.perf_counter() - started
            if args.backend == "postgresql":
                # What autovacuum does within a minute of a fill this size; it is off on the
                # test server, and without it the claim's plan and dead rows grow every round.
                with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    for table in ("outbound_message", "outbound_content", "communication", "audit_event"):
                        conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
            # The bare loop sends the very bytes the queue holds, with nothing else to do.
            with ctx.read() as s:
                bare_messages = [(r.sender, [r.recipients], raw) for r, raw in s.exec(
                    select(OutboundMessage, OutboundContent.raw).join(
                        OutboundContent, OutboundContent.message_id == OutboundMessage.id)
                    .where(OutboundMessage.status == "queued").order_by(OutboundMessage.id))]
            assert len(bare_messages) == len(ids)

            def bare(messages: list = bare_messages) -> float:  # this round's messages
                return asyncio.run(_bare(port, messages, args.connections))

            def queued() -> float:
                started = time.perf_counter()
                stats = asyncio.run(run_sender(ctx.engine, settings, asyncio.Event(), once=True))
                assert stats.sent == args.messages, stats
                return time.perf_counter() - started

            if n % 2:
                queue_s, bare_s = queued(), bare()
            else:
                bare_s, queue_s = bare(), queued()
            bare_rate, queue_rate = args.messages / bare_s, args.messages / queue_s
            ratios.append(queue_rate / bare_rate)
            print(f"  round {n + 1}: enqueue {args.messages / enqueue_s:6.0f} msgs/s (one transaction); "
                  f"bare aiosmtplib loop {bare_rate:6.0f} msgs/s; ispterm queue + sender {queue_rate:6.0f} msgs/s; "
                  f"ratio {queue_rate / bare_rate:.2f}")
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        cleanup()
    print(f"  ratio queue / bare          {statistics.median(ratios):8.2f}  median of {len(ratios)} "
          f"(range {min(ratios):.2f}-{max(ratios):.2f}; target >= 0.80)")
    ctx.engine.dispose()


if __name__ == "__main__":
    main()
