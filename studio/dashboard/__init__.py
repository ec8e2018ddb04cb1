"""The staff's home: the dashboard and the team page (inviting and switching off staff)."""
