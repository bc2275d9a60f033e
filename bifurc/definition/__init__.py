"""Definition layer: maps written once as formulas."""
