"""Fictional data only: the demo seeding (`seed_demo`) and the national-scale generator
(`generate_scale_data`). Every level is imported directly here, downward from the top."""

# Every demo account signs in with it (README, "Démonstration").
DEMO_PASSWORD = "demo-cep-2026!"
