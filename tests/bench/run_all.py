"""Every benchmark in one go (``make bench``); each prints its own figures."""

from tests.bench import bench_app, bench_import, bench_invoice_run, bench_search, bench_startup


def main() -> None:
    import sys

    sys.argv = [sys.argv[0]]
    bench_startup.main()
    bench_search.main()
    bench_invoice_run.main()
    bench_import.main()
    bench_app.main()


if __name__ == "__main__":
    main()
