"""peerbot infrastructure: configuration, database, scheduler, the Bot subclass, checks and errors."""
