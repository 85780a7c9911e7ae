"""Staff accounts: roles, login lockout."""
