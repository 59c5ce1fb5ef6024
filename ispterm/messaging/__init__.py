"""Mail and SMS (MSG): templates, the durable outbound queue and the background sender."""
