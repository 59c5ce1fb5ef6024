"""The customer's service settings PDF (INF-14, MSG-5): plan, IP addresses, MAC and DNS of
each active service, for the customer or for the technician going on site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ispterm.documents import base
from ispterm.documents.base import BODY, CONTENT_WIDTH, HEAD, SMALL, TITLE, lines_para, para


@dataclass(frozen=True)
class ServiceSettings:
    plan: str
    addresses: tuple[tuple[str, str | None], ...]  # (IP or subnet, MAC)
    dns: str | None
    started_on: date | None


@dataclass(frozen=True)
class SettingsDoc:
    number: int
    name: str
    address: tuple[str, ...]
    company: str
    services: tuple[ServiceSettings, ...]
    made_on: date


def load(ctx, number: int) -> SettingsDoc:
    """What the document prints, from the card (one read transaction)."""
    from ispterm.billing.model import BillingGroup
    from ispterm.customers.card import load_card
    from ispterm.customers.lookup import customer_by_number

    with ctx.read() as s:
        c = customer_by_number(s, number)
        card = load_card(s, c)
        group = s.get(BillingGroup, c.billing_group_id)
        services = tuple(ServiceSettings(sv.plan, tuple((ip.address, ip.mac) for ip in sv.ips), sv.dns,
                                         sv.started_on) for sv in card.services if sv.active)
        address = tuple(x for x in (c.street, " ".join(y for y in (c.zip, c.city) if y)) if x)
        return SettingsDoc(c.number, c.name, address, group.company_name or group.name, services,
                           ctx.today())


def render(doc: SettingsDoc) -> bytes:
    story: list = [para("Service settings", TITLE),
                   lines_para([doc.name, *doc.address, f"Customer no. {doc.number}"], bold_first=True),
                   Spacer(1, 5 * mm)]
    if not doc.services:
        story.append(para("No active services.", BODY))
    for k, sv in enumerate(doc.services, 1):
        story.append(para(f"{k}. {sv.plan}", HEAD))
        rows = [["IP address / subnet", "MAC address"]]
        rows += [[address, mac or "-"] for address, mac in sv.addresses] or [["-", "-"]]
        story += [base.grid_table(rows, [CONTENT_WIDTH / 2] * 2),
                  para(f"DNS servers: {sv.dns or 'assigned automatically (DHCP)'}", BODY),
                  para(f"Active since {sv.started_on:%d.%m.%Y}" if sv.started_on else "", SMALL),
                  Spacer(1, 4 * mm)]
    story.append(para(f"{doc.company} · {doc.made_on:%d.%m.%Y}", SMALL))
    return base.build(story, title=f"Service settings {doc.number}", author=doc.company)


def settings_pdf(ctx, number: int) -> bytes:
    return render(load(ctx, number))
