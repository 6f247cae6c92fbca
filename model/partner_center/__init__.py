"""Partner Center's referral format: its JSON shape, parsing a file, and the mapping to deal rows."""
