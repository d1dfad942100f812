"""Organisation: streets, communities, departments, users, roles and permissions."""
