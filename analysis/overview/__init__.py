"""The day at a glance: per repository and day, a headline, a few themes and what needs attention."""
