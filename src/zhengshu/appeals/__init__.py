"""民生诉求: citizen appeals from intake to closure, follow-up and assessment."""
