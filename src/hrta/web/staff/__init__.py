"""The TA center's pages: dashboard, responses, imports, downloads and the API."""
