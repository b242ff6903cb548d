"""Anonymous shares: members post under a pseudonym; moderators decide and block without learning who wrote it."""
