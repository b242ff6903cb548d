"""Volunteer rota: weekly shifts, cover requests, coverage views and calendar export."""
