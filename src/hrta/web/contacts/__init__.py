"""Contact details (raffle entries, consent to be contacted), kept in a database of their
own and encrypted, so they can never be joined to answers."""
