"""Every benchmark in one go (``make bench``); each prints its own figures."""

from tests.bench import (
    bench_app,
    bench_import,
    bench_import_memory,
    bench_invoice_run,
    bench_mail,
    bench_search,
    bench_startup,
)


def main() -> None:
    import sys

    sys.argv = [sys.argv[0]]
    bench_startup.main()
    bench_search.main()
    bench_invoice_run.main()
    bench_import.main()
    bench_import_memory.main()
    bench_app.main()
    bench_mail.main()


if __name__ == "__main__":
    main()
