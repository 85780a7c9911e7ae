"""The `hrta` subcommands of each part: `hrta code …`, `hrta plan …`, `hrta instrument draft …`.

Command-line modules only: each parses options, shows progress and calls the domain
packages below it (hrta.coding, hrta.assistance, hrta.ingest, hrta.report); `hrta.cli`
registers them. What every command shares (consoles, options, the error exit) is in
hrta.commandline.
"""
