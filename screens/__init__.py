"""The Textual operator app: screens, card tabs, dialogs. Calls ispterm services only."""
