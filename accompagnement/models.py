"""Level 3: action plan, training path, funding plan and its revisions."""
