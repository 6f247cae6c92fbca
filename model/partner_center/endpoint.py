"""Where Partner Center's referrals API lives by default.

Its own module so that reading the sync settings (every dashboard start) does not import the
HTTP client and its dependencies, which only a sync needs.
"""
DEFAULT_API_URL = "https://api.partner.microsoft.com"
