"""Bank statement import (BIL-8): a file, its format (or auto), a CSV preset, optionally a dry run.

The import runs in a worker thread; the importer's ``progress(stage, done, total)`` callback
feeds the progress bar. Afterwards the summary (new, matched, unmatched, duplicates, outgoing
skipped) and every imported line are shown; a malformed file shows the line or element at
fault, and nothing was imported (the service parses the whole file before writing).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, ProgressBar, Select, Static

from screens.widgets.footer import KeyFooter
from screens.widgets.labels import error_text
from screens.widgets.marked import MarkedCheckbox
from screens.widgets.render import day, money

FORMATS = [("auto-detect", "auto"), ("camt.053 (ISO 20022 XML)", "camt053"), ("ABO / GPC", "gpc"),
           ("CSV", "csv")]
PRESETS = [("auto", "auto"), ("Fio banka", "fio"), ("generic", "generic")]
IMPORT_LABEL = "Import for real (ctrl+s)"
DRY_LABEL = "Dry run: check only (ctrl+s)"
STAGES = {"parse": "Reading the file", "write": "Writing payments", "allocate": "Settling invoices"}


class BillingImportScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "start", "Import", id="import.start"),
        Binding("escape", "back", "Back", id="import.back"),
        # Not ctrl+u: in the path box that deletes to the start of the line (and F6 is the
        # unmatched payments on the list too).
        Binding("f6", "unmatched", "Unmatched", id="import.unmatched"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.start_path = path
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import-form"):
            with Horizontal(classes="form-row"):
                yield Label("Statement file", classes="form-label")
                yield Input(self.start_path, id="import-path",
                            placeholder="path to a camt.053 XML, ABO/GPC or CSV file")
            with Horizontal(classes="form-row"):
                yield Label("Format", classes="form-label")
                yield Select(FORMATS, value="auto", allow_blank=False, id="import-format")
                yield Label("CSV preset", classes="form-label import-label2")
                yield Select(PRESETS, value="auto", allow_blank=False, id="import-preset")
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                yield MarkedCheckbox("Dry run", id="import-dry")
                yield Button(IMPORT_LABEL, id="import-start", variant="primary")
        # Hidden until an import starts: an idle bar with no total pulses as if working.
        bar = ProgressBar(total=None, show_eta=False, id="import-progress")
        bar.display = False
        yield bar
        yield Static(ready_text(False), id="import-status")
        yield DataTable(id="import-lines", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Import a bank statement"
        table = self.query_one("#import-lines", DataTable)
        for label, width in (("Where", 12), ("Date", 10), ("Amount", 11), ("VS", 10),
                             ("Counterparty", 22), ("Customer / why not", 40)):
            table.add_column(label, width=width)
        self.query_one("#import-path", Input).focus()

    @on(Input.Submitted, "#import-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    @on(MarkedCheckbox.Changed, "#import-dry")
    def _mode_changed(self, event: MarkedCheckbox.Changed) -> None:
        """The mode is said in words in three places: the box, the button and the status."""
        self.query_one("#import-start", Button).label = DRY_LABEL if event.value else IMPORT_LABEL
        if not self.running:
            self._status(ready_text(event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        if self.running:
            return
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            self._status(Text("Name the statement file first.", style="bold red"))
            return
        fmt = self.query_one("#import-format", Select).value
        preset = self.query_one("#import-preset", Select).value
        dry = self.query_one("#import-dry", MarkedCheckbox).value
        self.running = True
        self.query_one("#import-lines", DataTable).clear()
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._status(Text("Checking (dry run, nothing is written)…" if dry else "Importing…"))
        self.run_import(path, None if fmt == "auto" else str(fmt),
                        None if preset == "auto" else str(preset), bool(dry))

    @work(thread=True, exclusive=True, group="import", name="statement import")
    def run_import(self, path: str, fmt: str | None, preset: str | None, dry: bool) -> None:
        from ispterm.billing.statements.csvfile import layout
        from ispterm.billing.statements.importer import import_file
        from ispterm.errors import IsptermError

        ctx = self.app.wait_ctx()  # type: ignore[attr-defined]
        try:
            result = import_file(ctx, path, fmt=fmt, dry_run=dry, progress=self._progress,
                                 csv_layout=layout(preset) if preset else None)
        except IsptermError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._done, result)

    def _progress(self, stage: str, done: int, total: int) -> None:
        """Called by the importer in the worker thread."""
        self.app.call_from_thread(self._advance, stage, done, total)

    def _advance(self, stage: str, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(total, 1), progress=done)
        self._status(Text(f"{STAGES.get(stage, stage)}… {done}/{total}"))

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self.query_one("#import-progress", ProgressBar).update(total=1, progress=0)
        text = Text("Not imported: ", style="bold red")
        text.append(error_text(exc))
        text.append("\nNothing was written; fix the file or the options and try again.", style="dim")
        self._status(text)

    def _done(self, r: Any) -> None:
        self.running = False
        self.query_one("#import-progress", ProgressBar).update(total=1, progress=1)
        self._status(summary(r))
        table = self.query_one("#import-lines", DataTable)
        for ln in r.lines:
            if ln.customer_number is not None:
                who = Text(f"customer {ln.customer_number}")
            else:
                who = Text(ln.reason or "unmatched", style="dim" if ln.duplicate else "yellow")
            table.add_row(ln.where, day(ln.received_on), money(ln.amount), ln.vs or "",
                          ln.counterparty or "", who)
        if r.unmatched and not r.dry_run:
            key = self.app.get_key_display(self._unmatched_binding())
            what = "1 payment is" if r.unmatched == 1 else f"{r.unmatched} payments are"
            self.notify(f"{what} unmatched: {key} assigns them", timeout=8)

    def _status(self, text: Text) -> None:
        self.query_one("#import-status", Static).update(text)

    def _unmatched_binding(self) -> Binding:
        """The unmatched payments' binding as configured (a keymap may move it)."""
        for _key, active in self.active_bindings.items():
            if active.binding.action == "unmatched":
                return active.binding
        return Binding("f6", "unmatched", id="import.unmatched")

    def action_unmatched(self) -> None:
        from screens.unmatched import UnmatchedScreen

        self.app.push_screen(UnmatchedScreen())

    def action_back(self) -> None:
        if not self.running:
            self.dismiss()


def ready_text(dry: bool) -> Text:
    if dry:
        return Text("Dry run is on: ctrl+s checks the file and shows what would be imported; "
                    "nothing is written.")
    text = Text("Dry run is off: ctrl+s imports the payments for real. ")
    text.append("Tick Dry run (space) to check first.", style="dim")
    return text


def summary(r: Any) -> Text:
    """The counts an operator checks after an import, in words (no colour needed to read them)."""
    text = Text()
    if r.already_imported_at is not None:
        text.append(f"{r.file_name} was already imported by {r.already_imported_by} "
                    f"on {r.already_imported_at:%Y-%m-%d %H:%M}: nothing added.\n", style="bold")
    head = "Dry run, nothing written" if r.dry_run else "Imported"
    text.append(f"{head}: {r.file_name} ({r.format}"
                + (f", account {r.account}" if r.account else "") + ")\n", style="bold")
    text.append(f"{r.imported} new payments ({money(r.total).plain}) · {r.matched} matched · ")
    text.append(f"{r.unmatched} unmatched", style="bold yellow" if r.unmatched else "")
    text.append(f" · {r.duplicates} duplicates · {r.outgoing} outgoing skipped"
                + (f" · {r.other} not booked/reversed" if r.other else "")
                + (f" · {r.invoices_paid} invoices paid" if r.invoices_paid else ""))
    return text
