"""The respondents' pages: landing, screening, one section per page, review, thanks."""
