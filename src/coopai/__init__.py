"""coopai."""
