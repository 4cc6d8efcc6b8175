"""The write side: one transaction per function, rules that need the database."""
