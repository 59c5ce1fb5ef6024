"""Sample data: the demo data set and generated scale data for benchmarks.

- ``reference``: the reference data of the demo ISP (names, towns and streets, plans, texts).
- ``demo``: ``build_demo()`` makes the demo data set (``sample_data/demo.json``) from a seed as
  plain JSON-able data, with the stages in ``demo_customers``, ``demo_billing`` and
  ``demo_activity`` and their shared state in ``demo_state``; ``python -m ispterm.sample``
  writes the file.
- ``loader``: ``load_file()`` / ``load()`` check a data set and put it into an empty database in
  one transaction; ``demo_path()`` finds the bundled file wherever ispterm is installed.
- ``scale``: ``generate()`` adds N plain customers with services, invoices and payments, fast
  enough for 100,000 customers.
- ``common`` (format tag, money, months) and ``ids`` (primary keys handed out up front) are
  shared by them.

Nothing is imported here: each command imports the one module it runs.
"""
