"""E-mail: what hrta sends (resume links, TA request news), how each send is recorded, and
the addresses a respondent asked their resume link be sent to."""
