"""Modal dialogs: forms, confirmations, conflicts, alerts."""
