"""The demo builder's activity around each customer: notes (private ones, alerts, deleted
ones), tasks, the communication log, portal logins and the history rows, which end in each
field's current value."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ispterm.sample.common import timestamp
from ispterm.sample.demo_state import ANCHOR, DemoState, mobile_number
from ispterm.sample.reference import (
    FAULTS,
    MUNICIPAL,
    NETWORK_TASKS,
    NOTES,
    PLACED_PRIVATE_NOTES,
    PLANS,
    PRIVATE_NOTES,
    TOWNS,
)

# =========================================================================== notes


def _note(d: DemoState, c: dict, text: str, *, author: str | None = None, private: bool = False,
          alert: bool = False, when: tuple[date, str] | None = None) -> None:
    """Add a note at ``when`` (a random time while a customer by default)."""
    _day, at = when or d.rand_time(c)
    author = author or d.rng.choice(["jana", "support1", "support1", "petr", "tech1"])
    c["notes"].append({"author": author, "text": text, "private": private, "alert": alert,
                       "created_at": at, "updated_at": at})


def notes(d: DemoState, c: dict) -> None:
    """A few ordinary notes, a reminder for those who owe, and the odd private note or alert."""
    rng = d.rng
    c["notes"] = []
    roll = rng.random()
    count = 0 if roll < 0.35 else 1 if roll < 0.65 else rng.randint(2, 5)
    if c["status"] == "Potential":
        count = min(count, 1)
    for _ in range(count):
        _note(d, c, rng.choice(NOTES))
    if c.get("flat") and rng.random() < 0.15:
        _note(d, c, f"Key to the basement technical room is with the caretaker, flat {rng.randint(1, 20)}.")
    _reminder(d, c)
    if rng.random() < 0.05:
        _note(d, c, rng.choice(PRIVATE_NOTES), author=rng.choice(["jana", "petr", "support1", "tech1"]),
              private=True)
    _alerts(d, c)


def _reminder(d: DemoState, c: dict) -> None:
    """Non-payers and limited customers were reminded of their oldest open invoice."""
    rng = d.rng
    if c["status"] not in ("Non-payer", "Limited") or not c["invoices"]:
        return
    open_inv = [i for i in c["invoices"] if i["status"] == "issued"]
    if not open_inv:
        return
    inv = open_inv[0]
    due = date.fromisoformat(inv["due_on"])
    day = min(due + timedelta(days=rng.randint(10, 25)), ANCHOR - timedelta(days=1))
    _note(d, c, f"Reminder sent for invoice {inv['number']}; customer promised to pay by "
          f"{(day + timedelta(days=10)):%d.%m.%Y}.", author="jana", when=(day, d.when(day)))


def _alerts(d: DemoState, c: dict) -> None:
    """Alerts (shown when the card opens): dogs, hearing, moving away, municipalities, roofs."""
    rng = d.rng
    if rng.random() < 0.035 and c["status"] != "Potential":
        _note(d, c, "Dog on the premises — call before visit", alert=True,
              author=rng.choice(["tech1", "petr"]))
    if rng.random() < 0.02 and c.get("mobile"):
        _note(d, c, "Hard of hearing — send SMS instead of calling", alert=True)
    if c.get("disconnect_on"):
        day = date(2026, 10, rng.randint(5, 28))
        _note(d, c, "Moving away — the contract ends on 30.11.2026; collect the router after that.",
              author="support1", when=(day, d.when(day)))
    if c["name"].startswith(MUNICIPAL):
        _note(d, c, "Do not suspend — municipal office, contact the mayor first", alert=True,
              author="jana")
    if c.get("floor") and c["floor"] >= 6 and rng.random() < 0.3:
        _note(d, c, "Outdoor unit on the roof — ladder needed, two technicians", alert=True,
              author="petr")


def notes_extra(d: DemoState, customers: list[dict]) -> None:
    """Placed notes that tests and demos rely on (disputes, private notes, deletions)."""
    _disputes(d, customers)
    _placed_private_notes(d, customers)
    _deletions(d, customers)
    for c in customers:
        c["notes"].sort(key=lambda n: n["created_at"])


def _disputes(d: DemoState, customers: list[dict]) -> None:
    """Three customers dispute an invoice (an alert naming it)."""
    rng = d.rng
    candidates = [c for c in customers
                  if len([i for i in c["invoices"] if i["status"] != "cancelled"]) > 3]
    for c in rng.sample(candidates, 3):
        inv = rng.choice([i for i in c["invoices"] if i["status"] != "cancelled"][:-1])
        day = date.fromisoformat(inv["issued_on"]) + timedelta(days=rng.randint(3, 12))
        at = d.when(day)
        c["notes"].append({"author": "jana", "text": f"Customer disputes invoice {inv['number']}",
                           "private": False, "alert": True, "created_at": at, "updated_at": at})


def _placed_private_notes(d: DemoState, customers: list[dict]) -> None:
    """Private notes by several authors, so each operator has notes others may not see."""
    rng = d.rng
    live = [c for c in customers if c["status"] != "Potential" and not c.get("_deleted")]
    for author, text in PLACED_PRIVATE_NOTES:
        c = rng.choice(live)
        _day, at = d.rand_time(c)
        c["notes"].append({"author": author, "text": text, "private": True, "alert": False,
                           "created_at": at, "updated_at": at})


def _deletions(d: DemoState, customers: list[dict]) -> None:
    """A few notes deleted by their authors (alerts stay)."""
    rng = d.rng
    with_notes = [c for c in customers if c["notes"]]
    for c in rng.sample(with_notes, 6):
        note = rng.choice(c["notes"])
        if note.get("deleted_at") or note["alert"]:
            continue
        created = datetime.fromisoformat(note["created_at"])
        deleted = created + timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 5))
        if deleted.date() >= ANCHOR:
            continue
        note["deleted_at"] = deleted.isoformat()
        note["deleted_by"] = note["author"]
        note["updated_at"] = deleted.isoformat()
        note["updated_by"] = note["author"]


# =========================================================================== tasks


def tasks(d: DemoState, c: dict) -> None:
    """Installations of new customers, the odd fault repair and relocation."""
    c["tasks"] = []
    if c["status"] == "Potential":
        c["tasks"].append(_survey(d, c))
        return
    if c["_joined"] >= d.start - timedelta(days=10):
        c["tasks"].append(_installation(d, c))
    if d.rng.random() < 0.22:
        c["tasks"].append(_fault(d, c))
    if d.rng.random() < 0.02:
        _day, at = d.rand_time(c)
        c["tasks"].append({
            "type": "Relocation", "title": f"Move the service from {_address(c)}",
            "description": "New address to be confirmed by the customer.",
            "status": "waiting", "priority": "normal", "due_on": None,
            "created_at": at, "created_by": "support1", "updated_at": at,
            "updated_by": "support1", "closed_at": None, "assignees": ["petr"]})
    for task in c["tasks"]:
        if task["due_on"] is None:
            del task["due_on"]


def _address(c: dict) -> str:
    return f"{c['street']}, {c['city']}"


def _survey(d: DemoState, c: dict) -> dict:
    """A would-be customer's installation, still to be done."""
    rng = d.rng
    status = rng.choice(["new", "new", "in_progress", "waiting"])
    at = c["created_at"]
    due = ANCHOR + timedelta(days=rng.randint(3, 25))
    return {"type": "Installation", "title": f"Installation — {_address(c)}",
            "description": "New customer from the website form; survey the building first.",
            "status": status, "priority": "normal", "due_on": due.isoformat(),
            "created_at": at, "created_by": c["created_by"], "updated_at": at,
            "updated_by": c["created_by"], "closed_at": None,
            "assignees": [] if status == "new" else [rng.choice(["tech1", "petr"])]}


def _installation(d: DemoState, c: dict) -> dict:
    """The installation of a customer who joined within the two years, done."""
    rng = d.rng
    plan = c["services"][0]["plan"] if c["services"] else "Fiber 250"
    done = c["_joined"] + timedelta(days=rng.randint(3, 14))
    return {"type": "Installation", "title": f"Installation {plan} — {_address(c)}",
            "description": None, "status": "done", "priority": "normal",
            "due_on": done.isoformat(), "created_at": c["created_at"],
            "created_by": c["created_by"], "updated_at": d.when(done),
            "updated_by": "tech1", "closed_at": d.when(done),
            "assignees": rng.choice([["tech1"], ["petr"], ["tech1", "petr"]])}


def _fault(d: DemoState, c: dict) -> dict:
    """A reported fault: old ones are closed, recent ones may still be open."""
    rng = d.rng
    title, priority = rng.choice(FAULTS)
    day, at = d.rand_time(c)
    status = rng.choices(["done", "cancelled", "in_progress", "waiting", "new"],
                         weights=[70, 5, 10, 8, 7])[0]
    if day < ANCHOR - timedelta(days=45) and status != "cancelled":
        status = "done"
    closed = day + timedelta(days=rng.randint(0, 4))
    finished = status in ("done", "cancelled") and closed < ANCHOR
    closed_at = d.when(closed) if finished else None
    if closed_at is None and status in ("done", "cancelled"):
        status = "in_progress"
    return {"type": "Fault repair", "title": title,
            "description": ("Reported by phone." if rng.random() < 0.6
                            else "Reported in the portal."),
            "status": status, "priority": priority,
            "due_on": (day + timedelta(days=2)).isoformat(), "created_at": at,
            "created_by": rng.choice(["support1", "jana"]),
            "updated_at": closed_at or at,
            "updated_by": "tech1" if closed_at else "support1",
            "closed_at": closed_at,
            "assignees": [] if status == "new" else [rng.choice(["tech1", "petr"])]}


def network_tasks() -> list[dict]:
    """Maintenance of the network itself (tasks without a customer)."""
    out = []
    for title, day, status in NETWORK_TASKS:
        at = timestamp(day - timedelta(days=10), 8, 0)
        out.append({"customer": None, "type": "Network maintenance", "title": title,
                    "description": None, "status": status, "priority": "normal",
                    "due_on": day.isoformat(), "created_at": at, "created_by": "jana",
                    "updated_at": at, "updated_by": "jana",
                    "closed_at": timestamp(day, 14, 0) if status == "done" else None,
                    "assignees": ["petr", "tech1"]})
    return out


# =========================================================================== communication log


def communications(d: DemoState, c: dict) -> None:
    """The welcome mail, reminders of late invoices, fault calls and a few enquiries."""
    log: list[dict] = []
    if c["_joined"] >= d.start and c.get("email"):
        log.append({"channel": "email", "direction": "out", "at": d.when(c["_joined"]),
                    "operator": c["created_by"], "subject": "Welcome to Sítě Šumperk",
                    "body": "Thank you for choosing us. Your customer number is "
                            f"{c['number']}; use it as the variable symbol for payments.",
                    "status": "delivered"})
    log += _reminders(d, c)
    for task in c.get("tasks", []):
        if task["type"] == "Fault repair":
            log.append({"channel": "call", "direction": "in", "at": task["created_at"],
                        "operator": task["created_by"], "subject": task["title"],
                        "body": "Customer reported the fault; ticket created.",
                        "status": "answered"})
    log += _enquiries(d, c)
    log = [{k: v for k, v in entry.items() if v is not None} for entry in log]
    log.sort(key=lambda e: e["at"])
    c["communications"] = log


def _reminders(d: DemoState, c: dict) -> list[dict]:
    """A week after the due date of each of the last three late invoices: an SMS, or a mail
    (one in ten bounced) when there is no mobile."""
    rng = d.rng
    out = []
    late = [i for i in c["invoices"] if i["status"] == "issued"
            or i.get("paid_on", "") > i["due_on"]]
    for inv in late[-3:]:
        due = date.fromisoformat(inv["due_on"])
        day = due + timedelta(days=7)
        if day >= ANCHOR or inv.get("paid_on", "9999") <= day.isoformat():
            continue
        if c.get("mobile"):
            out.append({"channel": "sms", "direction": "out", "at": timestamp(day, 7, 0),
                        "operator": "system", "subject": None,
                        "body": f"Upominka: faktura {inv['number']} je po splatnosti, "
                                f"castka {inv['total']} Kc. Site Sumperk",
                        "status": "delivered"})
        elif c.get("email"):
            failed = rng.random() < 0.1
            out.append({"channel": "email", "direction": "out", "at": timestamp(day, 7, 0),
                        "operator": "system",
                        "subject": f"Payment reminder — invoice {inv['number']}",
                        "body": f"Invoice {inv['number']} of {inv['total']} CZK "
                                f"was due on {due:%d.%m.%Y}.",
                        "status": "failed" if failed else "sent",
                        "ref": "550 5.1.1 mailbox unavailable" if failed else None})
    return out


def _enquiries(d: DemoState, c: dict) -> list[dict]:
    """Up to two calls, mails or portal messages about invoices, upgrades and the like."""
    rng = d.rng
    out = []
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        _day, at = d.rand_time(c)
        channel = rng.choice(["call", "call", "email", "portal"])
        subject = rng.choice(["Question about the invoice", "Upgrade enquiry",
                              "Change of contact details", "Planned maintenance"])
        out.append({"channel": channel, "direction": "in" if channel != "email" else "out",
                    "at": at, "operator": rng.choice(["support1", "jana"]),
                    "subject": subject, "body": None,
                    "status": {"call": "answered", "portal": "received"}.get(channel, "sent")})
    return out


def portal_logins(d: DemoState, c: dict) -> None:
    """Logins to the customer portal (one in ten failed) for four customers in ten."""
    rng = d.rng
    c["portal_logins"] = []
    if c["status"] == "Potential" or rng.random() < 0.6:
        return
    for _ in range(rng.randint(1, 5)):
        _day, at = d.rand_time(c)
        ok = rng.random() < 0.9
        address = f"89.{rng.randint(100, 190)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        c["portal_logins"].append({"at": at, "address": address, "success": ok})
    c["portal_logins"].sort(key=lambda p: p["at"])
    good = [p for p in c["portal_logins"] if p["success"]]
    if good:
        c["portal_last_login"] = good[-1]["at"]
        c["portal_force_change"] = False


# =========================================================================== history


class _History:
    """The customer's history rows as they are built, with the window changes fall in."""

    def __init__(self, d: DemoState, c: dict) -> None:
        self.d = d
        self.c = c
        self.rows: list[dict] = []
        self.window_start = max(d.start, c["_joined"] + timedelta(days=1))
        self.end = c.get("_ended") or ANCHOR

    def add(self, row: dict) -> None:
        self.rows.append(row)

    def change(self, field: str, old: Any, new: Any, day: date, operator: str | None = None,
               entity: str = "customer", ref: int | None = None) -> None:
        """An update of ``field`` from ``old`` to ``new`` during ``day``."""
        row = {"at": self.d.when(day),
               "operator": operator or self.d.rng.choice(["jana", "support1"]),
               "entity": entity, "action": "update", "field": field,
               "old": None if old is None else str(old), "new": None if new is None else str(new)}
        if ref is not None:
            row["ref"] = ref
        self.rows.append(row)


def history(d: DemoState, c: dict) -> None:
    """Audit rows consistent with the record as it is now: the latest change of a field
    ends in its current value."""
    h = _History(d, c)
    h.add({"at": c["created_at"], "operator": c["created_by"], "entity": "customer",
           "action": "create", "summary": f"customer {c['number']} added"})
    _status_changes(h, c)
    if "_upgrade" in c:
        up_on, old_plan, _started = c["_upgrade"]
        service = c["services"][0]
        h.change("plan", old_plan, service["plan"], up_on, "petr", "service", 0)
        h.change("price", PLANS[old_plan][0], service["price"], up_on, "petr", "service", 0)
    if h.window_start < h.end:
        _field_changes(h, c)
    if c.get("vs_alt1"):
        day = d.rand_day(h.window_start, h.end) if h.window_start < h.end else c["_joined"]
        h.change("vs_alt1", None, c["vs_alt1"], day, "jana")
    _record_rows(h, c)
    if c.get("_deleted"):
        day = min((c.get("_ended") or ANCHOR) + timedelta(days=60), ANCHOR - timedelta(days=1))
        at = d.when(day)
        c["deleted_at"] = at
        h.add({"at": at, "operator": "jana", "entity": "customer", "action": "delete",
               "field": "deleted_at", "old": None, "new": at})
    rows = sorted(h.rows, key=lambda r: r["at"])
    c["history"] = rows
    updates = [r for r in rows if r["entity"] == "customer" and r["action"] != "create"]
    c["version"] = 1 + len(updates)
    last = updates[-1] if updates else rows[0]
    c["updated_at"], c["updated_by"] = last["at"], last["operator"]


def _status_changes(h: _History, c: dict) -> None:
    """Status moves that match the unpaid invoices; disconnection ends the services."""
    open_inv = [i for i in c["invoices"] if i["status"] == "issued"]
    if c["status"] in ("Limited", "Non-payer") and open_inv:
        first_due = date.fromisoformat(open_inv[0]["due_on"])
        limited_on = min(first_due + timedelta(days=14), ANCHOR - timedelta(days=20))
        h.change("status", "Connected", "Limited", limited_on, "system")
        if c["status"] == "Non-payer":
            h.change("status", "Limited", "Non-payer",
                     min(limited_on + timedelta(days=30), ANCHOR - timedelta(days=2)), "jana")
    elif c["status"] == "Limited":
        h.change("status", "Connected", "Limited", h.d.rand_day(h.window_start, h.end), "jana")
    if c["status"] == "Disconnected" and "_ended" in c:
        h.change("status", "Connected", "Disconnected", c["_ended"], "jana")
        for k in range(len(c["services"])):
            h.change("active", True, False, c["_ended"], "jana", "service", k)
            h.rows[-1]["old"], h.rows[-1]["new"] = "yes", "no"
        if c.get("former"):
            moved = min(c["_ended"] + timedelta(days=30), ANCHOR - timedelta(days=1))
            h.change("former", "no", "yes", moved, "jana")


def _field_changes(h: _History, c: dict) -> None:
    """Up to three fields changed by hand at some point, each ending in its current value."""
    rng = h.d.rng
    fields = list(_FIELD_CHANGES)
    for field in rng.sample(fields, rng.choice([0, 0, 1, 1, 2, 3])):
        day = h.d.rand_day(h.window_start, h.end)
        _FIELD_CHANGES[field](h, c, day)


def _email_change(h: _History, c: dict, day: date) -> None:
    if c.get("email") and c["legal_form"] == "person":
        first = c["name"].split(" ", 1)[-1]
        old = h.d.email_for(first, c["name"].split(" ")[0])
        h.d.emails.discard(old)  # the old address is free again
        h.change("email", old, c["email"], day)


def _mobile_change(h: _History, c: dict, day: date) -> None:
    if c.get("mobile"):
        h.change("mobile", mobile_number(h.d.rng, set()), c["mobile"], day)


def _street_change(h: _History, c: dict, day: date) -> None:
    old_street, _ = h.d.address(TOWNS[c["_town"]])
    h.change("street", old_street, c["street"], day)


def _marks_change(h: _History, c: dict, day: date) -> None:
    if c["marks"]:
        h.change("marks", None, ", ".join(sorted(c["marks"])), day)


def _floor_change(h: _History, c: dict, day: date) -> None:
    if c.get("floor") is not None:
        h.change("floor", None, c["floor"], day)


def _billing_email_change(h: _History, c: dict, day: date) -> None:
    if c.get("billing_email"):
        h.change("billing_email", None, c["billing_email"], day)


def _groups_change(h: _History, c: dict, day: date) -> None:
    if c["groups"] == ["Residential"] and h.d.rng.random() < 0.3:
        h.change("groups", "Employees", "Residential", day)


# The fields that may have been changed by hand, in the order they are drawn from.
_FIELD_CHANGES = {
    "email": _email_change, "mobile": _mobile_change, "street": _street_change,
    "marks": _marks_change, "floor": _floor_change, "billing_email": _billing_email_change,
    "groups": _groups_change,
}


def _record_rows(h: _History, c: dict) -> None:
    """Rows for the notes and tasks as they were added (and deleted or closed), and for bank
    payments matched by hand; ``ref`` points into the customer's list of that entity."""
    for k, note in enumerate(c["notes"]):
        h.add({"at": note["created_at"], "operator": note["author"], "entity": "note",
               "action": "create", "new": note["text"], "summary": "note added", "ref": k})
        if note.get("deleted_at"):
            h.add({"at": note["deleted_at"], "operator": note["deleted_by"], "entity": "note",
                   "action": "delete", "field": "deleted_at", "old": None,
                   "new": note["deleted_at"], "ref": k})
    for k, task in enumerate(c["tasks"]):
        h.add({"at": task["created_at"], "operator": task["created_by"], "entity": "task",
               "action": "create", "summary": f"task {task['title']} added", "ref": k})
        if task.get("closed_at"):
            h.add({"at": task["closed_at"], "operator": task["updated_by"], "entity": "task",
                   "action": "update", "field": "status", "old": "in_progress",
                   "new": task["status"], "ref": k})
    rng = h.d.rng
    for k, payment in enumerate(c["payments"]):
        if payment["vs"] != str(c["number"]) and payment["vs"] != c.get("vs_alt1"):
            continue
        if payment["source"] == "bank" and rng.random() < 0.02:
            matched = date.fromisoformat(payment["received_on"]) + timedelta(days=1)
            h.add({"at": h.d.when(matched), "operator": "jana", "entity": "payment",
                   "action": "update", "field": "customer", "old": None, "new": str(c["number"]),
                   "summary": "payment matched by hand", "ref": k})
