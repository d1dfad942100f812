"""The web layer: app factory, authentication, JSON API, Open311 and the Chinese pages."""
