"""The settings screen (OPS-2): system settings and code lists, read by all, changed with
``settings.edit``.

Values are typed as text and parsed by the settings service, so the rules (whole number, at
least 0, a phone region, an e-mail) are the same here as in ``ispterm settings set``; a bad
value stays in the prompt with the service's reason and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    Label,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)

from ispterm.operators.roles import SETTINGS_EDIT
from screens.dialogs.modal import Dialog
from screens.widgets.footer import KeyFooter
from screens.widgets.tables import add_rows
from screens.work import Loads, call_service

if TYPE_CHECKING:
    from ispterm.settings.service import Code, SettingView

def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in ("", None):
        return "(empty)"
    return str(value)


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ValuePrompt(Dialog[Any]):
    """One value typed as text; the caller's ``save(text)`` answers ``saved``/``failed``."""

    DEFAULT_CSS = """
    ValuePrompt #prompt-help { height: auto; color: $text-muted; }
    ValuePrompt #prompt-error { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+s,ctrl+enter,ctrl+j", "save", "Save", id="prompt.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, help_text: str, value: str, save: Callable[[str], None]) -> None:
        super().__init__()
        self.title_text = title
        self.help_text = help_text
        self.initial = value
        self.save = save
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="value-prompt"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.help_text, id="prompt-help")
            yield Input(self.initial, id="prompt-value")
            yield Static("", id="prompt-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", id="prompt-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="prompt-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#prompt-value", Input).focus()

    @on(Input.Submitted, "#prompt-value")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "prompt-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.query_one("#prompt-error", Static).update("")
        self.save(self.query_one("#prompt-value", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def saved(self, result: Any) -> None:
        self.dismiss(result)

    def failed(self, error: Exception) -> bool:
        from ispterm.errors import ValidationError

        self.saving = False
        if isinstance(error, ValidationError):
            self.query_one("#prompt-error", Static).update(f"✗ {error.why}")
            value = self.query_one("#prompt-value", Input)
            value.add_class("-invalid")
            value.focus()
            return True
        return False


class SettingsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="settings.back"),
        Binding("1", "pane('settings-system')", "System", id="settings.pane.system", show=False),
        Binding("2", "pane('settings-codes')", "Code lists", id="settings.pane.codes", show=False),
        Binding("left_square_bracket,right_square_bracket", "other_pane", "Other pane",
                id="settings.pane.other", show=False),
        Binding("e", "edit", "Edit value", id="settings.edit"),
        Binding("a", "add_code", "Add item", id="settings.add_code"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loads = Loads(self)
        self.settings: list[SettingView] = []
        from ispterm.settings.service import CODE_KINDS

        self.codes: list[Code] = []
        self.kinds: tuple[str, ...] = CODE_KINDS
        self.kind = CODE_KINDS[0]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="settings-tabs"):
            with TabPane("System settings", id="settings-system"):
                table: DataTable = DataTable(id="settings-table", cursor_type="row", zebra_stripes=True)
                table.add_column("Setting", key="key")
                table.add_column("Value", key="value")
                table.add_column("Meaning", key="help")
                yield table
                yield Static("", id="setting-detail", classes="muted")
            with TabPane("2 Code lists", id="settings-codes"):
                with Horizontal():
                    yield OptionList(*[k.replace("_", " ") for k in self.kinds], id="code-kinds")
                    codes: DataTable = DataTable(id="codes-table", cursor_type="row", zebra_stripes=True)
                    codes.add_column("Name", key="name")
                    codes.add_column("Colour", key="color")
                    codes.add_column("Default", key="default")
                    codes.add_column("Tag", key="tag")
                    codes.add_column("On card", key="card")
                    yield codes
        yield KeyFooter()

    DEFAULT_CSS = """
    SettingsScreen #settings-table { height: 1fr; }
    SettingsScreen #setting-detail { height: auto; max-height: 3; padding: 0 1; }
    SettingsScreen #code-kinds { width: 18; height: 1fr; }
    SettingsScreen #codes-table { width: 1fr; height: 1fr; }
    """

    def on_mount(self) -> None:
        self.sub_title = "Settings" + ("" if self.app.can(SETTINGS_EDIT) else " (read only)")  # type: ignore[attr-defined]
        self.query_one("#settings-table", DataTable).focus()
        self.query_one("#code-kinds", OptionList).highlighted = 0
        self.load_settings()
        self.load_codes(self.kind)

    # Loading ------------------------------------------------------------------------------

    def load_settings(self) -> None:
        self.loads.start("settings", _settings_list, self._show_settings)

    def load_codes(self, kind: str) -> None:
        # One key for every kind: the answer for a kind the operator has moved past is dropped.
        self.loads.start("codes", lambda ctx: _codes_list(ctx, kind), self._show_codes)

    def _show_settings(self, settings: list[SettingView]) -> None:
        table = self.query_one("#settings-table", DataTable)
        row = table.cursor_row
        self.settings = settings
        table.clear()
        values = [cut(shown(s.value), 24) + ("" if s.value == s.default else " *") for s in settings]
        # The meaning gets what is left of the width (it is shown in full below the table).
        used = max((len(s.key) for s in settings), default=0) + max(map(len, values), default=0) + 8
        help_width = max(16, table.size.width - used)
        add_rows(table, ((s.key, (s.key, value, cut(s.help, help_width)))
                         for s, value in zip(settings, values, strict=True)))
        if settings:
            table.move_cursor(row=min(row, len(settings) - 1), animate=False)
        self._setting_detail()

    def _show_codes(self, codes: list[Code]) -> None:
        table = self.query_one("#codes-table", DataTable)
        self.codes = codes
        table.clear()
        add_rows(table, ((str(c.id), (c.name, c.color or "", "yes" if c.is_default else "",
                                      c.tag or "", "yes" if c.customer_field else ""))
                         for c in codes))

    def current_setting(self) -> SettingView | None:
        table = self.query_one("#settings-table", DataTable)
        row = table.cursor_row
        return self.settings[row] if self.settings and 0 <= row < len(self.settings) else None

    @on(DataTable.RowHighlighted, "#settings-table")
    def _setting_moved(self, _event: DataTable.RowHighlighted) -> None:
        self._setting_detail()

    def _setting_detail(self) -> None:
        s = self.current_setting()
        detail = self.query_one("#setting-detail", Static)
        if s is None:
            detail.update("")
            return
        who = f" · last set by {s.updated_by}" if s.updated_by else ""
        detail.update(f"{s.key} = {shown(s.value)} (default {shown(s.default)}){who}\n{s.help}"
                      "\n* marks a value changed from its default")

    @on(OptionList.OptionHighlighted, "#code-kinds")
    def _kind_chosen(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.kind = self.kinds[event.option_index]
        self.load_codes(self.kind)

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, _event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#settings-table")
    def _setting_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.app.can(SETTINGS_EDIT):  # type: ignore[attr-defined]
            self.action_edit()

    # Actions ------------------------------------------------------------------------------

    def _pane(self) -> str:
        return self.query_one("#settings-tabs", TabbedContent).active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.app.can(SETTINGS_EDIT) and self._pane() == "settings-system"  # type: ignore[attr-defined]
        if action == "add_code":
            return self.app.can(SETTINGS_EDIT) and self._pane() == "settings-codes"  # type: ignore[attr-defined]
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_pane(self, pane: str) -> None:
        self.query_one("#settings-tabs", TabbedContent).active = pane
        target = "#settings-table" if pane == "settings-system" else "#code-kinds"
        self.query_one(target).focus()

    def action_other_pane(self) -> None:
        self.action_pane("settings-codes" if self._pane() == "settings-system" else "settings-system")

    def action_edit(self) -> None:
        setting = self.current_setting()
        if setting is None:
            return
        raw = "" if setting.value in ("", None) else shown(setting.value)

        def save(text: str) -> None:
            from ispterm.settings.service import set_setting

            call_service(self, set_setting, setting.key, text, done=self._changed(prompt),
                         on_error=prompt.failed)

        prompt = ValuePrompt(f"Set {setting.key}", f"{setting.help}\nDefault: {shown(setting.default)}",
                             raw, save)
        self.app.push_screen(prompt)

    def action_add_code(self) -> None:
        kind = self.kind

        def save(text: str) -> None:
            from ispterm.settings.service import add_code

            call_service(self, add_code, kind, text, done=self._changed(prompt), on_error=prompt.failed)

        prompt = ValuePrompt(f"New {kind.replace('_', ' ')}",
                             f"Name of the new item in the {kind.replace('_', ' ')} list.", "", save)
        self.app.push_screen(prompt)

    def _changed(self, prompt: ValuePrompt) -> Callable[[Any], None]:
        def done(result: Any) -> None:
            prompt.saved(result)
            self.notify("Saved.", timeout=3)
            self.load_settings()
            self.load_codes(self.kind)

        return done


def _settings_list(ctx: Any) -> list[SettingView]:
    from ispterm.settings.service import list_settings

    return list_settings(ctx)


def _codes_list(ctx: Any, kind: str) -> list[Code]:
    from ispterm.settings.service import list_codes

    return list_codes(ctx, kind)
