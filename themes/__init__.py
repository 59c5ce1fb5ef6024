"""ispterm's themes: its own dark, light and high-contrast themes, and Textual's ANSI themes.

The ANSI themes (``ansi-dark``, ``ansi-light``) use the terminal's own 16 colours, for the
Linux console, PuTTY and old xterms; ``pick_theme`` chooses one when the terminal cannot do
more and the operator has not asked for a theme explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.theme import Theme

TCSS = Path(__file__).with_name("app.tcss")

ISPTERM_DARK = Theme(
    name="ispterm-dark",
    primary="#4EA1D3",
    secondary="#7FB77E",
    accent="#E0A84E",
    warning="#E0A84E",
    error="#E5534B",
    success="#57AB5A",
    foreground="#D8DEE4",
    background="#15191E",
    surface="#1E242B",
    panel="#27303A",
    dark=True,
)

ISPTERM_LIGHT = Theme(
    name="ispterm-light",
    primary="#0B5CAD",
    secondary="#2E7D32",
    accent="#9A5B00",
    warning="#9A5B00",
    error="#B3261E",
    success="#2E7D32",
    foreground="#1B1F24",
    background="#F6F8FA",
    surface="#FFFFFF",
    panel="#E4E9EF",
    dark=False,
)

HIGH_CONTRAST = Theme(
    name="ispterm-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    warning="#FFFF00",
    error="#FF5555",
    success="#55FF55",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
)

THEMES = (ISPTERM_DARK, ISPTERM_LIGHT, HIGH_CONTRAST)
ANSI_THEMES = ("ansi-dark", "ansi-light")
DEFAULT = "ispterm-dark"


def limited_terminal(environ: dict[str, str] | None = None) -> bool:
    """True for terminals with 16 colours or fewer (TERM=linux, xterm, vt100, screen)."""
    env = os.environ if environ is None else environ
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return False
    term = env.get("TERM", "")
    return term in ("linux", "xterm", "vt100", "vt220", "screen", "ansi", "cons25") or term.endswith("-16color")


def pick_theme(requested: str | None, configured: str | None, environ: dict[str, str] | None = None) -> str:
    """An explicit ``--theme`` wins; otherwise the config's, or ANSI on a 16-colour terminal."""
    if requested:
        return requested
    if configured and configured != DEFAULT:
        return configured
    return "ansi-dark" if limited_terminal(environ) else (configured or DEFAULT)


def names() -> list[str]:
    return [t.name for t in THEMES] + list(ANSI_THEMES)
