"""Acting on the assessment in the web app: each organization's readiness profile and TA
plan, the TA catalog staff keep, demand and cohorts for the TA center, and TA requests.

Profiles, plans, demand and cohorts come from hrta.assistance — the functions the `hrta`
command calls — on hrta.web.surveys.selectors.response_set; nothing is computed twice.
"""
