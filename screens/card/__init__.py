"""The customer card's tabs, one module each."""
