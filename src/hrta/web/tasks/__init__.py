"""Slow work off the request path: coding runs, reports, large imports, the Findings a
wave's pages read. Each is a Job (hrta.web.tasks.models) that a worker (`hrta worker`)
works; the queue is Django's tasks framework on the database hrta already has
(django-tasks, its database backend), so one SQLite machine and many servers in front of
one PostgreSQL share one design."""
