"""Level 1: requests, information delivered, routing, collective information sessions."""
