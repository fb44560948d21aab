"""Pure mappings of the accessibility suppliers' formats onto the handbook's terms."""
