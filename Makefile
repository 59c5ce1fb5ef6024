# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-dates bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ispterm demo

test: $(STAMP)
	$(VENV)/bin/ruff check ispterm screens themes tests
	$(PY) -m pytest -n 2 -q
	$(MAKE) --no-print-directory test-dates

# The date-sensitive tests again, as if the machine's clock stood at each instant below: every
# Python process of a run (pytest, its workers, the subprocesses tests start) has its wall
# clock moved by tests/timetravel/sitecustomize.py, on PYTHONPATH; monotonic time is untouched.
# A test that reads the real date instead of the Ctx clock fails here. The instants: the first
# half hour of a year in Prague (still the old year in UTC: new invoice series, new period), a
# leap day, and the night the clocks go back (03:00 CEST -> 02:00 CET): a run takes ~25 s,
# so starting 15 s before the change it crosses it. Each run prints its instant and its time.
# One instant: make test-dates TRAVEL_TO=2030-06-30T23:59:00+02:00
# By hand: ISPTERM_TEST_TRAVEL=2027-01-01T00:30:00+01:00 PYTHONPATH=tests/timetravel
#          .venv/bin/python -m pytest tests/test_billing.py
TRAVEL_TO ?= 2027-01-01T00:30:00+01:00 2028-02-29T12:00:00+01:00 2027-10-31T02:59:45+02:00
DATE_TESTS ?= tests/test_timetravel.py tests/test_billing.py tests/test_invoicing.py \
	tests/test_invoicing_concurrency.py tests/test_suspension.py tests/test_mail_queue.py \
	tests/test_mail_sender.py tests/test_mail_cli.py tests/test_mail_templates.py \
	tests/test_audit_history.py tests/test_notes.py tests/test_cli.py tests/test_contacts_services.py \
	tests/test_statements_parsers.py
# On SQLite only: what these runs test is the Python side's clock (no SQL reads the time or
# casts to dates), and PostgreSQL's per-test set-up would triple the time; the main run covers
# both databases. Left to the main run too, as they prove no date: the SIGKILL test (20 kills),
# the database-outage tests of the sender, the CLI's import and start-up subprocess tests, and
# the tests that start a time-shifted run of their own.
DATE_SKIP := $(addprefix --deselect tests/, \
	test_mail_queue.py::test_sigkilled_sender_loses_nothing_and_duplicates_at_most_one_per_kill \
	test_mail_queue.py::test_outcomes_whose_commit_fails_are_held_and_recorded_once_the_database_is_back \
	test_mail_queue.py::test_clean_stop_gives_back_claimed_messages \
	test_cli.py::test_bad_config_file_subprocess test_cli.py::test_missing_database_subprocess \
	test_cli.py::test_domain_never_imports_textual test_cli.py::test_help_does_not_import_heavy_modules \
	test_timetravel.py::test_a_subprocess_and_its_child_live_at_the_destination \
	test_timetravel.py::test_a_test_that_reads_the_real_date_fails_in_a_shifted_run)
DATE_ARGS ?= -n 2 -q -p no:cacheprovider -k "not postgresql" $(DATE_SKIP) \
	-W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning"

test-dates: $(STAMP)
	@failed=""; for at in $(TRAVEL_TO); do \
	  echo "=== test-dates: the clock at $$at ==="; start=$$(date +%s); \
	  if env -u ISPTERM_TEST_TRAVEL_T0 ISPTERM_TEST_TRAVEL=$$at \
	      PYTHONPATH="$(CURDIR)/tests/timetravel$${PYTHONPATH:+:$$PYTHONPATH}" \
	      $(PY) -m pytest $(DATE_ARGS) $(DATE_TESTS); then \
	    echo "=== test-dates: $$at passed ($$(( $$(date +%s) - start )) s) ==="; \
	  else \
	    echo "=== test-dates: $$at FAILED ($$(( $$(date +%s) - start )) s) ==="; failed="$$failed $$at"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "=== test-dates failed at:$$failed ==="; exit 1; fi

bench: $(STAMP)
	$(PY) -m tests.bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
