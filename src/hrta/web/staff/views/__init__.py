"""The staff pages, one module per area; each view only reads input, calls a selector or
a service, and renders."""
