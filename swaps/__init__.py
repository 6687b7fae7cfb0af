"""The swap marketplace: trades, give-aways, chains, auto-matching and atomic execution."""
