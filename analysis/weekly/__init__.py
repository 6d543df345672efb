"""The week in one post: per repository, the week's headline, themes, what needed attention and what followed."""
