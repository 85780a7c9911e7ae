"""Invitations: organizations invited to a wave by e-mail (from a CSV of names and
addresses, or a cohort of consenting organizations), each with a personal link that starts
and resumes their assessment; reminders; unsubscribing. Addresses live in the contacts
database, encrypted; sending is a task (hrta.web.tasks) paced by HRTA_EMAIL_RATE."""
