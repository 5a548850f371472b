"""Level 2: project, skills, matching jobs (ROME), feasibility, strategy."""
