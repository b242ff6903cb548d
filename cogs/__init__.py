"""Feature packages: one per feature, each loaded as a discord.py extension."""
