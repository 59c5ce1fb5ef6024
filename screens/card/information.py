"""Information tab (INF): every field of the card grouped as the seeds group them, contact
persons (INF-7), services with IPs (INF-11), and the lifecycle actions (INF-9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ispterm.operators.roles import CUSTOMER_DELETE, CUSTOMER_EDIT, CUSTOMER_LIFECYCLE
from screens.card.base import CardTab
from screens.widgets.fields import field_block
from screens.widgets.render import day, local, money

if TYPE_CHECKING:
    from ispterm.context import Ctx
    from ispterm.customers.card import CustomerCard

CONTACT_FORM = [("name", "Name", ""), ("position", "Position", ""), ("email", "E-mail", ""),
                ("phone", "Phone", ""), ("mobile", "Mobile", ""),
                ("billing_default", "Billing contact", "yes/no"),
                ("portal_access", "Portal access", "yes/no"),
                ("portal_level", "Portal level", "Basic, Invoices, Full"), ("note", "Note", "")]


class ContactsTable(DataTable):
    BINDINGS = [
        Binding("a,insert", "add", "Add contact", id="contacts.add"),
        Binding("enter,e", "edit", "Edit contact", id="contacts.edit"),
        Binding("d,delete", "delete", "Delete contact", id="contacts.delete"),
        Binding("w", "contact_mail", "Contact mail", id="contacts.mail", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit", "delete"):
            if not self.app.can(CUSTOMER_EDIT):  # type: ignore[attr-defined]
                return False
            if action != "add" and not self.row_count:
                return None
        if action == "contact_mail" and not (self.tab.loaded and self.tab.card.contacts):
            return None
        return True

    def action_add(self) -> None:
        self.tab.contact_form(None)

    def action_edit(self) -> None:
        if self.row_count:
            self.tab.contact_form(self.selected())

    def action_delete(self) -> None:
        if self.row_count:
            self.tab.delete_contact(self.selected())

    def action_contact_mail(self) -> None:
        """Welcome, password reset, statement, a mail or the history for this contact (MSG-6)."""
        from screens.dialogs.contact_mail import open_contact_mail

        if self.tab.loaded and self.tab.card.contacts:
            open_contact_mail(self.tab, self.selected())

    @property
    def tab(self) -> InformationTab:
        return next(a for a in self.ancestors if isinstance(a, InformationTab))

    def selected(self) -> Any:
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return next(c for c in self.tab.card.contacts if str(c.id) == key)


class InformationTab(CardTab):
    BINDINGS = [
        Binding("e", "edit", "Edit", id="info.edit"),
        Binding("l", "lifecycle", "Lifecycle", id="info.lifecycle"),
        Binding("c", "contacts", "Contacts", id="info.contacts"),
    ]

    card: CustomerCard

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-scroll"):
            yield Static("Loading…", id="info-main")
            yield Static(Text("Contact persons", style="bold underline"), classes="section-title")
            yield ContactsTable(id="contacts", cursor_type="row")
            yield Static("", id="info-more")

    def on_mount(self) -> None:
        table = self.query_one(ContactsTable)
        for label, width in (("Name", 22), ("Position", 12), ("E-mail", 24), ("Phone", 14),
                             ("Billing", 7), ("Portal", 8)):
            table.add_column(label, width=width)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.app.can(CUSTOMER_EDIT)  # type: ignore[attr-defined]
        if action == "lifecycle":
            return self.app.can(CUSTOMER_LIFECYCLE) or self.app.can(CUSTOMER_DELETE)  # type: ignore[attr-defined]
        return True

    def fetch(self, ctx: Ctx) -> CustomerCard:
        from ispterm.customers.service import get_card

        return get_card(ctx, self.number)

    def show(self, card: CustomerCard) -> None:
        self.card = card
        self.query_one("#info-main", Static).update(_main(card))
        self.query_one("#info-more", Static).update(_more(card))
        table = self.query_one(ContactsTable)
        table.clear()
        for c in card.contacts:
            table.add_row(c.name, c.position or "", c.email or "", c.mobile or c.phone or "",
                          "yes" if c.billing_default else "",
                          (c.portal_level or "yes") if c.portal_access else "", key=str(c.id))
        if not card.contacts:
            table.add_row(Text("none; press a to add", style="dim"), "", "", "", "", "", key="-")
        self.refresh_bindings()

    # Editing ------------------------------------------------------------------------------

    def action_edit(self) -> None:
        if not self.loaded:
            return
        from ispterm.customers import service

        self.call_service(service.form_fields, billing=False, done=self._open_form, reload=False,
                          hold_keys=True)

    def _open_form(self, fields: list[Any]) -> None:
        from ispterm.customers import service
        from ispterm.customers.fields import form_text
        from screens.dialogs.edit_form import EditForm

        card = self.card
        values = {f.name: form_text(card, f.name) for f in fields}
        form = EditForm(
            f"Edit customer {card.number}", fields, values,
            save=lambda ctx, changed: service.update(ctx, card.number, changed,
                                                     expected_version=card.version),
            validate=lambda ctx, vals: service.validate(ctx, card.number, vals),
            owner=self.screen,
        )
        self.app.push_screen(form, self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.notify(f"Customer {self.number} saved")
            self.screen.refresh_card()  # type: ignore[attr-defined]

    def action_contacts(self) -> None:
        self.query_one(ContactsTable).focus()

    def contact_form(self, contact: Any | None) -> None:
        from types import SimpleNamespace

        from ispterm.customers import contacts
        from screens.dialogs.edit_form import EditForm

        fields = [SimpleNamespace(name=n, label=lbl, group="contact person", help=h)
                  for n, lbl, h in CONTACT_FORM]
        if contact is None:
            values: dict[str, str] = {}
            title = "New contact person"
            save = lambda ctx, changed: contacts.add_contact(ctx, self.number, changed)  # noqa: E731
        else:
            values = {"name": contact.name, "position": contact.position or "",
                      "email": contact.email or "", "phone": contact.phone or "",
                      "mobile": contact.mobile or "",
                      "billing_default": "yes" if contact.billing_default else "no",
                      "portal_access": "yes" if contact.portal_access else "no",
                      "portal_level": contact.portal_level or "", "note": contact.note or ""}
            title = f"Edit contact {contact.name}"
            save = lambda ctx, changed: contacts.edit_contact(  # noqa: E731
                ctx, contact.id, changed, expected_version=contact.version)
        self.app.push_screen(EditForm(title, fields, values, save=save, owner=self.screen),
                             self._after_form)

    def delete_contact(self, contact: Any) -> None:
        from ispterm.customers import contacts
        from screens.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(contacts.delete_contact, contact.id,
                                  expected_version=contact.version,
                                  done=lambda _r: self.notify(f"Contact {contact.name} deleted"))

        self.app.push_screen(ConfirmDialog("Delete contact", f"Delete contact person {contact.name}?",
                                           yes="Delete", danger=True), answered)

    # Lifecycle (INF-9) ---------------------------------------------------------------------

    def action_lifecycle(self) -> None:
        if not self.loaded:
            return
        from screens.dialogs.lifecycle import LifecycleMenu

        self.app.push_screen(LifecycleMenu(self.card, self.app.can), self._lifecycle_chosen)  # type: ignore[attr-defined]

    def _lifecycle_chosen(self, choice: str | None) -> None:
        if not choice:
            return
        from screens.dialogs import lifecycle

        lifecycle.run(self, self.card, choice)


def _main(c: CustomerCard) -> Group:
    v = c.values
    gps = None
    if c.gps_dms:
        gps = Text(f"{c.gps_dms}  ({v['gps_lat']}, {v['gps_lon']})  ")
        if c.map_url:
            gps.append("map", style=f"underline link {c.map_url}")
    blocks = [
        field_block("Customer", [
            ("Number", str(c.number)), ("Legal form", v["legal_form"]), ("Name", v["name"]),
            ("Representative", v["representative"]),
            ("Status", f"{c.status}: {c.suspension_hint}" if c.suspension_hint else c.status),
            ("Groups", ", ".join(c.groups)), ("Marks", ", ".join(m.name for m in c.marks)),
            ("Managers", ", ".join(c.managers)), ("Campaign", v["campaign"]),
            ("Parent account", c.parent_number), ("Child accounts", ", ".join(map(str, c.alias_numbers))),
            ("Disconnect on", day(c.disconnect_on)),
        ]),
        field_block("Contact", [
            ("E-mail", v["email"]), ("Billing e-mail", v["billing_email"] or (f"(main) {v['email']}" if v["email"] else None)),
            ("Technical e-mail", v["tech_email"]), ("Business e-mail", v["business_email"]),
            ("Further e-mails", v["other_emails"]), ("Phone", v["phone"]),
            ("Mobile (SMS)", v["mobile"]), ("WWW", v["www"]),
        ]),
        field_block("Service address", [
            ("Street", v["street"]), ("City", v["city"]), ("ZIP", v["zip"]), ("Country", v["country"]),
            ("Floor", v["floor"]), ("Flat", v["flat"]), ("GPS", gps),
        ]),
        field_block("Mailing address", [
            ("Street", v["mail_street"]), ("City", v["mail_city"]), ("ZIP", v["mail_zip"]),
            ("Country", v["mail_country"]),
        ]),
        field_block("Portal", [
            ("Login", v["portal_login"]), ("Force password change", v["portal_force_change"]),
            ("Last login", local(c.portal_last_login) or "never"),
        ]),
    ]
    return Group(*[b for b in blocks if b is not None])


def _more(c: CustomerCard) -> Group:
    out: list[Any] = [Text("")]
    services = [s for s in c.services]
    out.append(Text("Services", style="bold underline"))
    if not services:
        out.append(Text("no services", style="dim"))
    for s in services:
        line = Text()
        line.append(f"{s.plan}", style="bold")
        line.append(f"  {money(s.price).plain} incl. {s.vat_rate}% VAT")
        line.append("  active" if s.active else "  inactive", style="" if s.active else "dim")
        if s.started_on:
            line.append(f"  since {day(s.started_on)}")
        if s.dns:
            line.append(f"  DNS {s.dns}")
        out.append(line)
        for ip in s.ips:
            ip_line = Text("    ")
            ip_line.append(ip.address, style=ip.color or "")
            if ip.mac:
                ip_line.append(f"  MAC {ip.mac}")
            out.append(ip_line)
    extra = field_block("Inventory", [(i.name, f"{i.quantity} × {money(i.cost).plain}"
                                       + (f"  s/n {i.serial}" if i.serial else ""))
                                      for i in c.inventory]
                        + ([("Total", money(c.inventory_total).plain)] if c.inventory else [])
                        + [("CATV socket", c.values["catv_socket"])])
    out.append(Text(""))
    if extra is not None:
        out.append(extra)
    additional = field_block("Additional fields", list(c.extras.items()))
    if additional is not None:
        out.append(additional)
    out.append(field_block("Record", [
        ("Added", f"{local(c.created_at)} by {c.created_by or '-'}"),
        ("Last change", f"{local(c.updated_at)} by {c.updated_by or '-'}"),
        ("Version", str(c.version)),
    ]))
    return Group(*out)
